import CNNAnalysis
import CNNData
import CNNIR
import CNNSpec
import CNNTestSupport
import Foundation
import Testing
@testable import CNNRuntime

/// Training on tiny synthetic data: it learns, it is reproducible, and resuming changes nothing.
struct TrainingTests {
    static let spec = """
        input: [1, 6, 6]
        layers:
          - conv: {filters: 4, size: 3, pad: 1}
          - relu
          - maxpool: {size: 2}
          - dense: {units: 8}
          - relu
          - dropout: {rate: 0.25}
          - dense: {units: 2}
        train: {epochs: 4, batch: 8, optimizer: {name: adam, lr: 0.01}, seed: 3, augment: {shift: 1}}
        """

    /// Class 0: bright left half; class 1: bright right half; plus noise.
    static func data(count: Int, seed: UInt64) -> Dataset {
        var g = SeededGenerator(seed: seed)
        var pixels: [Float] = [], labels: [Int32] = []
        for i in 0..<count {
            let label = Int32(i % 2)
            for _ in 0..<6 { for x in 0..<6 { pixels.append(((x < 3) == (label == 0) ? 0.8 : 0.1) + g.nextUnitFloat() * 0.2) } }
            labels.append(label)
        }
        return Dataset(channels: 1, height: 6, width: 6, pixels: pixels, labels: labels)
    }

    func makeTrainer(directory: String, epochs: Int? = nil, labelSmoothing: Double = 0) throws -> Trainer {
        let network = try SpecParser.parse(Self.spec, file: "tiny.yaml")[0]
        var config = try #require(network.training)
        if let epochs { config.epochs = epochs }
        config.labelSmoothing = labelSmoothing
        let model = Model(try NetworkAnalysis(network), batchCapacity: config.batch, threads: 2)
        model.parameters.initialize(seed: config.seed)
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        return try Trainer(model: model, config: config, train: Self.data(count: 60, seed: 1), validation: nil,
                           test: Self.data(count: 40, seed: 2), directory: directory)
    }

    func temporaryDirectory(_ name: String) -> String {
        Scratch.path("train-\(name)")
    }

    @Test func learnsASeparableProblem() throws {
        let trainer = try makeTrainer(directory: temporaryDirectory("learn"))
        #expect(try trainer.run(threads: 2))
        let evaluation = Evaluation.run([trainer.model], on: Self.data(count: 40, seed: 2), threads: 2)
        #expect(evaluation.accuracy >= 0.95)
        #expect(evaluation.confusion.flatMap { $0 }.reduce(0, +) == 40)
    }

    @Test func labelSmoothingReachesTheTrainingLoss() throws {
        // With ε = 0.2 over 2 classes the targets are (0.9, 0.1): the smoothed loss cannot fall below their entropy,
        // 0.325, however well the network fits; the plain run's loss falls below it on this separable problem.
        let entropy = -(0.9 * log(0.9) + 0.1 * log(0.1))
        let plain = try makeTrainer(directory: temporaryDirectory("plain"))
        #expect(try plain.run(threads: 2))
        let smoothed = try makeTrainer(directory: temporaryDirectory("smoothed"), labelSmoothing: 0.2)
        #expect(try smoothed.run(threads: 2))
        #expect(try #require(plain.history.last).trainLoss < entropy)
        #expect(smoothed.history.allSatisfy { $0.trainLoss >= entropy })
        // The test loss stays the plain cross-entropy: below the entropy once the network fits.
        #expect(try #require(smoothed.history.last).testLoss < entropy)
    }

    @Test func sameSeedGivesTheSameWeightsBitForBit() throws {
        let a = try makeTrainer(directory: temporaryDirectory("a")), b = try makeTrainer(directory: temporaryDirectory("b"))
        _ = try a.run(threads: 2)
        _ = try b.run(threads: 2)
        #expect(Array(a.model.parameters.values) == Array(b.model.parameters.values))
    }

    @Test func stoppingAndResumingEqualsAnUninterruptedRun() throws {
        let whole = try makeTrainer(directory: temporaryDirectory("whole"))
        _ = try whole.run(threads: 2)

        let directory = temporaryDirectory("resumed")
        let first = try makeTrainer(directory: directory)
        var steps = 0
        first.observer = nil
        first.shouldStop = { steps += 1; return steps > 13 } // stop mid-epoch 2 (8 steps per epoch)
        #expect(try first.run(threads: 2) == false)
        #expect(first.position.epoch == 1 && first.position.step == 5)

        let second = try makeTrainer(directory: directory)
        try second.resume()
        #expect(second.position == first.position)
        #expect(second.history == first.history)
        #expect(try second.run(threads: 2))
        #expect(Array(second.model.parameters.values) == Array(whole.model.parameters.values))
        // The epoch stopped in the middle reports the whole epoch's training loss, as the uninterrupted run does.
        #expect(second.history.map(\.trainLoss) == whole.history.map(\.trainLoss))
        #expect(second.history.map(\.testAccuracy) == whole.history.map(\.testAccuracy))
    }

    @Test func resumeReadsOneFileAndRewritesLast() throws {
        let directory = temporaryDirectory("commit")
        let first = try makeTrainer(directory: directory, epochs: 2)
        _ = try first.run(threads: 2)
        // A kill between the write of last.safetensors and the resume point leaves last one epoch ahead;
        // here last is damaged outright: the resume point alone decides.
        try Data([0, 1, 2]).write(to: URL(fileURLWithPath: first.lastPath))
        let second = try makeTrainer(directory: directory, epochs: 2)
        try second.resume()
        #expect(Array(second.model.parameters.values) == Array(first.model.parameters.values))
        #expect(second.history.count == 2)
        let copy = try makeTrainer(directory: directory)
        try Checkpoint.load(copy.model.parameters, from: first.lastPath)
        #expect(Array(copy.model.parameters.values) == Array(first.model.parameters.values))
    }

    @Test func aRunKilledBeforeItsFirstResumePointStartsOver() throws {
        let directory = temporaryDirectory("unstarted")
        let trainer = try makeTrainer(directory: directory)
        try trainer.resume()
        #expect(trainer.position == TrainingPosition())
        // With metrics written, a resume point existed: its loss is an error, not a silent restart.
        try Data("epoch\n1\n".utf8).write(to: URL(fileURLWithPath: directory + "/metrics.csv"))
        do {
            try trainer.resume()
            Issue.record("resumed without its resume point")
        } catch {
            guard case .checkpoint(.missing(trainer.resumePath)) = error else { Issue.record("got \(error)"); return }
        }
    }

    @Test func aResumePointOfAnotherNetworkOrDamagedIsRefused() throws {
        let directory = temporaryDirectory("othernet")
        let trainer = try makeTrainer(directory: directory, epochs: 1)
        _ = try trainer.run(threads: 2)
        // Another network's resume point, whole and valid: refused by name.
        let other = ResumePoint(network: "other", position: trainer.position, optimizerSteps: trainer.optimizer.steps,
                                history: trainer.history, weights: [:], optimizerState: trainer.optimizer.state)
        try other.encode(parameters: trainer.model.parameters).write(to: URL(fileURLWithPath: trainer.resumePath))
        do {
            try trainer.resume()
            Issue.record("resumed another network's run")
        } catch {
            guard case .checkpoint(.mismatch) = error else { Issue.record("got \(error)"); return }
        }
        // A resume point whose metadata lacks the position and history.
        let header = Safetensors.encode([Safetensors.Tensor(name: "weights/x", shape: [1], values: [1])],
                                        metadata: ["format": "cnnc-resume-1", "network": "tiny"])
        try header.write(to: URL(fileURLWithPath: trainer.resumePath))
        #expect(throws: TrainingError.self) { try trainer.resume() }
    }

    @Test func checkpointsRoundTripThroughSafetensors() throws {
        let directory = temporaryDirectory("ckpt")
        let trainer = try makeTrainer(directory: directory, epochs: 1)
        _ = try trainer.run(threads: 2)
        let copy = try makeTrainer(directory: directory)
        try Checkpoint.load(copy.model.parameters, from: trainer.bestPath)
        #expect(Array(copy.model.parameters.values) == Array(trainer.model.parameters.values))
        let (tensors, metadata) = try Checkpoint.read(trainer.lastPath)
        #expect(tensors["conv1.weight"]?.shape == [4, 1, 3, 3])
        #expect(tensors["dense1.weight"]?.shape == [8, 36])
        #expect(tensors["dense2.bias"]?.shape == [2])
        #expect(metadata["epoch"] == "1")
        #expect(metadata[ClassNames.metadataKey] == nil)
    }

    @Test func classNamesTravelInEveryCheckpoint() throws {
        let trainer = try makeTrainer(directory: temporaryDirectory("names"), epochs: 1)
        trainer.classNames = ["left", "right \"half\""]
        _ = try trainer.run(threads: 2)
        for path in [trainer.lastPath, trainer.bestPath] {
            let metadata = try Checkpoint.read(path).metadata
            #expect(metadata[ClassNames.metadataKey] == #"["left","right \"half\""]"#)
            #expect(ClassNames.decode(metadata: metadata) == ["left", "right \"half\""])
        }
    }

    @Test func corruptAndMismatchedCheckpointsAreErrors() throws {
        let directory = temporaryDirectory("bad")
        let trainer = try makeTrainer(directory: directory, epochs: 1)
        try Data([1, 2, 3]).write(to: URL(fileURLWithPath: directory + "/garbage.safetensors"))
        #expect(throws: CheckpointError.self) { try Checkpoint.load(trainer.model.parameters, from: directory + "/garbage.safetensors") }
        #expect(throws: CheckpointError.missing(path: directory + "/none.safetensors")) {
            try Checkpoint.load(trainer.model.parameters, from: directory + "/none.safetensors")
        }
        let other = Safetensors.encode([Safetensors.Tensor(name: "conv1.weight", shape: [1], values: [0])])
        try other.write(to: URL(fileURLWithPath: directory + "/other.safetensors"))
        #expect(throws: CheckpointError.self) { try Checkpoint.load(trainer.model.parameters, from: directory + "/other.safetensors") }
    }

    @Test func nonFiniteLossStopsWithEpochAndStep() throws {
        let directory = temporaryDirectory("nan")
        let trainer = try makeTrainer(directory: directory, epochs: 1)
        trainer.model.parameters.values[0] = .nan
        #expect(throws: TrainingError.self) { try trainer.run(threads: 2) }
        do { _ = try trainer.run(threads: 2) } catch {
            guard case .nonFinite(1, 1, _, nil) = error else { Issue.record("got \(error)"); return }
            #expect(error.message.contains("no checkpoint had been written yet"))
        }
    }
}

/// The update rules against hand-computed first steps.
struct OptimizerTests {
    func store(_ value: Float, gradient: Float) throws -> (ParameterStore, Model) {
        let network = try SpecParser.parse("input: [1, 1, 1]\nlayers:\n  - dense: {units: 1, bias: false}\n", file: "o.yaml")[0]
        let model = Model(try NetworkAnalysis(network), batchCapacity: 1)
        model.parameters.values[0] = value
        model.parameters.gradients[0] = gradient
        return (model.parameters, model)
    }

    // w = 1, g = 0.5, lr = 0.1:
    //   sgd, momentum (v = g):           1 − 0.1·0.5 = 0.95
    //   nesterov (w −= lr·(g + μ·v)):    1 − 0.1·(0.5 + 0.45) = 0.905
    //   adagrad (s = g²):                1 − 0.1·0.5/0.5 = 0.9
    //   rmsprop (s = 0.01·g²):           1 − 0.1·0.5/0.05 = 0
    //   adam (m̂/√v̂ = sign g):            1 − 0.1 = 0.9
    static let firstSteps: [(OptimizerConfig.Kind, Float)] = [
        (.sgd, 0.95), (.momentum, 0.95), (.nesterov, 0.905), (.adagrad, 0.9), (.rmsprop, 0), (.adam, 0.9),
    ]

    @Test(arguments: firstSteps)
    func firstStep(kind: OptimizerConfig.Kind, expected: Float) throws {
        var config = OptimizerConfig()
        config.kind = kind
        config.learningRate = 0.1
        let (parameters, model) = try store(1, gradient: 0.5)
        Optimizer(config, parameters: parameters).step(parameters, learningRate: 0.1)
        #expect(abs(parameters.values[0] - expected) < 1e-5, "\(kind): \(parameters.values[0])")
        _ = model
    }

    /// Five Adam steps against PyTorch's formula in Double: m, v with β = 0.9, 0.999, and
    /// w −= lr/(1 − β₁ᵗ) · m / (√v / √(1 − β₂ᵗ) + ε). Float rounding allows ~1e-7 of the movement; a
    /// (1 − β₂) rounded differently from the bias correction makes every step 6.7e-6 too long.
    @Test func adamFollowsPyTorchsFormulaOverSeveralSteps() throws {
        var config = OptimizerConfig()
        config.kind = .adam
        let (parameters, model) = try store(0, gradient: 0)
        let optimizer = Optimizer(config, parameters: parameters)
        var w = 0.0, m = 0.0, v = 0.0
        for (t, g) in [0.5, -0.3, 0.8, 0.1, -0.2].enumerated() {
            parameters.gradients[0] = Float(g)
            optimizer.step(parameters, learningRate: 0.01)
            m = 0.9 * m + (1 - 0.9) * g
            v = 0.999 * v + (1 - 0.999) * g * g
            let c1 = 1 - pow(0.9, Double(t + 1)), c2 = 1 - pow(0.999, Double(t + 1))
            w -= 0.01 / c1 * m / (v.squareRoot() / c2.squareRoot() + 1e-8)
        }
        #expect(abs(Double(parameters.values[0]) - w) <= 1e-6 * abs(w), "cnnc \(parameters.values[0]), PyTorch's formula \(w)")
        _ = model
    }

    /// The step splits each tensor's elements over the threads (2^14 and more): three steps of every optimizer on a
    /// 40,000-weight layer give the same bits on 1, 2 and 3 threads.
    @Test(arguments: [OptimizerConfig.Kind.sgd, .momentum, .nesterov, .adagrad, .rmsprop, .adam, .adamw])
    func threadsSplitTheStepWithoutChangingIt(kind: OptimizerConfig.Kind) throws {
        let network = try SpecParser.parse("input: [200, 1, 1]\nlayers:\n  - dense: {units: 200}\n", file: "o.yaml")[0]
        var config = OptimizerConfig()
        config.kind = kind
        config.weightDecay = 0.01
        var results: [[Float]] = []
        for threads in [1, 2, 3] {
            let model = Model(try NetworkAnalysis(network), batchCapacity: 1)
            let parameters = model.parameters
            #expect(parameters.count > 1 << 15)
            var random = SeededGenerator(seed: 5)
            for i in 0..<parameters.count { parameters.values[i] = random.nextUnitFloat() - 0.5 }
            let optimizer = Optimizer(config, parameters: parameters)
            for _ in 0..<3 {
                for i in 0..<parameters.count { parameters.gradients[i] = random.nextUnitFloat() - 0.5 }
                optimizer.step(parameters, learningRate: 0.01, threads: threads)
            }
            results.append(Array(parameters.values))
        }
        #expect(results[0] == results[1] && results[0] == results[2], "\(kind)")
    }

    @Test func weightDecayAddsToTheGradient() throws {
        var config = OptimizerConfig()
        config.kind = .sgd
        config.weightDecay = 0.1
        let (parameters, model) = try store(2, gradient: 0)
        Optimizer(config, parameters: parameters).step(parameters, learningRate: 1)
        #expect(parameters.values[0] == 2 - 0.2)
        _ = model
    }

    @Test func schedules() {
        #expect(Schedule.step(stepSize: 2, gamma: 0.5).learningRate(base: 1, epoch: 5, epochs: 10) == 0.25)
        #expect(Schedule.exponential(gamma: 0.9).learningRate(base: 1, epoch: 2, epochs: 10) == 0.9 * 0.9)
        #expect(Schedule.cosine(minLearningRate: 0).learningRate(base: 1, epoch: 5, epochs: 10) < 0.5 + 1e-12)
        #expect(Schedule.constant.learningRate(base: 0.3, epoch: 7, epochs: 10) == 0.3)
    }

    @Test func softmaxCrossEntropyGradientMatchesFiniteDifferences() {
        // dL/dz against central differences of L in Double, ε = 1e-3; tolerance 1e-4 absolute.
        var logits: [Float] = [0.3, -1.2, 2.0, 0.1, -0.4, 1.1, 0.9, -2.0]
        let labels: [Int32] = [2, 0]
        var gradient = [Float](repeating: 0, count: 8)
        gradient.withUnsafeMutableBufferPointer { g in
            _ = SoftmaxCrossEntropy.evaluate(logits: logits, labels: labels, batch: 2, classes: 4, gradient: g.baseAddress!)
        }
        for k in 0..<8 {
            let saved = logits[k]
            logits[k] = saved + 1e-3
            let plus = SoftmaxCrossEntropy.evaluate(logits: logits, labels: labels, batch: 2, classes: 4).loss
            logits[k] = saved - 1e-3
            let minus = SoftmaxCrossEntropy.evaluate(logits: logits, labels: labels, batch: 2, classes: 4).loss
            logits[k] = saved
            let numeric = (plus - minus) / 2e-3
            #expect(abs(numeric - Double(gradient[k])) < 1e-4, "logit \(k): analytic \(gradient[k]), numeric \(numeric)")
        }
    }

    @Test func labelSmoothingGivesPyTorchsLossAndGradient() {
        // torch 1.13, float64: F.cross_entropy(z, [2, 1], label_smoothing=0.1) and its gradient.
        let logits: [Float] = [0.5, -1.25, 2.0, 0.75, 3.0, 1.0, -2.0, 0.0]
        let labels: [Int32] = [2, 1]
        let expectedLoss = 1.4063717106153084
        let expectedGradient = [0.059551420649992415, 2.0659497556016482e-05, -0.13958793557059868, 0.08001585542305024,
                                0.407012253731266, -0.4057251903200494, -0.009673348668891836, 0.008386285257675229]
        var gradient = [Float](repeating: 0, count: 8)
        let result = gradient.withUnsafeMutableBufferPointer { g in
            SoftmaxCrossEntropy.evaluate(logits: logits, labels: labels, batch: 2, classes: 4, labelSmoothing: 0.1, gradient: g.baseAddress!)
        }
        #expect(abs(result.loss - expectedLoss) < 1e-6, "loss \(result.loss)")
        #expect(result.correct == 1)
        for k in 0..<8 {
            #expect(abs(Double(gradient[k]) - expectedGradient[k]) < 1e-6, "logit \(k): \(gradient[k]) vs \(expectedGradient[k])")
        }
        // Without smoothing the same call is the plain cross-entropy.
        let plain = SoftmaxCrossEntropy.evaluate(logits: logits, labels: labels, batch: 2, classes: 4, labelSmoothing: 0).loss
        #expect(abs(plain - SoftmaxCrossEntropy.evaluate(logits: logits, labels: labels, batch: 2, classes: 4).loss) == 0)
    }

    @Test func softmaxIsStableForHugeLogits() {
        let logits: [Float] = [1000, 0, -1000, 999]
        let labels: [Int32] = [0]
        var gradient = [Float](repeating: 0, count: 4)
        let result = gradient.withUnsafeMutableBufferPointer { g in
            SoftmaxCrossEntropy.evaluate(logits: logits, labels: labels, batch: 1, classes: 4, gradient: g.baseAddress!)
        }
        #expect(result.loss.isFinite && abs(result.loss - log(1 + exp(-1.0))) < 1e-5)
        #expect(gradient.allSatisfy { $0.isFinite })
        #expect(abs(gradient.reduce(0, +)) < 1e-6)
    }
}
