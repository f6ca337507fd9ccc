import CKernels

/// The activation a layer applies in its own output pass when a `relu` or `relu6` follows it (`LayerStack` fuses the
/// two): the kernels apply it in their epilogue, before the store, and the layer's backward pass masks its gradient
/// with `mask`. NaN stays NaN, as in the separate layers. Raw values are `CKernels/activation.h`'s.
public enum FusedActivation: Int32, Sendable {
    case none = 0
    /// max(y, 0).
    case relu = 1
    /// min(max(y, 0), 6).
    case relu6 = 2

    /// The activation's backward pass from its output, in place: gradient[k] = 0 where output[k] ≤ 0 (relu), or
    /// outside (0, 6) (relu6: PyTorch's hardtanh passes the gradient only strictly inside).
    public func mask(output: UnsafePointer<Float>, gradient: UnsafeMutablePointer<Float>, count: Int) {
        switch self {
        case .none: return
        case .relu: cnnc_relu_mask(output, gradient, Int32(count))
        case .relu6: cnnc_relu6_mask(output, gradient, Int32(count))
        }
    }

    /// Applies the activation to `count` values in place (the GEMM path's epilogue).
    public func apply(_ y: UnsafeMutablePointer<Float>, count: Int) {
        if self == .none { return }
        cnnc_add_activate(y, nil, y, count, rawValue)
    }

    /// y = activation(x) in one pass over the two (a standalone `relu` or `relu6` layer; `.none` copies).
    public func apply(_ x: UnsafePointer<Float>, into y: UnsafeMutablePointer<Float>, count: Int) {
        cnnc_add_activate(x, nil, y, count, rawValue)
    }

    /// y = activation(a + b) in one pass over the three (a residual block's add; y may be a or b).
    public func add(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, into y: UnsafeMutablePointer<Float>, count: Int) {
        cnnc_add_activate(a, b, y, count, rawValue)
    }
}
