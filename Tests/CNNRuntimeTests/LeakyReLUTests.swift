import CNNIR
import CNNSpec
import Foundation
import Testing

/// leaky_relu on known values against PyTorch's definition in Double: x if x ≥ 0 else slope·x, gradient
/// 1 where x > 0 and slope elsewhere (x = 0 included, as leaky_relu_backward).
struct LeakyReLUTests {
    @Test func defaultSlopeIsPyTorchs() throws {
        let network = try SpecParser.parse("input: [1, 1, 1]\nlayers:\n  - leaky_relu\n", file: "leaky.yaml")[0]
        #expect(network.layers[0].kind == .leakyReLU(slope: 0.01))
        #expect(network.layers[0].name == "leaky_relu1")
    }

    @Test(arguments: [0.01, 0.2])
    func matchesTheDefinition(slope: Double) throws {
        let x = ActivationProbe.inputs
        let (y, dx) = try ActivationProbe.run("leaky_relu: {slope: \(slope)}", on: x)
        ActivationProbe.expectClose(y, x.map { Double($0) >= 0 ? Double($0) : slope * Double($0) }, "y")
        ActivationProbe.expectClose(dx, x.map { 2 * ($0 > 0 ? 1 : slope) }, "dx")
    }
}
