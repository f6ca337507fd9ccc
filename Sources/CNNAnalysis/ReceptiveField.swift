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

    /// The field after a window, or nil when its size or jump overflows an `Int`.
    public func through(kernel: Int, stride: Int, dilation: Int = 1, padBefore: Int) -> ReceptiveField? {
        guard let extent = CheckedSize.product(dilation, kernel - 1),
              let grown = CheckedSize.product(extent, jump), let size = CheckedSize.sum(size, grown),
              let jump = CheckedSize.product(jump, stride) else { return nil }
        return ReceptiveField(size: size, jump: jump,
                              start: start + (Double(extent) / 2 - Double(padBefore)) * Double(self.jump))
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

    /// The fields after a window, or nil when one overflows.
    public func through(_ window: SlidingWindow) -> ReceptiveField2D? {
        guard let h = height.through(kernel: window.size.height, stride: window.stride.height,
                                     dilation: window.dilation.height, padBefore: window.padding.top),
              let w = width.through(kernel: window.size.width, stride: window.stride.width,
                                    dilation: window.dilation.width, padBefore: window.padding.left) else { return nil }
        return ReceptiveField2D(height: h, width: w)
    }

    /// A layer that sees its whole input at once (dense, global pooling): a window the input's size.
    public func throughWhole(_ input: Shape) -> ReceptiveField2D? {
        guard let h = height.through(kernel: input.height, stride: 1, padBefore: 0),
              let w = width.through(kernel: input.width, stride: 1, padBefore: 0) else { return nil }
        return ReceptiveField2D(height: h, width: w)
    }

    /// Orders fields by area, h·w, computed in full width so that no size overflows.
    func hasSmallerArea(than other: ReceptiveField2D) -> Bool {
        let a = height.size.multipliedFullWidth(by: width.size), b = other.height.size.multipliedFullWidth(by: other.width.size)
        return (a.high, a.low) < (b.high, b.low)
    }

    /// `5` when square, `5x3` otherwise.
    public var sizeDescription: String {
        height.size == width.size ? "\(height.size)" : "\(height.size)x\(width.size)"
    }
}
