import CNNAnalysis
import CNNSpec
import Foundation
import Testing
@testable import CNNRuntime

/// squeeze_excite against PyTorch (torch 1.13, float64): for x [1, 3, 2, 2], squeeze 2 and the weights below,
///
///     s = gate(conv2d(act(conv2d(adaptive_avg_pool2d(x, 1), w1, b1)), w2, b2)); y = x * s; (y * g).sum().backward()
///
/// with (act, gate) = (relu, sigmoid) and (silu, hardsigmoid). The numbers were printed by that script and are
/// pasted here in (C, H, W) order; the relu case has one negative hidden unit, so half its gradients are 0.
struct SqueezeExciteTests {
    static let x: [Double] = [0.5, -1.0, 2.0, 0.25, -0.75, 1.5, 0.0, -2.0, 1.25, 0.5, -0.5, 3.0]
    static let w1: [Float] = [0.5, -0.25, 1.0, -1.0, 0.75, 0.5], b1: [Float] = [0.1, -0.2]
    static let w2: [Float] = [1.5, -0.5, -2.0, 1.0, 0.25, 2.5], b2: [Float] = [0.3, -0.1, 0.0]
    static let g: [Double] = [1.0, -0.5, 0.25, 2.0, -1.5, 0.75, 1.0, -0.25, 0.5, 1.0, -2.0, 0.5]

    struct Expected {
        var y: [Double], dx: [Double], dw1: [Double], db1: [Double], dw2: [Double], db2: [Double]
    }

    static let reluSigmoid = Expected(
        y: [0.46168574733999623, -0.9233714946799925, 1.846742989359985, 0.23084287366999812, -0.03493947202280722, 0.06987894404561444,
            0.0, -0.09317192539415259, 0.7377655769630957, 0.2951062307852383, -0.2951062307852383, 1.7706373847114296],
        dx: [0.9467678071179807, -0.438289434902008, 0.25423918610798635, 1.870139301797973, -0.08157710026460856, 0.023241315803813105,
             0.03488780647808218, -0.02334464689326319, 0.34189885566121475, 0.637005086446453, -1.1336322982649767, 0.34189885566121475],
        dw1: [0.0818870935329588, -0.05849078109497057, 0.19886865572289994, 0, 0, 0], db1: [0.18717049950390582, 0],
        dw2: [0.20652076055602747, 0, 0.1782527392654042, 0, 1.279505141641119, 0],
        db2: [0.14151315498485822, 0.122143204635823, 0.8767487051930579])

    static let siluHardsigmoid = Expected(
        y: [0.42892317867607516, -0.8578463573521503, 1.7156927147043006, 0.21446158933803758, -0.04875433464077911, 0.09750866928155821,
            0.0, -0.13001155904207762, 0.6129352626903705, 0.2451741050761482, -0.2451741050761482, 1.4710446304568892],
        dx: [0.6735006085820722, -0.6132689274461532, 0.030115840567959462, 1.5313469659342225, 0.0321615614655974, 0.17842456538793472,
             0.19467601026819442, 0.11341878586689591, 0.25145617115715746, 0.49663027623330563, -0.9744143542235836, 0.25145617115715746],
        dw1: [-0.12024713162564177, 0.08589080830402983, -0.29202874823370145, 0.26248149453481584, -0.18748678181058273, 0.6374550581559814],
        db1: [-0.27485058657289546, 0.5999577017938648],
        dw2: [0.3947303335478927, -0.047194465463068797, 0.5427542086283526, -0.06489239001171959, 0.7154487295555556, -0.0855399686518122],
        db2: [0.3333333432674408, 0.4583333469927311, 0.6041666846722364])

    @Test(arguments: [("relu", "sigmoid"), ("silu", "hardsigmoid")])
    func matchesPyTorch(activation: String, gate: String) throws {
        let expected = activation == "relu" ? Self.reluSigmoid : Self.siluHardsigmoid
        let yaml = "input: [3, 2, 2]\nlayers:\n  - squeeze_excite: {squeeze: 2, activation: \(activation), gate: \(gate), name: se}\n"
        let model = Model(try NetworkAnalysis(try SpecParser.parse(yaml)[0]), batchCapacity: 1)
        let store = model.parameters
        // The checkpoint's names, order and PyTorch shapes: the two convs' tensors as if they were layers.
        #expect(store.entries.map(\.name) == ["se_squeeze.weight", "se_squeeze.bias", "se_excite.weight", "se_excite.bias"])
        #expect(store.entries.map(\.spec.shape) == [[2, 3, 1, 1], [2], [3, 2, 1, 1], [3]])
        for (entry, values) in zip(store.entries, [Self.w1, Self.b1, Self.w2, Self.b2]) {
            for (k, v) in values.enumerated() { store.values[entry.offset + k] = v }
        }
        store.markChanged()
        // (C, H, W) index c·4 + p is channels-last index p·3 + c.
        func channelsLast(_ k: Int) -> Int { (k % 4) * 3 + k / 4 }
        for k in 0..<12 { model.input[channelsLast(k)] = Float(Self.x[k]) }
        let context = StepContext(training: true, threads: 1)
        model.forward(batch: 1, context: context)
        ActivationProbe.expectClose((0..<12).map { model.output[channelsLast($0)] }, expected.y, "y")
        for k in 0..<12 { model.outputGradient[channelsLast(k)] = Float(Self.g[k]) }
        store.zeroGradients()
        var dx = [Float](repeating: .nan, count: 12)
        dx.withUnsafeMutableBufferPointer { model.backward(batch: 1, context: context, inputGradient: $0.baseAddress!) }
        ActivationProbe.expectClose((0..<12).map { dx[channelsLast($0)] }, expected.dx, "dx")
        for (entry, (name, values)) in zip(store.entries, [("dw1", expected.dw1), ("db1", expected.db1), ("dw2", expected.dw2), ("db2", expected.db2)]) {
            ActivationProbe.expectClose((0..<entry.count).map { store.gradients[entry.offset + $0] }, values, name)
        }
    }

    @Test func countsAsTheTwoConvs() throws {
        let yaml = "input: [16, 7, 5]\nlayers:\n  - squeeze_excite: {squeeze: 4}\n"
        let layer = try NetworkAnalysis(try SpecParser.parse(yaml)[0]).layers[0]
        #expect(layer.name == "squeeze_excite1")
        #expect(layer.output == layer.input)
        #expect(layer.trainableParameters == 2 * 16 * 4 + 4 + 16)
        #expect(layer.multiplyAdds == 2 * 16 * 4)
        // The gate is global context, not a window: the receptive field stays the input's single pixel.
        #expect(layer.receptiveField.height.size == 1 && layer.receptiveField.width.size == 1)
        // Other operations: the pool's adds and the gate's products over the map, then the activation's and gate's values.
        #expect(layer.otherOperations == 2 * 16 * 7 * 5 + 4 + 16)
    }
}
