/// Finds a named data set: `$CNNC_DATA/NAME`, `./data/NAME`, `/usr/share/datasets/NAME`.
public enum DataLocator {
    public static func directory(for nameOrPath: String, environment: [String: String]) throws(DataError) -> String {
        if nameOrPath.contains("/") || isDirectory(nameOrPath) && !isKnownName(nameOrPath) {
            guard isDirectory(nameOrPath) else { throw .notFound(name: nameOrPath, searched: [nameOrPath]) }
            return nameOrPath
        }
        var searched: [String] = []
        if let root = environment["CNNC_DATA"] { searched.append("\(root)/\(nameOrPath)") }
        searched += ["./data/\(nameOrPath)", "/usr/share/datasets/\(nameOrPath)"]
        for candidate in searched where isDirectory(candidate) {
            return candidate
        }
        throw .notFound(name: nameOrPath, searched: searched)
    }

    static func isKnownName(_ name: String) -> Bool { ["mnist", "fashion-mnist"].contains(name) }
}
