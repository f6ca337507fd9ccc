import CNNAnalysis
#if canImport(Glibc)
import Glibc
#endif

/// `tanh`: y = tanh(x); dy/dx = 1 − y².
public final class Tanh: RuntimeLayer {
    public let facts: LayerAnalysis

    init(_ facts: LayerAnalysis) { self.facts = facts }

    public func forward(input: UnsafePointer<Float>, output: UnsafeMutablePointer<Float>, batch: Int, context: StepContext) {
        for k in 0..<(batch * facts.input.count) { output[k] = tanhf(input[k]) }
    }

    public func backward(input: UnsafePointer<Float>, output: UnsafePointer<Float>, outputGradient: UnsafePointer<Float>,
                         inputGradient: UnsafeMutablePointer<Float>?, batch: Int, context: StepContext) {
        guard let inputGradient else { return }
        for k in 0..<(batch * facts.input.count) { inputGradient[k] = outputGradient[k] * (1 - output[k] * output[k]) }
    }
}
