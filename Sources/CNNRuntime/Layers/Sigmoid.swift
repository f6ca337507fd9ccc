import CNNAnalysis
#if canImport(Glibc)
import Glibc
#endif

/// `sigmoid`: y = 1 / (1 + e^−x); dy/dx = y·(1 − y).
public final class Sigmoid: RuntimeLayer {
    public let facts: LayerAnalysis

    init(_ facts: LayerAnalysis) { self.facts = facts }

    public func forward(input: UnsafePointer<Float>, output: UnsafeMutablePointer<Float>, batch: Int, context: StepContext) {
        for k in 0..<(batch * facts.input.count) { output[k] = 1 / (1 + expf(-input[k])) }
    }

    public func backward(input: UnsafePointer<Float>, output: UnsafePointer<Float>, outputGradient: UnsafePointer<Float>,
                         inputGradient: UnsafeMutablePointer<Float>?, batch: Int, context: StepContext) {
        guard let inputGradient else { return }
        for k in 0..<(batch * facts.input.count) { inputGradient[k] = outputGradient[k] * output[k] * (1 - output[k]) }
    }
}
