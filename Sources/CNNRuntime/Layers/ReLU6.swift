/// `relu6`: y = min(max(x, 0), 6) (MobileNetV2); dy/dx = 1 where 0 < y < 6, else 0.
struct ReLU6: ElementwiseFunction {
    func value(_ x: Float) -> Float { min(max(x, 0), 6) }
    func derivative(_ x: Float, _ y: Float) -> Float { y > 0 && y < 6 ? 1 : 0 }
}
