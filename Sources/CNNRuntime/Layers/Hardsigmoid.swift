import CNNAnalysis
import CNNKernels
#if canImport(Glibc)
import Glibc
#endif

/// `hardsigmoid`: y = min(max(x + 3, 0), 6)/6 (MobileNetV3; PyTorch's Hardsigmoid);
/// dy/dx = 1/6 for −3 < x < 3, else 0. The kinks x = ±3 take 0, as PyTorch's hardsigmoid_backward
/// (`-3 < x && x < 3 ? 1/6 : 0`).
/// Input, output and their gradients are `[N, H, W, C]` of `facts.input`'s size; element-wise, so the
/// layout does not matter.
public final class Hardsigmoid: RuntimeLayer {
    public let facts: LayerAnalysis

    init(_ facts: LayerAnalysis) { self.facts = facts }

    public func forward(input: UnsafePointer<Float>, output: UnsafeMutablePointer<Float>, batch: Int, context: StepContext) {
        let size = facts.input.count
        Parallel.forEachChunk(count: batch, chunks: context.threads) { _, images in
            for k in (images.lowerBound * size)..<(images.upperBound * size) {
                let x = input[k]
                output[k] = min(max(x + 3, 0), 6) / 6
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
                inputGradient[k] = outputGradient[k] * (x > -3 && x < 3 ? 1 / 6 : 0)
            }
        }
    }
}
