import CNNIR

/// The one shape rule that convolution, locally connected and pooling layers share, per axis:
///
///     out = ⌊(in + P_before + P_after − D·(K − 1) − 1) / S⌋ + 1
///
/// with in the input extent, P the padding, D the dilation, K the kernel and S the stride. Pooling
/// with `ceil` rounds up instead, as PyTorch's `ceil_mode` (`pooling_output_shape_pad_lr`,
/// aten/src/ATen/native/Pool.h, torch 1.13):
///
///     out = ⌈(in + P_before + P_after − D·(K − 1) − 1) / S⌉ + 1, less 1 if (out − 1)·S ≥ in + P_before
///
/// (the last window must start inside the input or its leading padding); windows that run past the
/// input read nothing there.
public struct SlidingWindow: Hashable, Sendable {
    public var size: Size2
    public var stride: Size2
    public var dilation: Size2
    public var padding: ResolvedPadding
    /// Round the output extent up (pooling's `ceil`), see above.
    public var ceil: Bool = false

    /// The dilated kernel extent: D·(K − 1) + 1 (at most `CheckedSize.maximumElements` once analysed).
    public var effectiveSize: Size2 {
        Size2(dilation.height * (size.height - 1) + 1, dilation.width * (size.width - 1) + 1)
    }

    /// Resolves `same`, `full` and `valid` against an input of `height`×`width`, checking that the
    /// dilated kernel, D·(K − 1) + 1, is at most `CheckedSize.maximumElements` on each axis.
    static func resolve(_ padding: Padding, input: Shape, size: Size2, stride: Size2, dilation: Size2,
                        layer: Layer) throws(ShapeError) -> ResolvedPadding {
        let count = Count(layer: layer)
        func extent(_ axis: String, _ k: Int, _ d: Int) throws(ShapeError) -> Int {
            let what = "the window \(axis) D·(K − 1) + 1 = \(d)·(\(k) − 1) + 1"
            return try count.extent(try count.elements(d, k - 1, what: what), 1, what: what)
        }
        let kh = try extent("height", size.height, dilation.height)
        let kw = try extent("width", size.width, dilation.width)
        switch padding {
        case .explicit(let top, let bottom, let left, let right):
            return ResolvedPadding(top: top, bottom: bottom, left: left, right: right)
        case .valid:
            return ResolvedPadding(top: 0, bottom: 0, left: 0, right: 0)
        case .full:
            return ResolvedPadding(top: kh - 1, bottom: kh - 1, left: kw - 1, right: kw - 1)
        case .same:
            // Output ⌈in / S⌉; the odd pixel of padding goes after (bottom, right). Written as
            // (in − 1) / S + 1 so that a stride near Int.max cannot overflow; (out − 1)·S < in.
            func split(_ extent: Int, _ k: Int, _ s: Int) -> (Int, Int) {
                let out = (extent - 1) / s + 1
                let total = max((out - 1) * s + k - extent, 0)
                return (total / 2, total - total / 2)
            }
            let (top, bottom) = split(input.height, kh, stride.height)
            let (left, right) = split(input.width, kw, stride.width)
            return ResolvedPadding(top: top, bottom: bottom, left: left, right: right)
        }
    }

    /// One axis of the window over one axis of the input. Its formulas assume the analysis's checks:
    /// the padded input and the dilated kernel each at most `CheckedSize.maximumElements`.
    public struct Axis: Sendable {
        public var name: String
        public var input: Int
        public var before: Int
        public var after: Int
        public var kernel: Int
        public var dilation: Int
        public var stride: Int
        public var ceil: Bool = false

        /// in + P_before + P_after − D·(K − 1) − 1, the numerator of the rule.
        public var span: Int { input + before + after - dilation * (kernel - 1) - 1 }
        /// ⌊span / S⌋ + 1, or ⌈span / S⌉ + 1 with `ceil` (both rounding toward −∞ / +∞ for negative spans).
        public var rounded: Int {
            let floor = span / stride - (span < 0 && span % stride != 0 ? 1 : 0)
            return floor + (ceil && span % stride != 0 ? 1 : 0) + 1
        }
        /// With `ceil`, whether the rounded-up count's last window would start at or past in + P_before,
        /// i.e. read only trailing padding: (out − 1)·S ≥ in + P_before, written as out − 1 ≥ ⌈(in + P_before)/S⌉
        /// so that no product overflows (in ≥ 1).
        public var lastWindowPastInput: Bool {
            ceil && rounded - 1 >= (input + before - 1) / stride + 1
        }
        /// The rule's result, possibly below 1.
        public var output: Int { rounded - (lastWindowPastInput ? 1 : 0) }
        /// Input rows (or columns) at the end that no window reads: those after the last window,
        /// in + P_before − ((out − 1)·S + D·(K − 1) + 1). Without `ceil` that is span mod S − P_after.
        public var unread: Int {
            guard output >= 1 else { return 0 }
            if !ceil { return span >= 0 ? max(0, span % stride - after) : 0 }
            // The last window starts before in + P_before, so (out − 1)·S fits; the gap is below S.
            let end = (output - 1) * stride + dilation * (kernel - 1) + 1
            return max(0, input + before - end)
        }

        /// The formula with this axis's numbers, for messages.
        public var formula: String {
            let numerator = "(\(input) + \(before) + \(after) − \(dilation)·(\(kernel) − 1) − 1) / \(stride)"
            guard ceil else { return "⌊\(numerator)⌋ + 1 = \(output)" }
            guard lastWindowPastInput else { return "⌈\(numerator)⌉ + 1 = \(output)" }
            return "⌈\(numerator)⌉ + 1 − 1 = \(output) (with ceil, a last window starting at or past \(input) + \(before) is dropped)"
        }
    }

    public func axes(input: Shape) -> [Axis] {
        [Axis(name: "height", input: input.height, before: padding.top, after: padding.bottom,
              kernel: size.height, dilation: dilation.height, stride: stride.height, ceil: ceil),
         Axis(name: "width", input: input.width, before: padding.left, after: padding.right,
              kernel: size.width, dilation: dilation.width, stride: stride.width, ceil: ceil)]
    }
}
