import CNNIR

/// A folder of NumPy arrays as a data source (the layouts are `NumPyLayout`'s). The arrays hold no class
/// names; a `class_names.txt` beside them (one per line, in label order) gives them.
public enum NumPyFormat: DataReader {
    public static let format = DataFormat.numpy

    public static func recognizes(directory: String) -> Bool { NumPyLayout.recognizes(directory: directory) }

    public static func read(directory: String, options: DataOptions) throws(DataError) -> DataSource {
        let (train, test) = try NumPyLayout.load(directory: directory, maxBytes: options.maxBytes)
        guard train.channels == test.channels, train.height == test.height, train.width == test.width else {
            throw .badArray(path: test.source, reason: "test images of \(test.height)×\(test.width)×\(test.channels), "
                            + "training images of \(train.height)×\(train.width)×\(train.channels)")
        }
        func set(_ split: NumPyLayout.Split) -> ImageSet {
            ImageSet(channels: split.channels, height: split.height, width: split.width, bytes: split.pixels, labels: split.labels,
                     source: split.source)
        }
        var warnings: [String] = []
        let names = classNames(directory: directory, classes: Int(max(train.labels.max() ?? 0, test.labels.max() ?? 0)) + 1,
                               warnings: &warnings)
        return DataSource(format: format, directory: directory, train: set(train), test: set(test), classNames: names, warnings: warnings)
    }

    /// `class_names.txt`, when present, with at least one name per label seen.
    static func classNames(directory: String, classes: Int, warnings: inout [String]) -> [String]? {
        let path = "\(directory)/class_names.txt"
        guard fileExists(path) else { return nil }
        guard let size = try? RegularFile.size(path), size <= 1 << 20, let bytes = try? RegularFile.read(path, count: size) else {
            warnings.append("\(path) is unreadable or larger than 1 MiB: classes are shown as numbers")
            return nil
        }
        let names = CIFARReader.classNames(text: String(decoding: bytes, as: UTF8.self))
        guard names.count >= classes else {
            warnings.append("\(path) has \(names.count) names for labels up to \(classes - 1): classes are shown as numbers")
            return nil
        }
        return names
    }
}
