import CNNIR

/// The four standard IDX files of a training and a test set, raw or gzipped, as MNIST and Fashion-MNIST
/// ship: `{train,t10k}-{images-idx3,labels-idx1}-ubyte[.gz]`. Colour images are 4-D (count × channels ×
/// rows × columns) and may be named idx4 instead of idx3.
public enum IDXFormat: DataReader {
    public static let format = DataFormat.idx

    public static let fileStems = ["train-images-idx3-ubyte", "train-labels-idx1-ubyte",
                                   "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"]

    public static func recognizes(directory: String) -> Bool {
        (try? path(directory, fileStems[0])) != nil
    }

    /// Each set must hold at least one image and as many labels as images.
    public static func read(directory: String, options: DataOptions) throws(DataError) -> DataSource {
        func set(_ images: String, _ labels: String) throws(DataError) -> ImageSet {
            let imagePath = try path(directory, images), labelPath = try path(directory, labels)
            let raw = try IDXReader.images(path: imagePath, maxBytes: options.maxBytes)
            guard raw.count > 0 else { throw .empty(path: imagePath) }
            let labelBytes = try IDXReader.labels(path: labelPath, maxBytes: options.maxBytes)
            guard raw.count == labelBytes.count else {
                throw .countMismatch(images: imagePath, imageCount: raw.count, labels: labelPath, labelCount: labelBytes.count)
            }
            return ImageSet(channelsFirst: raw.bytes, channels: raw.channels, height: raw.rows, width: raw.columns,
                            labels: labelBytes.map { Int32($0) }, source: labelPath)
        }
        return DataSource(format: format, directory: directory, train: try set(fileStems[0], fileStems[1]),
                          test: try set(fileStems[2], fileStems[3]))
    }

    static func path(_ directory: String, _ stem: String) throws(DataError) -> String {
        let stems = stem.hasSuffix("-images-idx3-ubyte") ? [stem, stem.dropLast("idx3-ubyte".count) + "idx4-ubyte"] : [stem]
        for name in stems {
            for candidate in ["\(directory)/\(name).gz", "\(directory)/\(name)"] where fileExists(candidate) {
                return candidate
            }
        }
        throw .missingFile(path: "\(directory)/\(stem)[.gz]")
    }
}
