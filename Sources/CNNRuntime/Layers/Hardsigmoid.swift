/// `hardsigmoid`: y = min(max(x + 3, 0), 6)/6 (MobileNetV3; PyTorch's Hardsigmoid);
/// dy/dx = 1/6 for −3 < x < 3, else 0. The kinks x = ±3 take 0, as PyTorch's hardsigmoid_backward
/// (`-3 < x && x < 3 ? 1/6 : 0`).
struct Hardsigmoid: ElementwiseFunction {
    func value(_ x: Float) -> Float { min(max(x + 3, 0), 6) / 6 }
    func derivative(_ x: Float, _ y: Float) -> Float { x > -3 && x < 3 ? 1 / 6 : 0 }
}
