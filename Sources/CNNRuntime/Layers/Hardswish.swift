import CNNAnalysis
import CNNKernels
#if canImport(Glibc)
import Glibc
#endif

/// `hardswish`: y = x·min(max(x + 3, 0), 6)/6 (MobileNetV3; PyTorch's Hardswish);
/// dy/dx = 0 for x < −3, (2x + 3)/6 for −3 ≤ x ≤ 3, 1 for x > 3. The kinks take the middle piece, as
/// PyTorch's hardswish_backward (`x < -3 ? 0 : x <= 3 ? x/3 + 0.5 : 1`): −0.5 at x = −3, 1.5 at x = 3.
/// Input, output and their gradients are `[N, H, W, C]` of `facts.input`'s size; element-wise, so the
/// layout does not matter.
public final class Hardswish: RuntimeLayer {
    public let facts: LayerAnalysis

    init(_ facts: LayerAnalysis) { self.facts = facts }

    public func forward(input: UnsafePointer<Float>, output: UnsafeMutablePointer<Float>, batch: Int, context: StepContext) {
        let size = facts.input.count
        Parallel.forEachChunk(count: batch, chunks: context.threads) { _, images in
            for k in (images.lowerBound * size)..<(images.upperBound * size) {
                let x = input[k]
                output[k] = x * min(max(x + 3, 0), 6) / 6
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
                inputGradient[k] = outputGradient[k] * (x < -3 ? 0 : x <= 3 ? (2 * x + 3) / 6 : 1)
            }
        }
    }
}
