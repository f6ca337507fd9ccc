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
    /// A file of fixed-size records (CIFAR binary) whose size is not a whole, non-zero number of records.
    case partialRecords(path: String, bytes: Int, recordBytes: Int)
    /// A stored label outside the data set's classes (e.g. 10 in a CIFAR-10 file).
    case badLabel(path: String, index: Int, label: Int, classes: Int)
    /// A NumPy array (.npy, or a member of a .npz) that cnnc cannot take as images or labels.
    case badArray(path: String, reason: String)
    /// Under MPI the ranks read different images from the same folder.
    case ranksDiffer(directory: String)
    /// No reader recognizes the folder's contents.
    case unknownFormat(directory: String, formats: [String])
    /// The data's class names are not the ones a checkpoint was trained on: other spellings, or other classes.
    case classesDiffer(directory: String, classes: [String], checkpoint: String, trained: [String])
    // Image folders (ImageFolderFormat).
    /// A folder with no class sub-folders.
    case noClasses(directory: String)
    /// Class folders holding no file with an image extension (torchvision raises for these too).
    case emptyClasses(folders: [String])
    /// A class folder of the test split with no folder of that name in the training split.
    case unknownClass(folder: String, classes: [String])
    /// A single `DIR/<class>/*` folder with no `train.validation` to hold out a test set.
    case noTestSplit(directory: String)
    /// An image of another size than the network's input, and no `train.resize`.
    case imageSizeMismatch(path: String, width: Int, height: Int, expectedWidth: Int, expectedHeight: Int)
    /// Unreadable image files under `strict`: how many, and the first few with their reasons.
    case unreadableImages(count: Int, examples: [String])

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
        case .ranksDiffer(let directory):
            return "\(directory): the MPI ranks read different images from it (sizes, pixels or labels differ)"
        case .classesDiffer(let directory, let classes, let checkpoint, let trained):
            return "\(directory) has the classes \(classes.joined(separator: ", ")), but \(checkpoint) was trained on "
                + trained.joined(separator: ", ")
        case .unknownFormat(let directory, let formats):
            return "\(directory): not a data folder of a format cnnc reads (\(formats.joined(separator: ", ")))"
        case .noClasses(let directory): return "\(directory): no class folders (an image folder holds one sub-folder of images per class)"
        case .emptyClasses(let folders):
            return "found no image file in the class folder\(folders.count == 1 ? "" : "s") " + folders.joined(separator: ", ")
        case .unknownClass(let folder, let classes):
            return "\(folder): a test class with no training folder of its name (the training classes: \(classes.joined(separator: ", ")))"
        case .noTestSplit(let directory):
            return "\(directory) holds class folders but no train/ and test/ (or val/) folders, and train.validation is 0: there is no test set"
        case .imageSizeMismatch(let path, let width, let height, let expectedWidth, let expectedHeight):
            return "\(path): image is \(width)×\(height) pixels (width × height), the network's input is \(expectedWidth)×\(expectedHeight)"
        case .unreadableImages(let count, let examples):
            return "\(count) image file\(count == 1 ? "" : "s") cannot be read: " + examples.joined(separator: "; ")
        case .imageTooLarge(let path, let width, let height, let maxPixels):
            return "\(path): image of \(width)×\(height) pixels is larger than the limit of \(maxPixels) pixels"
        case .partialRecords(let path, let bytes, let recordBytes):
            return "\(path): \(bytes) bytes is not a whole number of \(recordBytes)-byte records"
        case .badLabel(let path, let index, let label, let classes):
            return "\(path): record \(index) has label \(label), outside the data set's \(classes) classes"
        case .badArray(let path, let reason): return "\(path): \(reason)"
        }
    }

    /// Whether the path's file name (not its folders) is an IDX file's, such as train-images-idx3-ubyte.gz.
    private static func namesIDXFile(_ path: String) -> Bool {
        let name = path.split(separator: "/").last ?? Substring(path)
        return name.contains("-ubyte") || name.contains("idx")
    }

    public var hint: String? {
        switch self {
        case .notFound(let name, _):
            return name == "fashion-mnist"
                ? "install it with 'apt-get install dataset-fashion-mnist', or pass --data DIR with the four IDX files"
                : "pass --data DIR with train-images-idx3-ubyte[.gz], train-labels-idx1-ubyte[.gz], t10k-images-idx3-ubyte[.gz] and t10k-labels-idx1-ubyte[.gz], or set CNNC_DATA"
        case .missingFile(let path) where path.hasSuffix(".bin"):
            return "a CIFAR-10 folder holds data_batch_1.bin … data_batch_5.bin and test_batch.bin, a CIFAR-100 folder train.bin and test.bin (the binary versions)"
        case .missingFile(let path) where path.hasSuffix(".npy") || path.hasSuffix(".npz"):
            return "a NumPy folder holds train.npz and test.npz, one .npz with x_train, y_train, x_test and y_test, or those four as .npy files (docs/data.md)"
        case .missingFile(let path) where Self.namesIDXFile(path):
            return "an IDX data directory holds the four standard IDX files, raw or gzipped"
        case .missingFile: return "check the path; images are read from PNG, JPEG, PGM and PPM files"
        case .noClasses: return "lay the images out as DIR/<class>/<image> or DIR/train/<class>/<image> and DIR/test/<class>/<image> (docs/data.md)"
        case .emptyClasses: return "cnnc reads " + ImageReader.extensions.sorted().map { "." + $0 }.joined(separator: " ") + " files; add images or remove the folder"
        case .unknownClass: return "the test split's class folders must be named as the training split's"
        case .noTestSplit:
            return "set train.validation (e.g. 0.1): that fraction is held out and serves as the validation and the test set; or split the images into DIR/train/<class> and DIR/test/<class>"
        case .imageSizeMismatch: return "set train.resize (e.g. 'resize: {mode: shorter-side-then-center-crop, filter: area}'), or resize the images beforehand"
        case .unreadableImages: return "repair or remove the files, or train without --strict to skip them with a warning"
        case .ranksDiffer:
            return "give every node the same copy of the data (a file one node cannot read is skipped there alone: --strict makes it an error)"
        case .classesDiffer: return "if they are not the same classes in the same order, evaluate on data that has them"
        case .unknownFormat:
            return "docs/data.md shows each format's layout; name one with 'train.data: {format: …, path: …}' to hear what is missing"
        case .badMagic(let path, _, _), .badHeader(let path, _), .truncated(let path, _, _), .trailingData(let path, _):
            return Self.namesIDXFile(path)
                ? "download the file again; IDX files start with 0x00000803 (images) or 0x00000801 (labels), then one big-endian size per dimension"
                : "the file is damaged or cut short: write or download it again"
        case .tooLarge: return "check the header's sizes (a damaged header often claims billions of images), or split the data set into smaller files"
        case .empty(let path):
            return Self.namesIDXFile(path)
                ? "use the full data set; the file's header counts 0 images"
                : "the split holds no readable image: add images, or repair the files skipped"
        case .emptySplit: return "choose a fraction that keeps at least one image on each side, such as 0.1"
        case .countMismatch: return "the two files must come from the same set"
        case .labelOutOfRange: return "the last layer needs one output per class"
        case .imageTooLarge: return "scale the image down first (the network sees it resized to its input size anyway)"
        case .partialRecords(_, _, let recordBytes):
            return recordBytes == 3074
                ? "a CIFAR-100 binary file holds records of a coarse and a fine label byte and 3072 image bytes; download the file again"
                : "a CIFAR-10 binary file holds records of 1 label byte and 3072 image bytes (32×32 red, green, blue planes); download the file again"
        case .badLabel: return "the file is damaged or not of this format; download it again, or choose the format that matches it"
        case .badArray:
            return "save images as uint8 N×H×W or N×H×W×C (channels last) and labels as N integers, with numpy.save or numpy.savez"
        case .unreadable, .badImage: return nil
        }
    }
}
