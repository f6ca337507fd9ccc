import CNNAnalysis
import CNNData
import CNNIR
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

    @Test func topKIsMostProbableFirstTiesInLabelOrder() {
        let probabilities: [Float] = [0.1, 0.4, 0.1, 0.3, 0.1]
        #expect(Prediction.top(probabilities, k: 3) == [Prediction.Ranked(index: 1, probability: 0.4),
                                                        Prediction.Ranked(index: 3, probability: 0.3),
                                                        Prediction.Ranked(index: 0, probability: 0.1)])
        #expect(Prediction.top(probabilities, k: 9).map(\.index) == [1, 3, 0, 2, 4])
        #expect(Prediction.top(probabilities, k: 0).isEmpty)
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

    /// With the checkpoint's normalisation the model sees (x − mean) / std: the same probabilities as a
    /// model without it fed the normalised pixels, and eval (Batches) agrees with predict.
    @Test func predictionAppliesTheModelsNormalisation() throws {
        let model = try EvaluationTests.model()
        let pixels = (0..<36).map { Float($0 % 7) / 7 }
        let n = Normalization(mean: [0.3], std: [0.2])
        let normalised = pixels.map { ($0 - 0.3) / 0.2 }
        let plain = try Prediction.probabilities(model, pixels: normalised, weights: "w", image: "a.png")
        model.normalization = n
        let applied = try Prediction.probabilities(model, pixels: pixels, weights: "w", image: "a.png")
        #expect(applied == plain)
        model.normalization = nil
        #expect(try Prediction.probabilities(model, pixels: pixels, weights: "w", image: "a.png") != applied)
        model.normalization = n
        let data = Dataset(channels: 1, height: 6, width: 6, pixels: pixels, labels: [0])
        let evaluation = Evaluation.run([model], on: data, threads: 1, keepOutputs: true)
        #expect(zip(evaluation.probabilities!, applied).allSatisfy { abs($0 - $1) < 1e-6 })
    }
}
