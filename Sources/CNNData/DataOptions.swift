import CNNIR

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
