/// `hardswish`: y = x·min(max(x + 3, 0), 6)/6 (MobileNetV3; PyTorch's Hardswish);
/// dy/dx = 0 for x < −3, (2x + 3)/6 for −3 ≤ x ≤ 3, 1 for x > 3. The kinks take the middle piece, as
/// PyTorch's hardswish_backward (`x < -3 ? 0 : x <= 3 ? x/3 + 0.5 : 1`): −0.5 at x = −3, 1.5 at x = 3.
struct Hardswish: ElementwiseFunction {
    func value(_ x: Float) -> Float { x * min(max(x + 3, 0), 6) / 6 }
    func derivative(_ x: Float, _ y: Float) -> Float { x < -3 ? 0 : x <= 3 ? (2 * x + 3) / 6 : 1 }
}
