import CNNAnalysis

/// `globalavgpool`: each channel's mean over the whole map, `[N, H, W, C]` -> `[N, 1, 1, C]`.
public final class GlobalAvgPool: RuntimeLayer {
    public let facts: LayerAnalysis

    init(_ facts: LayerAnalysis) { self.facts = facts }

    public func forward(input: UnsafePointer<Float>, output: UnsafeMutablePointer<Float>, batch: Int, context: StepContext) {
        let area = facts.input.height * facts.input.width, channels = facts.input.channels
        for n in 0..<batch {
            let x = input + n * area * channels, y = output + n * channels
            y.update(repeating: 0, count: channels)
            for p in 0..<area {
                for c in 0..<channels { y[c] += x[p * channels + c] }
            }
            for c in 0..<channels { y[c] /= Float(area) }
        }
    }

    public func backward(input: UnsafePointer<Float>, output: UnsafePointer<Float>, outputGradient: UnsafePointer<Float>,
                         inputGradient: UnsafeMutablePointer<Float>?, batch: Int, context: StepContext) {
        guard let inputGradient else { return }
        let area = facts.input.height * facts.input.width, channels = facts.input.channels
        for n in 0..<batch {
            let dy = outputGradient + n * channels, dx = inputGradient + n * area * channels
            for p in 0..<area {
                for c in 0..<channels { dx[p * channels + c] = dy[c] / Float(area) }
            }
        }
    }
}
