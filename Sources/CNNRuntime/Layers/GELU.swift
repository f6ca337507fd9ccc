import CNNAnalysis
import CNNKernels
#if canImport(Glibc)
import Glibc
#endif

/// `gelu`: y = x·Φ(x) = 0.5·x·(1 + erf(x/√2)), the exact GELU (Hendrycks and Gimpel 2016;
/// PyTorch's GELU with approximate='none'); dy/dx = Φ(x) + x·φ(x), φ(x) = e^(−x²/2)/√(2π).
/// Input, output and their gradients are `[N, H, W, C]` of `facts.input`'s size; element-wise, so the
/// layout does not matter.
public final class GELU: RuntimeLayer {
    public let facts: LayerAnalysis
    static let invSqrt2 = Float(0.5.squareRoot())
    static let invSqrt2Pi = Float(1 / (2 * Double.pi).squareRoot())

    init(_ facts: LayerAnalysis) { self.facts = facts }

    public func forward(input: UnsafePointer<Float>, output: UnsafeMutablePointer<Float>, batch: Int, context: StepContext) {
        let size = facts.input.count
        Parallel.forEachChunk(count: batch, chunks: context.threads) { _, images in
            for k in (images.lowerBound * size)..<(images.upperBound * size) {
                let x = input[k]
                output[k] = 0.5 * x * (1 + erff(x * GELU.invSqrt2))
            }
        }
    }

    public func backward(input: UnsafePointer<Float>, output: UnsafePointer<Float>, outputGradient: UnsafePointer<Float>,
                         inputGradient: UnsafeMutablePointer<Float>?, batch: Int, context: StepContext) {
        guard let inputGradient else { return }
        let size = facts.input.count
        Parallel.forEachChunk(count: batch, chunks: context.threads) { _, images in
            for k in (images.lowerBound * size)..<(images.upperBound * size) {
                let x = input[k]
                let cdf = 0.5 * (1 + erff(x * GELU.invSqrt2))
                inputGradient[k] = outputGradient[k] * (cdf + x * expf(-0.5 * x * x) * GELU.invSqrt2Pi)
            }
        }
    }
}
