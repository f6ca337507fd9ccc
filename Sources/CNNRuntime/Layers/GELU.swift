#if canImport(Glibc)
import Glibc
#endif

/// `gelu`: y = x·Φ(x) = 0.5·x·(1 + erf(x/√2)), the exact GELU (Hendrycks and Gimpel 2016;
/// PyTorch's GELU with approximate='none'); dy/dx = Φ(x) + x·φ(x), φ(x) = e^(−x²/2)/√(2π).
struct GELU: ElementwiseFunction {
    static let invSqrt2 = Float(0.5.squareRoot())
    static let invSqrt2Pi = Float(1 / (2 * Double.pi).squareRoot())

    func value(_ x: Float) -> Float { 0.5 * x * (1 + erff(x * GELU.invSqrt2)) }

    func derivative(_ x: Float, _ y: Float) -> Float {
        let cdf = 0.5 * (1 + erff(x * GELU.invSqrt2))
        return cdf + x * expf(-0.5 * x * x) * GELU.invSqrt2Pi
    }
}
