import CNNAnalysis
import CNNData
import CNNSpec
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

    /// A colour image gives the probabilities evaluation gives it: `pixels` are channels first, as a Dataset's,
    /// and reach the model's channels-last input the same way.
    @Test func colourImagesReachTheModelAsInEvaluation() throws {
        let network = try SpecParser.parse("""
            input: [3, 4, 5]
            layers:
              - conv: {filters: 2, size: 3}
              - relu
              - dense: {units: 3}
            """, file: "colour.yaml")[0]
        let model = Model(try NetworkAnalysis(network), batchCapacity: 1, threads: 1)
        model.parameters.initialize(seed: 3)
        let pixels = (0..<60).map { Float(($0 * 37) % 61) / 61 }
        let data = Dataset(channels: 3, height: 4, width: 5, pixels: pixels, labels: [0])
        let evaluated = try #require(Evaluation.run([model], on: data, threads: 1, keepOutputs: true).probabilities)
        let predicted = try Prediction.probabilities(model, pixels: pixels, weights: "w", image: "photo.png")
        #expect(zip(evaluated, predicted).allSatisfy { abs($0 - $1) < 1e-6 }, "\(evaluated) vs \(predicted)")
    }
}
