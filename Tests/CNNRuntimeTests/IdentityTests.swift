import CNNIR
import CNNSpec
import Foundation
import Testing

/// identity passes values and gradients through unchanged.
struct IdentityTests {
    @Test func passesValuesAndGradients() throws {
        let x = ActivationProbe.inputs
        let (y, dx) = try ActivationProbe.run("identity", on: x)
        #expect(y == x)
        #expect(dx == [Float](repeating: 2, count: x.count))
    }
}
