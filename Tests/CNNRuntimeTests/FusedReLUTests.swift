import CNNAnalysis
import CNNSpec
import Testing
@testable import CNNRuntime

/// A relu right after a conv or a batchnorm runs inside that layer (`LayerStack`); an `identity` between the two keeps
/// them apart. Fused and apart give the same outputs, parameter gradients and input gradients, bit for bit, in training
/// and in inference, and the fusion happens only where a relu follows.
struct FusedReLUTests {
    struct Pass: Equatable {
        var output: [Float], parameterGradients: [Float], inputGradient: [Float], runningStatistics: [Float]
    }

    /// conv → `middle` → `activation` → conv, batch 3 of random 3×6×6 inputs, an upstream gradient of random signs;
    /// batchnorm's γ = `gamma` (8 sends many relu6 inputs above 6).
    func run(_ middle: String, activation: String = "relu", gamma: Float = 1, training: Bool) throws -> (pass: Pass, model: Model) {
        let yaml = """
            input: [3, 6, 6]
            layers:
              - conv: {filters: 8, size: 3, pad: 1}
              - batchnorm
            \(middle)
              - \(activation)
              - conv: {filters: 9, size: 3}
            """
        let network = try SpecParser.parse(yaml, file: "fused.yaml")[0]
        let model = Model(try NetworkAnalysis(network), batchCapacity: 3, threads: 2)
        model.parameters.initialize(seed: 3)
        for entry in model.parameters.entries where entry.spec.role == .scale {
            for k in 0..<entry.count { model.parameters.values[entry.offset + k] = gamma }
        }
        var state: UInt64 = 12345
        func next() -> Float { // xorshift: the same numbers for both networks
            state ^= state << 13; state ^= state >> 7; state ^= state << 17
            return Float(state % 2001) / 1000 - 1
        }
        let inputCount = 3 * 3 * 6 * 6, outputCount = 3 * 9 * 4 * 4
        for k in 0..<inputCount { model.input[k] = next() }
        let context = StepContext(training: training, threads: 2, seed: 1, step: 0)
        model.parameters.zeroGradients()
        model.forward(batch: 3, context: context)
        let output = (0..<outputCount).map { model.output[$0] }
        for k in 0..<outputCount { model.outputGradient[k] = next() }
        var inputGradient = [Float](repeating: 0, count: inputCount)
        inputGradient.withUnsafeMutableBufferPointer { model.backward(batch: 3, context: context, inputGradient: $0.baseAddress!) }
        let statistics = model.parameters.entries.filter { !$0.spec.isTrainable }.flatMap { model.parameters.tensor($0) }
        return (Pass(output: output, parameterGradients: Array(model.parameters.gradients), inputGradient: inputGradient,
                     runningStatistics: statistics), model)
    }

    @Test(arguments: [true, false])
    func batchnormWithItsReLUEqualsTheTwoApart(training: Bool) throws {
        let (fused, model) = try run("", training: training)
        let (apart, separate) = try run("  - identity", training: training)
        #expect((model.layers[1] as? BatchNormLayer)?.fusedActivation == .relu)
        #expect((model.layers[2] as? ReLU)?.fusedIntoPrevious == true)
        #expect((separate.layers[1] as? BatchNormLayer).map { $0.fusedActivation == .none } == true)
        #expect((separate.layers[3] as? ReLU)?.fusedIntoPrevious == false)
        #expect(fused.output.contains { $0 != 0 } && fused.inputGradient.contains { $0 != 0 })
        #expect(fused == apart)
    }

    /// relu6 fuses as relu does, clamping at 6 in the batchnorm's epilogue and masking outside (0, 6) in its backward.
    @Test(arguments: [true, false])
    func batchnormWithItsReLU6EqualsTheTwoApart(training: Bool) throws {
        let (fused, model) = try run("", activation: "relu6", gamma: 8, training: training)
        let (apart, separate) = try run("  - identity", activation: "relu6", gamma: 8, training: training)
        #expect((model.layers[1] as? BatchNormLayer)?.fusedActivation == .relu6)
        #expect((model.layers[2] as? ReLU)?.fusedIntoPrevious == true)
        #expect((separate.layers[3] as? ReLU)?.fusedIntoPrevious == false)
        // Some activations were clamped at 6: the fused buffer (the batchnorm's output) holds them.
        let clamped = UnsafeBufferPointer(start: model.stack.outputs[1].baseAddress!, count: 3 * 8 * 6 * 6)
        #expect(clamped.contains(6) && clamped.contains(0) && clamped.contains { $0 > 0 && $0 < 6 })
        #expect(fused == apart)
    }

    /// A relu after a residual block runs in the block's sum, and masks dL/dy before the branches get it.
    @Test(arguments: [true, false])
    func residualWithItsReLUEqualsTheTwoApart(training: Bool) throws {
        let block = "  - residual:\n      layers:\n        - conv: {filters: 8, size: 3, pad: 1}\n        - batchnorm\n"
        let (fused, model) = try run(block, training: training)
        let (apart, separate) = try run(block + "  - identity\n", training: training)
        #expect((model.layers[2] as? ResidualBlock)?.fusedActivation == .relu)
        #expect((model.layers[3] as? ReLU)?.fusedIntoPrevious == true)
        #expect((separate.layers[2] as? ResidualBlock).map { $0.fusedActivation == .none } == true)
        #expect(fused.output.contains { $0 != 0 } && fused.inputGradient.contains { $0 != 0 })
        #expect(fused == apart)
    }
}
