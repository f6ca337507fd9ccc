import CNNAnalysis
import CNNData
import CNNSpec
import Foundation
import Testing
@testable import CNNRuntime

/// Evaluation and prediction refuse what they cannot report: outputs that are not finite, labels
/// without an output, and images of another size than the network's input.
struct EvaluationTests {
    static let spec = """
        input: [1, 6, 6]
        layers:
          - conv: {filters: 4, size: 3, pad: 1}
          - relu
          - maxpool: {size: 2}
          - dense: {units: 2}
        """

    static func model() throws -> Model {
        let network = try SpecParser.parse(Self.spec, file: "tiny.yaml")[0]
        let model = Model(try NetworkAnalysis(network), batchCapacity: 4, threads: 1)
        model.parameters.initialize(seed: 1)
        return model
    }

    static func data(count: Int, label: (Int) -> Int32 = { Int32($0 % 2) }, side: Int = 6) -> Dataset {
        Dataset(channels: 1, height: side, width: side, pixels: (0..<(count * side * side)).map { Float($0 % 7) / 7 },
                labels: (0..<count).map(label))
    }

    /// Weights of 3e38 are finite (a checkpoint holding them loads) but overflow Float in the first layers.
    static func hugeWeights(_ model: Model) throws -> String {
        let path = CraftedSafetensors.temporaryDirectory("eval") + "/huge.safetensors"
        let tensors = model.parameters.entries.map { Safetensors.Tensor(name: $0.name, shape: $0.spec.shape,
                                                                        values: [Float](repeating: 3e38, count: $0.count)) }
        try Safetensors.encode(tensors).write(to: URL(fileURLWithPath: path))
        try Checkpoint.load(model.parameters, from: path)
        return path
    }

    @Test func finiteWeightsEvaluate() throws {
        let evaluation = try Evaluation.checked([try Self.model()], weights: ["w"], on: Self.data(count: 10), threads: 1)
        #expect(evaluation.count == 10 && evaluation.firstNonFinite == nil)
    }

    @Test func nonFiniteOutputsAreAnError() throws {
        let model = try Self.model()
        let path = try Self.hugeWeights(model)
        do {
            _ = try Evaluation.checked([model], weights: [path], on: Self.data(count: 10), threads: 1)
            Issue.record("NaN outputs were reported as an accuracy")
        } catch {
            guard case .nonFiniteOutputs(let weights, let image, let value) = error else { Issue.record("\(error)"); return }
            #expect(weights == path && image == "test image 0" && !value.isFinite)
            #expect(error.message.hasPrefix("\(path): the network's outputs are not finite with these weights: test image 0 gives "))
            #expect(error.hint != nil)
        }
        // An ensemble names the member whose outputs broke.
        let good = try Self.model()
        #expect(throws: EvaluationError.self) {
            try Evaluation.checked([good, model], weights: ["good", path], on: Self.data(count: 3), threads: 1)
        }
        #expect(Evaluation.run([good, model], on: Self.data(count: 3), threads: 1).firstNonFinite?.model == 1)
    }

    @Test func labelsWithoutAnOutputAreAnError() throws {
        let data = Self.data(count: 6, label: { $0 == 4 ? 2 : 0 })
        #expect(throws: EvaluationError.labelOutOfRange(image: 4, label: 2, classes: 2)) {
            try Evaluation.checked([try Self.model()], weights: ["w"], on: data, threads: 1)
        }
        // Only the evaluated range counts.
        #expect(try Evaluation.checked([try Self.model()], weights: ["w"], on: data, threads: 1, range: 0..<4).count == 4)
        let negative = Self.data(count: 2, label: { _ in -1 })
        #expect(throws: EvaluationError.labelOutOfRange(image: 0, label: -1, classes: 2)) {
            try Evaluation.checked([try Self.model()], weights: ["w"], on: negative, threads: 1)
        }
    }

    @Test func imagesOfAnotherSizeAreAnError() throws {
        #expect(throws: EvaluationError.inputMismatch(data: "1x8x8", network: "1x6x6")) {
            try Evaluation.checked([try Self.model()], weights: ["w"], on: Self.data(count: 3, side: 8), threads: 1)
        }
    }
}
