import CNNAnalysis

/// `identity`: y = x; dy/dx = 1 (PyTorch's Identity), a placeholder that keeps a spec's shape while a
/// layer is switched off. It copies rather than aliases, so every layer keeps buffers of its own.
/// Input, output and their gradients are `[N, H, W, C]` of `facts.input`'s size.
public final class Identity: RuntimeLayer {
    public let facts: LayerAnalysis

    init(_ facts: LayerAnalysis) { self.facts = facts }

    public func forward(input: UnsafePointer<Float>, output: UnsafeMutablePointer<Float>, batch: Int, context: StepContext) {
        output.update(from: input, count: batch * facts.input.count)
    }

    public func backward(input: UnsafePointer<Float>, output: UnsafePointer<Float>, outputGradient: UnsafePointer<Float>,
                         inputGradient: UnsafeMutablePointer<Float>?, batch: Int, context: StepContext) {
        guard let inputGradient else { return }
        inputGradient.update(from: outputGradient, count: batch * facts.input.count)
    }
}
