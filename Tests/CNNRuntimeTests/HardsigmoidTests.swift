import CNNIR
import CNNSpec
import Foundation
import Testing

/// hardsigmoid on known values against PyTorch's definition in Double: min(max(x + 3, 0), 6)/6; gradient
/// 1/6 strictly inside (−3, 3), 0 elsewhere (x = ±3 included, as hardsigmoid_backward).
struct HardsigmoidTests {
    @Test func matchesTheDefinition() throws {
        let x = ActivationProbe.inputs
        let (y, dx) = try ActivationProbe.run("hardsigmoid", on: x)
        ActivationProbe.expectClose(y, x.map { min(max(Double($0) + 3, 0), 6) / 6 }, "y")
        ActivationProbe.expectClose(dx, x.map { 2 * ($0 > -3 && $0 < 3 ? 1.0 / 6 : 0) }, "dx")
    }
}
