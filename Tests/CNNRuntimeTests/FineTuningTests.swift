import CNNAnalysis
import CNNData
import CNNIR
import CNNSpec
import CNNTestSupport
import Foundation
import Testing
@testable import CNNRuntime

/// `freeze`, `lr_scale`, AdamW and `--init-weights --partial`.
struct FineTuningTests {
    static let spec = """
        input: [1, 6, 6]
        layers:
          - conv: {filters: 4, size: 3, pad: 1, bias: false}
          - batchnorm
          - relu
          - maxpool: {size: 2}
          - dense: {units: 8, name: hidden}
          - relu
          - dense: {units: 2, name: head}
        train: {epochs: 2, batch: 8, optimizer: {name: adam, lr: 0.01}, seed: 3}
        """

    func trainer(_ spec: String, _ sets: [String] = [], directory: String) throws -> Trainer {
        let network = try SpecParser.parse(spec, file: "tune.yaml", overrides: sets.map { try SpecOverride($0) })[0]
        let config = try #require(network.training)
        let model = Model(try NetworkAnalysis(network), batchCapacity: config.batch, threads: 2)
        model.parameters.initialize(seed: config.seed)
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        return try Trainer(model: model, config: config, train: TrainingTests.data(count: 40, seed: 1), validation: nil,
                           test: TrainingTests.data(count: 16, seed: 2), directory: directory)
    }

    func values(_ model: Model, _ name: String) -> [Float] { model.parameters.tensor(model.parameters.entry(named: name)!) }

    @Test func frozenLayersKeepTheirTensorsAndHaveNoOptimizerState() throws {
        let trainer = try trainer(Self.spec, ["train.freeze=[conv1, batchnorm1]"], directory: Scratch.path("freeze"))
        let model = trainer.model
        let before = ["conv1.weight", "batchnorm1.weight", "batchnorm1.bias", "hidden.weight", "head.weight"].map { values(model, $0) }
        let runningBefore = values(model, "batchnorm1.running_mean")
        #expect(try trainer.run(threads: 2))
        #expect(values(model, "conv1.weight") == before[0])
        #expect(values(model, "batchnorm1.weight") == before[1] && values(model, "batchnorm1.bias") == before[2])
        #expect(values(model, "hidden.weight") != before[3] && values(model, "head.weight") != before[4])
        // `freeze: true` keeps batchnorm normalising with batch statistics and updating its running ones (PyTorch's requires_grad = False).
        #expect(values(model, "batchnorm1.running_mean") != runningBefore)
        // Adam's two moments for everything but conv1's 36 weights and batchnorm1's 4 + 4 + 8 values.
        let frozen = 36 + 4 + 4 + 4 + 4
        #expect(trainer.optimizer.state["m"]?.count == model.parameters.count - frozen)
        #expect(model.parameters.frozenCount == 36 + 8)
        // The backward pass ends at the first layer that trains.
        #expect(model.firstUpdatedLayer == 4)
    }

    @Test func frozenStatisticsAreKeptAndUsedInTraining() throws {
        let spec = Self.spec.replacingOccurrences(of: "  - batchnorm\n", with: "  - batchnorm: {freeze: {statistics: true}}\n")
        let trainer = try trainer(spec, directory: Scratch.path("freeze-statistics"))
        let model = trainer.model
        let running = values(model, "batchnorm1.running_mean") + values(model, "batchnorm1.running_var")
        let gamma = values(model, "batchnorm1.weight")
        #expect(try trainer.run(threads: 2))
        #expect(values(model, "batchnorm1.running_mean") + values(model, "batchnorm1.running_var") == running)
        #expect(values(model, "batchnorm1.weight") == gamma)
        // With running statistics, a training-mode forward pass equals inference.
        let data = TrainingTests.data(count: 8, seed: 5)
        Batches.copy(data, indices: Array(0..<8), into: model.input, normalization: nil)
        model.forward(batch: 8, context: StepContext(training: false, threads: 1))
        let inference = Array(UnsafeBufferPointer(start: model.output, count: 16))
        model.forward(batch: 8, context: StepContext(training: true, threads: 1))
        #expect(Array(UnsafeBufferPointer(start: model.output, count: 16)) == inference)
    }

    /// A frozen conv or dense layer after a trained one computes no weight gradient, and passes back the same input
    /// gradient as when it trains: the trained layer's gradient is bit for bit the unfrozen network's.
    @Test func aFrozenLayerAfterATrainedOneComputesOnlyTheInputGradient() throws {
        let text = "input: [2, 6, 6]\nlayers:\n  - conv: {filters: 3, size: 3, pad: 1}\n  - relu\n  - conv: {filters: 4, size: 3, FREEZE}\n"
            + "  - flatten\n  - dense: {units: 5, FREEZE}\n  - dense: {units: 2}\n"
        func gradients(frozen: Bool) throws -> ParameterStore {
            let network = try SpecParser.parse(text.replacingOccurrences(of: "FREEZE", with: "freeze: \(frozen)"), file: "f.yaml")[0]
            let model = Model(try NetworkAnalysis(network), batchCapacity: 4, threads: 2)
            model.parameters.initialize(seed: 9)
            var g = SeededGenerator(seed: 4)
            for i in 0..<(4 * 72) { model.input[i] = g.nextUnitFloat() }
            model.forward(batch: 4, context: StepContext(training: true, threads: 2))
            for i in 0..<8 { model.outputGradient[i] = Float(i % 3) - 1 }
            model.parameters.zeroGradients()
            model.backward(batch: 4, context: StepContext(training: true, threads: 2))
            return model.parameters
        }
        let frozen = try gradients(frozen: true), trained = try gradients(frozen: false)
        func gradient(_ store: ParameterStore, _ name: String) -> [Float] {
            let entry = store.entry(named: name)!
            return Array(store.gradients[entry.offset..<(entry.offset + entry.count)])
        }
        for name in ["conv2.weight", "conv2.bias", "dense1.weight", "dense1.bias"] {
            #expect(gradient(frozen, name).allSatisfy { $0 == 0 }, "\(name)")
            #expect(gradient(trained, name).contains { $0 != 0 }, "\(name)")
        }
        for name in ["conv1.weight", "conv1.bias", "dense2.weight"] { #expect(gradient(frozen, name) == gradient(trained, name), "\(name)") }
    }

    @Test func aFrozenResidualFreezesItsProjection() throws {
        let spec = "input: [2, 4, 4]\nlayers:\n  - residual: {layers: [conv: {filters: 3, size: 3, pad: 1}], freeze: true, name: block}\n"
            + "  - flatten\n  - dense: {units: 2}\n"
        let network = try SpecParser.parse(spec, file: "r.yaml")[0]
        let model = Model(try NetworkAnalysis(network), batchCapacity: 1)
        let frozen = model.parameters.entries.filter(\.frozen).map(\.name)
        #expect(frozen == ["conv1.weight", "conv1.bias", "block_projection.weight", "block_projection.bias"])
    }

    @Test func aLayersLearningRateIsScaled() throws {
        let network = try SpecParser.parse("input: [1, 1, 1]\nlayers:\n  - dense: {units: 1, bias: false, lr_scale: 0.5}\n", file: "s.yaml")[0]
        let model = Model(try NetworkAnalysis(network), batchCapacity: 1)
        model.parameters.values[0] = 1
        model.parameters.gradients[0] = 0.5
        var config = OptimizerConfig()
        config.kind = .sgd
        Optimizer(config, parameters: model.parameters).step(model.parameters, learningRate: 0.1)
        #expect(abs(model.parameters.values[0] - (1 - 0.05 * 0.5)) < 1e-7)
    }

    /// AdamW against PyTorch's `torch.optim.AdamW` formula in Double: w ← w·(1 − lr·λ), then Adam's step on the plain gradient.
    @Test func adamWDecaysOutsideTheMoments() throws {
        let network = try SpecParser.parse("input: [1, 1, 1]\nlayers:\n  - dense: {units: 1, bias: false}\n", file: "w.yaml")[0]
        let model = Model(try NetworkAnalysis(network), batchCapacity: 1)
        var config = OptimizerConfig()
        config.kind = .adamw
        config.weightDecay = 0.01
        model.parameters.values[0] = 2
        let optimizer = Optimizer(config, parameters: model.parameters)
        var w = 2.0, m = 0.0, v = 0.0
        for (t, g) in [0.5, -0.3, 0.8].enumerated() {
            model.parameters.gradients[0] = Float(g)
            optimizer.step(model.parameters, learningRate: 0.1)
            w *= 1 - 0.1 * 0.01
            m = 0.9 * m + 0.1 * g
            v = 0.999 * v + 0.001 * g * g
            let c1 = 1 - pow(0.9, Double(t + 1)), c2 = 1 - pow(0.999, Double(t + 1))
            w -= 0.1 / c1 * m / (v.squareRoot() / c2.squareRoot() + 1e-8)
        }
        #expect(abs(Double(model.parameters.values[0]) - w) <= 1e-6 * abs(w), "cnnc \(model.parameters.values[0]), PyTorch's formula \(w)")
    }

    @Test func partialInitialWeightsLoadWhatFitsAndReportTheRest() throws {
        let folder = Scratch.directory("partial")
        let source = try trainer(Self.spec, directory: folder + "/source")
        try Checkpoint.save(source.model.parameters, to: folder + "/w.safetensors")
        // A new 3-class head, and a layer the checkpoint does not have.
        let target = try trainer(Self.spec, ["layers.head.units=3", "layers.relu2={dense: {units: 8, name: extra}}"], directory: folder + "/target")
        do {
            _ = try InitialWeights.load(target.model.parameters, from: folder + "/w.safetensors", partial: false)
            Issue.record("an inexact checkpoint was loaded without --partial")
        } catch {
            #expect(error.message.contains("--partial") && error.message.contains("head.weight"))
        }
        let report = try InitialWeights.load(target.model.parameters, from: folder + "/w.safetensors", partial: true)
        #expect(report.refused.map(\.name) == ["head.weight", "head.bias"])
        #expect(report.refused.first?.checkpoint == [2, 8] && report.refused.first?.spec == [3, 8])
        #expect(report.leftAtInit == ["extra.weight", "extra.bias"])
        #expect(report.skipped.isEmpty)
        #expect(report.loaded.contains("conv1.weight") && report.loaded.contains("hidden.weight"))
        #expect(values(target.model, "conv1.weight") == values(source.model, "conv1.weight"))
        let exact = try InitialWeights.load(source.model.parameters, from: folder + "/w.safetensors", partial: false)
        #expect(exact.isExact)
    }
}
