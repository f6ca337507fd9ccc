import Testing
@testable import CNNRuntime

/// One image at a time: probabilities that sum to 1, or an error when the outputs are not finite.
struct PredictionTests {
    @Test func predictionWithNonFiniteOutputsIsAnError() throws {
        let model = try EvaluationTests.model()
        let pixels = [Float](repeating: 0.5, count: 36)
        let probabilities = try Prediction.probabilities(model, pixels: pixels, weights: "w", image: "digit.png")
        #expect(probabilities.count == 2 && abs(probabilities.reduce(0, +) - 1) < 1e-6)
        let path = try EvaluationTests.hugeWeights(model)
        #expect {
            try Prediction.probabilities(model, pixels: pixels, invert: true, weights: path, image: "digit.png")
        } throws: { error in
            guard case .nonFiniteOutputs(path, "digit.png", let value) = error as? EvaluationError else { return false }
            return !value.isFinite
        }
    }

    @Test func topKIsMostProbableFirstTiesInLabelOrder() {
        let probabilities: [Float] = [0.1, 0.4, 0.1, 0.3, 0.1]
        #expect(Prediction.top(probabilities, k: 3) == [Prediction.Ranked(index: 1, probability: 0.4),
                                                        Prediction.Ranked(index: 3, probability: 0.3),
                                                        Prediction.Ranked(index: 0, probability: 0.1)])
        #expect(Prediction.top(probabilities, k: 9).map(\.index) == [1, 3, 0, 2, 4])
        #expect(Prediction.top(probabilities, k: 0).isEmpty)
    }
}
