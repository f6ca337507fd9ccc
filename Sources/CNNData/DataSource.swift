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
