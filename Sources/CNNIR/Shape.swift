/// The shape of one image's activations, `[C, H, W]`; the batch dimension N is the runtime's.
public struct Shape: Hashable, Sendable, CustomStringConvertible {
    public var channels: Int
    public var height: Int
    public var width: Int

    public init(channels: Int, height: Int, width: Int) {
        self.channels = channels
        self.height = height
        self.width = width
    }

    /// Number of floats in one image's activations: C·H·W.
    public var count: Int { channels * height * width }

    public var description: String { "\(channels)x\(height)x\(width)" }
}

/// A pair of per-axis values, (height, width), used for kernel sizes, strides and dilations.
public struct Size2: Hashable, Sendable, CustomStringConvertible {
    public var height: Int
    public var width: Int

    public init(_ height: Int, _ width: Int) {
        self.height = height
        self.width = width
    }

    public init(square n: Int) { self.init(n, n) }

    public var isSquare: Bool { height == width }
    public var description: String { isSquare ? "\(height)" : "\(height)x\(width)" }
}
