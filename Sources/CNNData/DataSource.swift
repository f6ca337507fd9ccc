import CNNIR

/// A data set on disk, decoded: a training and a test split, with class names when the format has them.
/// Every format's reader (`DataReader`) produces one; the runtime never sees a format.
public struct DataSource: Sendable {
    public var format: DataFormat
    /// The folder it was read from.
    public var directory: String
    public var train: ImageSet
    public var test: ImageSet
    /// One name per class, in label order, when the data set says them.
    public var classNames: [String]?
    /// What the reader skipped or converted, for the CLI to print (library code never prints).
    public var warnings: [String]

    public init(format: DataFormat, directory: String, train: ImageSet, test: ImageSet, classNames: [String]? = nil,
                warnings: [String] = []) {
        self.format = format
        self.directory = directory
        self.train = train
        self.test = test
        self.classNames = classNames
        self.warnings = warnings
    }

    /// Every label of the test set (and of the training set, unless `includingTrain` is false) must
    /// name one of the network's `classes` outputs.
    public func checkLabels(classes: Int, includingTrain: Bool = true) throws(DataError) {
        for set in (includingTrain ? [train] : []) + [test] {
            if let bad = set.labels.first(where: { $0 < 0 || Int($0) >= classes }) {
                throw .labelOutOfRange(path: set.source, label: Int(bad), classes: classes)
            }
        }
    }
}

/// What a reader may be asked beyond the folder: limits, and the network's input for formats that
/// convert or resize images to it.
public struct DataOptions: Sendable {
    /// The most bytes read from one file.
    public var maxBytes: Int = IDXReader.maximumDataBytes
    /// The network's input C×H×W, when known.
    public var input: Shape?
    /// Threads a reader may decode with.
    public var threads: Int = 1
    /// How image files of another size than `input` are resized (`train.resize`); nil: such a file is an error.
    public var resize: ImageResize?
    /// Unreadable image files are an error (`--strict`) rather than skipped with a warning.
    public var strict = false
    /// `train.validation` and `train.seed`: an image folder without a test split holds out the same images
    /// the run holds out for validation (`Dataset.splitIndices`) and tests on them.
    public var validation: Double = 0
    public var seed: UInt64 = 1
    /// The largest image file decoded, in pixels, checked from its header.
    public var maxPixels = ImageReader.defaultMaxPixels

    public init(maxBytes: Int = IDXReader.maximumDataBytes, input: Shape? = nil, threads: Int = 1) {
        self.maxBytes = maxBytes
        self.input = input
        self.threads = threads
    }
}

/// One data format: how to recognise a folder of it, and how to read one.
public protocol DataReader {
    static var format: DataFormat { get }
    /// Whether `directory` looks like this format (its files are there); reading may still fail.
    static func recognizes(directory: String) -> Bool
    static func read(directory: String, options: DataOptions) throws(DataError) -> DataSource
}

/// The formats cnnc reads: the one place a format is registered.
public enum DataSources {
    public static func reader(for format: DataFormat) -> any DataReader.Type {
        switch format {
        case .idx: IDXFormat.self
        case .cifar10: CIFAR10Format.self
        case .cifar100: CIFAR100Format.self
        case .cifar100Coarse: CIFAR100CoarseFormat.self
        case .numpy: NumPyFormat.self
        case .imagefolder: ImageFolderFormat.self
        }
    }

    /// Reads `directory` as `format`, or as the first format that recognizes it.
    public static func load(directory: String, format: DataFormat? = nil, options: DataOptions = DataOptions()) throws(DataError) -> DataSource {
        if let format { return try reader(for: format).read(directory: directory, options: options) }
        for candidate in DataFormat.allCases where reader(for: candidate).recognizes(directory: directory) {
            return try reader(for: candidate).read(directory: directory, options: options)
        }
        throw .unknownFormat(directory: directory, formats: DataFormat.allCases.map(\.rawValue))
    }
}
