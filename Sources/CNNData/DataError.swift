/// Problems with data files, each naming the file and what to do.
public enum DataError: Error, Equatable, Sendable {
    case notFound(name: String, searched: [String])
    case missingFile(path: String)
    case unreadable(path: String, reason: String)
    case badMagic(path: String, found: UInt32, expected: String)
    case truncated(path: String, expectedBytes: Int, foundBytes: Int)
    case countMismatch(images: String, imageCount: Int, labels: String, labelCount: Int)
    case labelOutOfRange(path: String, label: Int, classes: Int)
    case badImage(path: String, reason: String)

    public var message: String {
        switch self {
        case .notFound(let name, let searched):
            return "data set '\(name)' not found; looked in: " + searched.joined(separator: ", ")
        case .missingFile(let path): return "\(path): no such file"
        case .unreadable(let path, let reason): return "\(path): cannot read: \(reason)"
        case .badMagic(let path, let found, let expected):
            return "\(path): not an IDX \(expected) file (magic number 0x\(String(found, radix: 16)))"
        case .truncated(let path, let expected, let found):
            return "\(path): truncated: header promises \(expected) bytes of data, file has \(found)"
        case .countMismatch(let images, let imageCount, let labels, let labelCount):
            return "\(images) has \(imageCount) images but \(labels) has \(labelCount) labels"
        case .labelOutOfRange(let path, let label, let classes):
            return "\(path): label \(label) is outside 0..<\(classes), the network's output size"
        case .badImage(let path, let reason): return "\(path): \(reason)"
        }
    }

    public var hint: String? {
        switch self {
        case .notFound(let name, _):
            return name == "fashion-mnist"
                ? "install it with 'apt-get install dataset-fashion-mnist', or pass --data DIR with the four IDX files"
                : "pass --data DIR with train-images-idx3-ubyte[.gz], train-labels-idx1-ubyte[.gz], t10k-images-idx3-ubyte[.gz] and t10k-labels-idx1-ubyte[.gz], or set CNNC_DATA"
        case .missingFile: return "a data directory holds the four standard IDX files, raw or gzipped"
        case .badMagic, .truncated: return "download the file again; IDX files start with 0x00000803 (images) or 0x00000801 (labels)"
        case .countMismatch: return "the two files must come from the same set"
        case .labelOutOfRange: return "the last layer needs one output per class"
        case .unreadable, .badImage: return nil
        }
    }
}
