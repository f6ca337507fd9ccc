import CNNIR
import CNNSpec
import Foundation
import Testing

/// silu on known values against PyTorch's definition in Double: x·σ(x), gradient σ(x)·(1 + x·(1 − σ(x))).
struct SiLUTests {
    @Test func matchesTheDefinition() throws {
        let x = ActivationProbe.inputs
        let (y, dx) = try ActivationProbe.run("silu", on: x)
        let sigma = x.map { 1 / (1 + exp(-Double($0))) }
        ActivationProbe.expectClose(y, zip(x, sigma).map { Double($0) * $1 }, "y")
        ActivationProbe.expectClose(dx, zip(x, sigma).map { 2 * $1 * (1 + Double($0) * (1 - $1)) }, "dx")
    }
}
