import CNNAnalysis
import CNNKernels

/// `flatten`: [C, H, W] → [C·H·W, 1, 1] in (C, H, W) order, as PyTorch's `x.flatten(1)`. Buffers are
/// channels-last, so the input `[N, H, W, C]` is transposed to `[N, C, H, W]`, which is the output
/// `[N, 1, 1, C·H·W]`; the gradient goes back the other way. A `dense` layer reads its input in the
/// same order, so `flatten` then `dense` computes what `dense` alone does.
public final class Flatten: RuntimeLayer {
    public let facts: LayerAnalysis

    init(_ facts: LayerAnalysis) { self.facts = facts }

    public func forward(input: UnsafePointer<Float>, output: UnsafeMutablePointer<Float>, batch: Int, context: StepContext) {
        let i = facts.input, count = i.count
        for n in 0..<batch {
            ChannelsLast.toChannelsFirst(input + n * count, output + n * count, channels: i.channels, height: i.height, width: i.width)
        }
    }

    public func backward(input: UnsafePointer<Float>, output: UnsafePointer<Float>, outputGradient: UnsafePointer<Float>,
                         inputGradient: UnsafeMutablePointer<Float>?, batch: Int, context: StepContext) {
        guard let inputGradient else { return }
        let i = facts.input, count = i.count
        for n in 0..<batch {
            ChannelsLast.fromChannelsFirst(outputGradient + n * count, inputGradient + n * count,
                                           channels: i.channels, height: i.height, width: i.width)
        }
    }
}
