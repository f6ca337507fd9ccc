import CNNAnalysis
import CNNKernels
#if canImport(Glibc)
import Glibc
#endif

/// `elu`: y = x if x > 0, else alpha·(eˣ − 1) (Clevert et al. 2015; PyTorch's ELU);
/// dy/dx = 1 where x > 0, else alpha·eˣ. At x = 0 the gradient is alpha, as PyTorch's elu_backward
/// (`x <= 0 ? alpha·eˣ : 1`).
/// Input, output and their gradients are `[N, H, W, C]` of `facts.input`'s size; element-wise, so the
/// layout does not matter.
public final class ELU: RuntimeLayer {
    public let facts: LayerAnalysis
    /// Negative inputs saturate to −alpha.
    public let alpha: Float

    init(_ facts: LayerAnalysis, alpha: Float) {
        self.facts = facts
        self.alpha = alpha
    }

    public func forward(input: UnsafePointer<Float>, output: UnsafeMutablePointer<Float>, batch: Int, context: StepContext) {
        let size = facts.input.count
        Parallel.forEachChunk(count: batch, chunks: context.threads) { _, images in
            for k in (images.lowerBound * size)..<(images.upperBound * size) {
                let x = input[k]
                output[k] = x > 0 ? x : alpha * (expf(x) - 1)
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
                inputGradient[k] = outputGradient[k] * (x > 0 ? 1 : alpha * expf(x))
            }
        }
    }
}
