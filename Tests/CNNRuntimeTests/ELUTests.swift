import CNNIR
import CNNSpec
import Foundation
import Testing

/// elu on known values against PyTorch's definition in Double: x if x > 0 else alpha·(eˣ − 1), gradient
/// 1 where x > 0 and alpha·eˣ elsewhere (alpha at x = 0, as elu_backward).
struct ELUTests {
    @Test func defaultAlphaIsOne() throws {
        let network = try SpecParser.parse("input: [1, 1, 1]\nlayers:\n  - elu\n", file: "elu.yaml")[0]
        #expect(network.layers[0].kind == .elu(alpha: 1))
    }

    @Test(arguments: [1.0, 0.5])
    func matchesTheDefinition(alpha: Double) throws {
        let x = ActivationProbe.inputs
        let (y, dx) = try ActivationProbe.run("elu: {alpha: \(alpha)}", on: x)
        ActivationProbe.expectClose(y, x.map { $0 > 0 ? Double($0) : alpha * (exp(Double($0)) - 1) }, "y")
        ActivationProbe.expectClose(dx, x.map { 2 * ($0 > 0 ? 1 : alpha * exp(Double($0))) }, "dx")
    }
}
