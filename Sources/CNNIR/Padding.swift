/// Padding as the user wrote it. The analysis resolves it to four explicit sides
/// once it knows the input size and kernel (`same` depends on both).
public enum Padding: Hashable, Sendable {
    /// Explicit zero padding on each side.
    case explicit(top: Int, bottom: Int, left: Int, right: Int)
    /// No padding: `pad: valid`, the same as `pad: 0`.
    case valid
    /// Output = ⌈input / stride⌉. When the total padding is odd the extra row and column go at
    /// the bottom and right (TensorFlow's convention; ONNX `SAME_UPPER`).
    case same
    /// D·(K − 1) on every side: every partial overlap of kernel and input produces an output.
    case full

    public static func uniform(_ p: Int) -> Padding { .explicit(top: p, bottom: p, left: p, right: p) }
    public static let zero = Padding.uniform(0)
}

/// Padding resolved to pixels on each side.
public struct ResolvedPadding: Hashable, Sendable, CustomStringConvertible {
    public var top: Int, bottom: Int, left: Int, right: Int

    public init(top: Int, bottom: Int, left: Int, right: Int) {
        self.top = top
        self.bottom = bottom
        self.left = left
        self.right = right
    }

    public var isSymmetric: Bool { top == bottom && left == right && top == left }
    public var description: String {
        isSymmetric ? "\(top)" : "[\(top), \(bottom), \(left), \(right)]"
    }
}
