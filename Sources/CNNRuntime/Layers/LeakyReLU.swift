/// `leaky_relu`: y = x if x ≥ 0, else slope·x (PyTorch's LeakyReLU); dy/dx = 1 where x > 0, else slope.
/// At the kink x = 0 the gradient is slope, as PyTorch's leaky_relu_backward (`x > 0 ? 1 : slope`).
struct LeakyReLU: ElementwiseFunction {
    /// The slope for negative inputs (PyTorch's negative_slope).
    let slope: Float

    func value(_ x: Float) -> Float { x > 0 ? x : slope * x }
    func derivative(_ x: Float, _ y: Float) -> Float { x > 0 ? 1 : slope }
}
