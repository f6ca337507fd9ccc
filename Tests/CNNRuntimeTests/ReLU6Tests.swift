import CNNAnalysis
import CNNSpec
import Testing
@testable import CNNRuntime

/// relu6 on known values: clipped to [0, 6], gradient 1 strictly inside, 0 outside (PyTorch's ReLU6,
/// whose hardtanh backward passes the gradient only where min < x < max).
struct ReLU6Tests {
    @Test func clipsToZeroAndSixAndPassesTheGradientInside() throws {
        let network = try SpecParser.parse("input: [1, 1, 6]\nlayers:\n  - relu6\n", file: "relu6.yaml")[0]
        let model = Model(try NetworkAnalysis(network), batchCapacity: 1)
        let input: [Float] = [-1, 0, 0.5, 5.99, 6, 6.5]
        for (k, value) in input.enumerated() { model.input[k] = value }
        let context = StepContext(training: true, threads: 1, seed: 1, step: 0)
        model.forward(batch: 1, context: context)
        #expect((0..<6).map { model.output[$0] } == [0, 0, 0.5, 5.99, 6, 6])
        for k in 0..<6 { model.outputGradient[k] = 2 }
        var inputGradient = [Float](repeating: -1, count: 6)
        inputGradient.withUnsafeMutableBufferPointer { model.backward(batch: 1, context: context, inputGradient: $0.baseAddress!) }
        #expect(inputGradient == [0, 0, 2, 2, 0, 0])
    }
}
