/// Problems with data files, each naming the file and what to do.
public enum DataError: Error, Equatable, Sendable {
    case notFound(name: String, searched: [String])
    case missingFile(path: String)
    case unreadable(path: String, reason: String)
    case badMagic(path: String, found: UInt32, expected: String)
    /// A header whose sizes cannot describe data (a zero image side, a product that overflows).
    case badHeader(path: String, reason: String)
    case truncated(path: String, expectedBytes: Int, foundBytes: Int)
    /// More bytes follow the data the header announces (reading stops at the first extra byte).
    case trailingData(path: String, expectedBytes: Int)
    /// The header announces more than `IDXReader.maximumDataBytes`; nothing was allocated.
    case tooLarge(path: String, bytes: Int, limit: Int)
    /// A set with no images: training or evaluating on it would "succeed" with 0%.
    case empty(path: String)
    case countMismatch(images: String, imageCount: Int, labels: String, labelCount: Int)
    case labelOutOfRange(path: String, label: Int, classes: Int)
    case badImage(path: String, reason: String)
    /// An image header announcing more than `maxPixels` pixels; nothing was allocated.
    case imageTooLarge(path: String, width: Int, height: Int, maxPixels: Int)
    /// `train.validation` leaves no training or no validation image.
    case emptySplit(fraction: Double, images: Int)
    /// No reader recognizes the folder's contents.
    case unknownFormat(directory: String, formats: [String])

    public var message: String {
        switch self {
        case .notFound(let name, let searched):
            return "data set '\(name)' not found; looked in: " + searched.joined(separator: ", ")
        case .missingFile(let path): return "\(path): no such file"
        case .unreadable(let path, let reason): return "\(path): cannot read: \(reason)"
        case .badMagic(let path, let found, let expected):
            return "\(path): not an IDX \(expected) file (magic number 0x\(String(found, radix: 16)))"
        case .badHeader(let path, let reason): return "\(path): bad IDX header: \(reason)"
        case .truncated(let path, let expected, let found):
            return "\(path): truncated: header promises \(expected) bytes of data, file has \(found)"
        case .trailingData(let path, let expected):
            return "\(path): more data than the header promises (\(expected) bytes); the header or the file is damaged"
        case .tooLarge(let path, let bytes, let limit):
            return "\(path): header promises \(bytes) bytes of data, more than cnnc reads from one file (\(limit) bytes)"
        case .empty(let path): return "\(path): holds no images; there is nothing to train or evaluate on"
        case .emptySplit(let fraction, let images):
            return "train.validation \(fraction) of \(images) training images leaves no \(fraction >= 0.5 ? "training" : "validation") image"
        case .countMismatch(let images, let imageCount, let labels, let labelCount):
            return "\(images) has \(imageCount) images but \(labels) has \(labelCount) labels"
        case .labelOutOfRange(let path, let label, let classes):
            return "\(path): label \(label) is outside 0..<\(classes), the network's output size"
        case .badImage(let path, let reason): return "\(path): \(reason)"
        case .unknownFormat(let directory, let formats):
            return "\(directory): not a data folder of a format cnnc reads (\(formats.joined(separator: ", ")))"
        case .imageTooLarge(let path, let width, let height, let maxPixels):
            return "\(path): image of \(width)×\(height) pixels is larger than the limit of \(maxPixels) pixels"
        }
    }

    public var hint: String? {
        switch self {
        case .notFound(let name, _):
            return name == "fashion-mnist"
                ? "install it with 'apt-get install dataset-fashion-mnist', or pass --data DIR with the four IDX files"
                : "pass --data DIR with train-images-idx3-ubyte[.gz], train-labels-idx1-ubyte[.gz], t10k-images-idx3-ubyte[.gz] and t10k-labels-idx1-ubyte[.gz], or set CNNC_DATA"
        case .missingFile: return "an IDX data directory holds the four standard IDX files, raw or gzipped"
        case .unknownFormat:
            return "docs/data.md shows each format's layout; name one with 'train.data: {format: …, path: …}' to hear what is missing"
        case .badMagic, .badHeader, .truncated, .trailingData:
            return "download the file again; IDX files start with 0x00000803 (images) or 0x00000801 (labels), then one big-endian size per dimension"
        case .tooLarge: return "check the header's sizes (a damaged header often claims billions of images), or split the data set into smaller files"
        case .empty: return "use the full data set; the file's header counts 0 images"
        case .emptySplit: return "choose a fraction that keeps at least one image on each side, such as 0.1"
        case .countMismatch: return "the two files must come from the same set"
        case .labelOutOfRange: return "the last layer needs one output per class"
        case .imageTooLarge: return "scale the image down first (the network sees it resized to its input size anyway)"
        case .unreadable, .badImage: return nil
        }
    }
}
