import CNNAnalysis

/// `relu`: y = max(x, 0); dy/dx = 1 where y > 0.
public final class ReLU: RuntimeLayer {
    public let facts: LayerAnalysis

    init(_ facts: LayerAnalysis) { self.facts = facts }

    public func forward(input: UnsafePointer<Float>, output: UnsafeMutablePointer<Float>, batch: Int, context: StepContext) {
        for k in 0..<(batch * facts.input.count) { output[k] = max(input[k], 0) }
    }

    public func backward(input: UnsafePointer<Float>, output: UnsafePointer<Float>, outputGradient: UnsafePointer<Float>,
                         inputGradient: UnsafeMutablePointer<Float>?, batch: Int, context: StepContext) {
        guard let inputGradient else { return }
        for k in 0..<(batch * facts.input.count) { inputGradient[k] = output[k] > 0 ? outputGradient[k] : 0 }
    }
}
