import CNNAnalysis
import CNNSpec
import Foundation
import Testing
@testable import CNNRuntime

/// Runs a one-layer network `[1, 1, count]` (initialised: a batchnorm's γ is 1, β 0) on known inputs and returns its output and, for an upstream
/// gradient of 2 everywhere, its input gradient: the known-values tests of the element-wise activations.
enum ActivationProbe {
    static func run(_ layer: String, on input: [Float]) throws -> (output: [Float], inputGradient: [Float]) {
        let network = try SpecParser.parse("input: [1, 1, \(input.count)]\nlayers:\n  - \(layer)\n", file: "activation.yaml")[0]
        let model = Model(try NetworkAnalysis(network), batchCapacity: 1)
        model.parameters.initialize(seed: 1) // batchnorm: γ = 1, β = 0
        for (k, value) in input.enumerated() { model.input[k] = value }
        let context = StepContext(training: true, threads: 1, seed: 1, step: 0)
        model.forward(batch: 1, context: context)
        let output = (0..<input.count).map { model.output[$0] }
        for k in 0..<input.count { model.outputGradient[k] = 2 }
        var inputGradient = [Float](repeating: -1, count: input.count)
        inputGradient.withUnsafeMutableBufferPointer { model.backward(batch: 1, context: context, inputGradient: $0.baseAddress!) }
        return (output, inputGradient)
    }

    /// Expects `actual` within 1e-6·max(1, |expected|) of the Double reference, element by element.
    static func expectClose(_ actual: [Float], _ expected: [Double], _ what: String,
                            sourceLocation: Testing.SourceLocation = #_sourceLocation) {
        #expect(actual.count == expected.count, sourceLocation: sourceLocation)
        for (k, (a, e)) in zip(actual, expected).enumerated() {
            #expect(abs(Double(a) - e) <= 1e-6 * max(1, abs(e)), "\(what)[\(k)]: \(a) vs \(e)", sourceLocation: sourceLocation)
        }
    }

    /// Inputs exactly representable in Float, over every piece of the activations (kinks at 0 and ±3).
    static let inputs: [Float] = [-5, -3, -2.5, -1, -0.25, 0, 0.375, 1, 2.75, 3, 4.5]
}
