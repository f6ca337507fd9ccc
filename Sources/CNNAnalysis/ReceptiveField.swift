import CNNIR

/// Receptive field along one axis, in input pixels (Araujo, Norris & Sim, "Computing Receptive Fields
/// of Convolutional Neural Networks", Distill 2019).
///
/// Through a layer with kernel K, dilation D, stride S and leading padding P:
///
///     size'  = size + D·(K − 1)·jump
///     jump'  = jump · S
///     start' = start + (D·(K − 1)/2 − P)·jump
///
/// The input image has size 1, jump 1 and start 0.5: the centre of pixel 0, which covers [0, 1).
public struct ReceptiveField: Hashable, Sendable, CustomStringConvertible {
    /// Input pixels that can influence one output.
    public var size: Int
    /// Distance in input pixels between neighbouring outputs (the effective stride).
    public var jump: Int
    /// Centre of the first output's field, in input pixel coordinates.
    public var start: Double

    public init(size: Int, jump: Int, start: Double) {
        self.size = size
        self.jump = jump
        self.start = start
    }

    public static let input = ReceptiveField(size: 1, jump: 1, start: 0.5)

    public func through(kernel: Int, stride: Int, dilation: Int = 1, padBefore: Int) -> ReceptiveField {
        let extent = dilation * (kernel - 1)
        return ReceptiveField(size: size + extent * jump,
                              jump: jump * stride,
                              start: start + (Double(extent) / 2 - Double(padBefore)) * Double(jump))
    }

    public var description: String { "\(size)" }
}

/// Receptive fields of both axes.
public struct ReceptiveField2D: Hashable, Sendable {
    public var height: ReceptiveField
    public var width: ReceptiveField

    public init(height: ReceptiveField, width: ReceptiveField) {
        self.height = height
        self.width = width
    }

    public static let input = ReceptiveField2D(height: .input, width: .input)

    public func through(_ window: SlidingWindow) -> ReceptiveField2D {
        ReceptiveField2D(
            height: height.through(kernel: window.size.height, stride: window.stride.height,
                                   dilation: window.dilation.height, padBefore: window.padding.top),
            width: width.through(kernel: window.size.width, stride: window.stride.width,
                                 dilation: window.dilation.width, padBefore: window.padding.left))
    }

    /// A layer that sees its whole input at once (dense, global pooling): a window the input's size.
    public func throughWhole(_ input: Shape) -> ReceptiveField2D {
        ReceptiveField2D(height: height.through(kernel: input.height, stride: 1, padBefore: 0),
                         width: width.through(kernel: input.width, stride: 1, padBefore: 0))
    }

    /// `5` when square, `5x3` otherwise.
    public var sizeDescription: String {
        height.size == width.size ? "\(height.size)" : "\(height.size)x\(width.size)"
    }
}
