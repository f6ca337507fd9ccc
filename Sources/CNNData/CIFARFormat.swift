import CNNIR

/// The CIFAR binary folders as data sources, one reader per label choice; the decoding is `CIFARReader`'s.
/// `format: cifar100-coarse` reads the same files as `cifar100` with the 20 superclasses as labels; it is
/// never detected (a folder does not say which labels are wanted), only named.
public enum CIFARFormat {
    static func read(directory: String, labels: CIFARReader.Labels, format: DataFormat, options: DataOptions) throws(DataError) -> DataSource {
        var warnings: [String] = []
        let trainFiles = CIFARReader.trainFiles(directory: directory, labels: labels)
        if labels == .cifar10 && trainFiles.count < 5 && fileExists(trainFiles[0]) {
            warnings.append("\(directory): read data_batch_1.bin to data_batch_\(trainFiles.count).bin only (CIFAR-10 has 5 training batches)")
        }
        let testFile = CIFARReader.testFile(directory: directory, labels: labels)
        let train = try CIFARReader.read(files: trainFiles, labels: labels, maxBytes: options.maxBytes)
        let test = try CIFARReader.read(files: [testFile], labels: labels, maxBytes: options.maxBytes)
        let names = CIFARReader.classNames(directory: directory, labels: labels, warnings: &warnings)
        func set(_ records: CIFARReader.Records, _ source: String) -> ImageSet {
            ImageSet(channels: CIFARReader.channels, height: CIFARReader.side, width: CIFARReader.side, bytes: records.pixels,
                     labels: records.labels, source: source)
        }
        let trainSource = trainFiles.count == 1 ? trainFiles[0] : "\(directory)/data_batch_*.bin"
        return DataSource(format: format, directory: directory, train: set(train, trainSource), test: set(test, testFile),
                          classNames: names, warnings: warnings)
    }
}

/// CIFAR-10 binary (`cifar-10-batches-bin`): 50,000 training and 10,000 test images of 3×32×32, 10 classes.
public enum CIFAR10Format: DataReader {
    public static let format = DataFormat.cifar10
    public static func recognizes(directory: String) -> Bool { CIFARReader.recognizes(directory: directory, labels: .cifar10) }
    public static func read(directory: String, options: DataOptions) throws(DataError) -> DataSource {
        try CIFARFormat.read(directory: directory, labels: .cifar10, format: format, options: options)
    }
}

/// CIFAR-100 binary (`cifar-100-binary`) with its 100 fine labels.
public enum CIFAR100Format: DataReader {
    public static let format = DataFormat.cifar100
    public static func recognizes(directory: String) -> Bool { CIFARReader.recognizes(directory: directory, labels: .fine) }
    public static func read(directory: String, options: DataOptions) throws(DataError) -> DataSource {
        try CIFARFormat.read(directory: directory, labels: .fine, format: format, options: options)
    }
}

/// CIFAR-100 binary with its 20 coarse labels; only when named.
public enum CIFAR100CoarseFormat: DataReader {
    public static let format = DataFormat.cifar100Coarse
    public static func recognizes(directory: String) -> Bool { false }
    public static func read(directory: String, options: DataOptions) throws(DataError) -> DataSource {
        try CIFARFormat.read(directory: directory, labels: .coarse, format: format, options: options)
    }
}
