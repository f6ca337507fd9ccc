import Testing
@testable import CNNRuntime

/// Batch statistics when the mean dwarfs the spread: the one-pass E[x²] − μ² loses every digit of the
/// variance in float32 (1000² has 7 digits; a spread of 0.01 lives in the 10th), two passes keep them.
struct BatchNormStatisticsTests {
    @Test func varianceSurvivesALargeMean() throws {
        // One channel over a 1×32 map: 1000 + 0.01·(k − 15.5), exactly representable steps around 1000.
        let inputs = (0..<32).map { Float(1000) + Float(k: $0) }
        let (output, _) = try ActivationProbe.run("batchnorm", on: inputs)
        // Reference in Double: x̂ = (x − μ)/√(σ² + ε) with the biased σ².
        let values = inputs.map(Double.init)
        let mean = values.reduce(0, +) / Double(values.count)
        let variance = values.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(values.count)
        let expected = values.map { ($0 - mean) / (variance + 1e-5).squareRoot() }
        for (k, (a, e)) in zip(output, expected).enumerated() {
            // Float's own rounding of 1000 + step is 6e-5 of the step: the normalised values agree to 1e-3.
            #expect(abs(Double(a) - e) <= 1e-3 * max(1, abs(e)), "x̂[\(k)]: \(a) vs \(e)")
        }
    }
}

private extension Float {
    init(k: Int) { self = 0.01 * (Float(k) - 15.5) }
}
