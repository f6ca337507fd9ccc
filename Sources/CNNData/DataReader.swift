import CNNIR

/// One data format: how to recognise a folder of it, and how to read one.
public protocol DataReader {
    static var format: DataFormat { get }
    /// Whether `directory` looks like this format (its files are there); reading may still fail.
    static func recognizes(directory: String) -> Bool
    static func read(directory: String, options: DataOptions) throws(DataError) -> DataSource
}
