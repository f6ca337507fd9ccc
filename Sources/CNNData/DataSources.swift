import CNNIR

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
