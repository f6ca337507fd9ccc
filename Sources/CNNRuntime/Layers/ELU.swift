#if canImport(Glibc)
import Glibc
#endif

/// `elu`: y = x if x > 0, else alpha·(eˣ − 1) (Clevert et al. 2015; PyTorch's ELU);
/// dy/dx = 1 where x > 0, else alpha·eˣ. At x = 0 the gradient is alpha, as PyTorch's elu_backward
/// (`x <= 0 ? alpha·eˣ : 1`).
struct ELU: ElementwiseFunction {
    /// Negative inputs saturate to −alpha.
    let alpha: Float

    func value(_ x: Float) -> Float { x > 0 ? x : alpha * (expf(x) - 1) }
    func derivative(_ x: Float, _ y: Float) -> Float { x > 0 ? 1 : alpha * expf(x) }
}
