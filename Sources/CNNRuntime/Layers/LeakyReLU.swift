import CNNAnalysis
import CNNKernels
#if canImport(Glibc)
import Glibc
#endif

/// `leaky_relu`: y = x if x ≥ 0, else slope·x (PyTorch's LeakyReLU); dy/dx = 1 where x > 0, else slope.
/// At the kink x = 0 the gradient is slope, as PyTorch's leaky_relu_backward (`x > 0 ? 1 : slope`).
/// Input, output and their gradients are `[N, H, W, C]` of `facts.input`'s size; element-wise, so the
/// layout does not matter.
public final class LeakyReLU: RuntimeLayer {
    public let facts: LayerAnalysis
    /// Multiplies negative inputs (PyTorch's negative_slope).
    public let slope: Float

    init(_ facts: LayerAnalysis, slope: Float) {
        self.facts = facts
        self.slope = slope
    }

    public func forward(input: UnsafePointer<Float>, output: UnsafeMutablePointer<Float>, batch: Int, context: StepContext) {
        let size = facts.input.count
        Parallel.forEachChunk(count: batch, chunks: context.threads) { _, images in
            for k in (images.lowerBound * size)..<(images.upperBound * size) {
                let x = input[k]
                output[k] = x > 0 ? x : slope * x
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
                inputGradient[k] = outputGradient[k] * (x > 0 ? 1 : slope)
            }
        }
    }
}
