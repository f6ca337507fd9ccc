import CNNAnalysis
import CNNData

/// `dropout` (inverted): in training each value is kept with probability 1 − rate and scaled by
/// 1 / (1 − rate), so inference is the identity. Each image's mask is drawn from a stream derived from
/// (seed, step, layer, the image's place in the global batch), so a resumed run draws the same masks,
/// and so does a data-parallel run however the batch is split over ranks.
public final class Dropout: RuntimeLayer {
    public let facts: LayerAnalysis
    let rate: Float
    /// 1 / (1 − rate), computed in Double and then rounded, as PyTorch does (5, not 5.0000003, for 0.8).
    let keepScale: Float
    let layerIndex: UInt64
    /// `[N, H, W, C]`: 0 or 1 / (1 − rate) per value of the last training step.
    let mask: UnsafeMutablePointer<Float>

    init(_ facts: LayerAnalysis, rate: Double, layerIndex: Int, batchCapacity: Int) {
        self.facts = facts
        self.rate = Float(rate)
        keepScale = Float(1 / (1 - rate))
        self.layerIndex = UInt64(layerIndex)
        mask = .allocate(capacity: batchCapacity * facts.input.count)
        mask.initialize(repeating: 1, count: batchCapacity * facts.input.count)
    }

    deinit { mask.deallocate() }

    public func forward(input: UnsafePointer<Float>, output: UnsafeMutablePointer<Float>, batch: Int, context: StepContext) {
        let n = batch * facts.input.count
        guard context.training, rate > 0 else {
            output.update(from: input, count: n)
            return
        }
        let keep = keepScale
        let size = facts.input.count
        for image in 0..<batch {
            var generator = SeededGenerator(seed: context.seed, stream: SeededGenerator.streamID(
                0xD0, context.step, layerIndex, UInt64(context.firstExample + image)))
            for k in (image * size)..<((image + 1) * size) {
                mask[k] = generator.nextUnitFloat() < rate ? 0 : keep
                output[k] = input[k] * mask[k]
            }
        }
    }

    public func backward(input: UnsafePointer<Float>, output: UnsafePointer<Float>, outputGradient: UnsafePointer<Float>,
                         inputGradient: UnsafeMutablePointer<Float>?, batch: Int, context: StepContext) {
        guard let inputGradient else { return }
        let n = batch * facts.input.count
        guard context.training, rate > 0 else {
            inputGradient.update(from: outputGradient, count: n)
            return
        }
        for k in 0..<n { inputGradient[k] = outputGradient[k] * mask[k] }
    }
}
