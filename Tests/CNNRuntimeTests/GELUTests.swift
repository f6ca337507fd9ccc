import CNNIR
import CNNSpec
import Foundation
import Testing

/// gelu on known values against PyTorch's exact definition in Double: 0.5·x·(1 + erf(x/√2)), gradient
/// Φ(x) + x·e^(−x²/2)/√(2π).
struct GELUTests {
    @Test func matchesTheDefinition() throws {
        let x = ActivationProbe.inputs
        let (y, dx) = try ActivationProbe.run("gelu", on: x)
        let cdf = x.map { 0.5 * (1 + erf(Double($0) / 2.0.squareRoot())) }
        ActivationProbe.expectClose(y, zip(x, cdf).map { Double($0) * $1 }, "y")
        ActivationProbe.expectClose(dx, zip(x, cdf).map { 2 * ($1 + Double($0) * exp(-Double($0) * Double($0) / 2) / (2 * Double.pi).squareRoot()) }, "dx")
    }
}
