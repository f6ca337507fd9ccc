import CNNIR
import CNNSpec
import Foundation
import Testing

/// hardswish on known values against PyTorch's definition in Double: x·min(max(x + 3, 0), 6)/6; gradient 0
/// for x < −3, (2x + 3)/6 for −3 ≤ x ≤ 3 (so −0.5 at −3 and 1.5 at 3, as hardswish_backward), 1 above.
struct HardswishTests {
    @Test func matchesTheDefinition() throws {
        let x = ActivationProbe.inputs
        let (y, dx) = try ActivationProbe.run("hardswish", on: x)
        ActivationProbe.expectClose(y, x.map { Double($0) * min(max(Double($0) + 3, 0), 6) / 6 }, "y")
        ActivationProbe.expectClose(dx, x.map { 2 * ($0 < -3 ? 0 : $0 <= 3 ? (2 * Double($0) + 3) / 6 : 1) }, "dx")
        #expect(dx[1] == -1 && dx[9] == 3) // 2 × (−0.5) at x = −3, 2 × 1.5 at x = 3
    }
}
