#if canImport(Glibc)
import Glibc
#endif

/// `silu`: y = x·σ(x), σ(x) = 1 / (1 + e^−x) (also called swish; PyTorch's SiLU);
/// dy/dx = σ(x)·(1 + x·(1 − σ(x))).
struct SiLU: ElementwiseFunction {
    func value(_ x: Float) -> Float { x / (1 + expf(-x)) }

    func derivative(_ x: Float, _ y: Float) -> Float {
        let s = 1 / (1 + expf(-x))
        return s * (1 + x * (1 - s))
    }
}
