import CNNAnalysis

/// `globalavgpool`: each channel's mean over the whole map, `[N, C, H, W]` -> `[N, C, 1, 1]`.
public final class GlobalAvgPool: RuntimeLayer {
    public let facts: LayerAnalysis

    init(_ facts: LayerAnalysis) { self.facts = facts }

    public func forward(input: UnsafePointer<Float>, output: UnsafeMutablePointer<Float>, batch: Int, context: StepContext) {
        let area = facts.input.height * facts.input.width
        for plane in 0..<(batch * facts.input.channels) {
            let x = input + plane * area
            var s: Float = 0
            for k in 0..<area { s += x[k] }
            output[plane] = s / Float(area)
        }
    }

    public func backward(input: UnsafePointer<Float>, output: UnsafePointer<Float>, outputGradient: UnsafePointer<Float>,
                         inputGradient: UnsafeMutablePointer<Float>?, batch: Int, context: StepContext) {
        guard let inputGradient else { return }
        let area = facts.input.height * facts.input.width
        for plane in 0..<(batch * facts.input.channels) {
            let share = outputGradient[plane] / Float(area)
            (inputGradient + plane * area).update(repeating: share, count: area)
        }
    }
}
