import CNNAnalysis
import CNNKernels
#if canImport(Glibc)
import Glibc
#endif

/// `silu`: y = x·σ(x), σ(x) = 1 / (1 + e^−x) (also called swish; PyTorch's SiLU);
/// dy/dx = σ(x)·(1 + x·(1 − σ(x))).
/// Input, output and their gradients are `[N, H, W, C]` of `facts.input`'s size; element-wise, so the
/// layout does not matter.
public final class SiLU: RuntimeLayer {
    public let facts: LayerAnalysis

    init(_ facts: LayerAnalysis) { self.facts = facts }

    public func forward(input: UnsafePointer<Float>, output: UnsafeMutablePointer<Float>, batch: Int, context: StepContext) {
        let size = facts.input.count
        Parallel.forEachChunk(count: batch, chunks: context.threads) { _, images in
            for k in (images.lowerBound * size)..<(images.upperBound * size) {
                let x = input[k]
                output[k] = x / (1 + expf(-x))
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
                let s = 1 / (1 + expf(-x))
                inputGradient[k] = outputGradient[k] * s * (1 + x * (1 - s))
            }
        }
    }
}
