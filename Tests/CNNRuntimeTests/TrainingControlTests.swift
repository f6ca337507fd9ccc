import CNNAnalysis
import CNNData
import CNNIR
import CNNSpec
import CNNTestSupport
import Foundation
import Testing
@testable import CNNRuntime

/// Warm-up, plateau and one-cycle schedules, validation loss, the choice of "best" and early stopping.
struct TrainingControlTests {
    func config(_ train: String) throws -> TrainingConfig {
        try #require(try SpecParser.parse("input: [1, 6, 6]\nlayers: [flatten, dense: {units: 2}]\ntrain: " + train + "\n", file: "c.yaml")[0].training)
    }

    func metrics(_ epoch: Int, trainLoss: Double = 1, validationLoss: Double? = nil, validationAccuracy: Double? = nil,
                 testAccuracy: Double = 0.5) -> EpochMetrics {
        EpochMetrics(epoch: epoch, learningRate: 0, trainLoss: trainLoss, trainAccuracy: 0, validationAccuracy: validationAccuracy,
                     validationLoss: validationLoss, testLoss: 0, testAccuracy: testAccuracy, seconds: 0, imagesPerSecond: 0)
    }

    @Test func warmupRisesLinearlyStepByStepThenFollowsTheSchedule() throws {
        let plan = LearningRatePlan(try config("{optimizer: {name: sgd, lr: 0.1}, warmup: 0.5, epochs: 4}"), stepsPerEpoch: 10)
        #expect(abs(plan.rate(epoch: 0, step: 0, history: []) - 0.1 / 5) < 1e-15)
        #expect(abs(plan.rate(epoch: 0, step: 3, history: []) - 0.1 * 4 / 5) < 1e-15)
        #expect(plan.rate(epoch: 0, step: 4, history: []) == 0.1)
        #expect(plan.rate(epoch: 2, step: 0, history: []) == 0.1)
        // Before a cosine schedule: the warm-up scales the cosine's rate.
        let cosine = LearningRatePlan(try config("{optimizer: {name: sgd, lr: 0.1}, warmup: 1, epochs: 4, schedule: cosine}"), stepsPerEpoch: 4)
        #expect(abs(cosine.rate(epoch: 0, step: 1, history: []) - 0.1 * 2 / 4) < 1e-15)
        #expect(abs(cosine.rate(epoch: 2, step: 0, history: []) - 0.05) < 1e-15)
    }

    /// PyTorch 1.13's OneCycleLR(max_lr=0.1, total_steps=20, pct_start=0.3, cycle_momentum=False) read before each step:
    /// the phases end at step 5 (0.3·20 − 1) and 19, from 0.1/25 to 0.1 to 0.1/25/1e4, each a half cosine.
    @Test func oneCycleFollowsPyTorchsFormula() throws {
        let plan = LearningRatePlan(try config("{optimizer: {name: sgd, lr: 0.1}, schedule: onecycle, epochs: 2}"), stepsPerEpoch: 10)
        let initial = 0.1 / 25, minimum = initial / 1e4
        func anneal(_ a: Double, _ b: Double, _ pct: Double) -> Double { b + (a - b) / 2 * (cos(Double.pi * pct) + 1) }
        for step in 0..<20 {
            let expected = step <= 5 ? anneal(initial, 0.1, Double(step) / 5) : anneal(0.1, minimum, Double(step - 5) / 14)
            #expect(abs(plan.rate(epoch: step / 10, step: step % 10, history: []) - expected) < 1e-15, "step \(step)")
        }
        #expect(abs(plan.rate(epoch: 0, step: 0, history: []) - 0.004) < 1e-15)
        #expect(abs(plan.rate(epoch: 0, step: 5, history: []) - 0.1) < 1e-15)
        #expect(abs(plan.rate(epoch: 1, step: 9, history: []) - minimum) < 1e-15)
    }

    /// ReduceLROnPlateau(factor 0.5, patience 1, threshold 0.01, relative) stepped with 1.0, 0.9, 0.895, 0.894, 0.893, 0.5, 0.6, 0.7:
    /// 0.895 and 0.894 do not beat 0.9 by 1%, so the second of them halves the rate; 0.893 is the first bad epoch after it,
    /// 0.5 improves, 0.6 and 0.7 halve it again.
    @Test func plateauReplaysPyTorchsRule() throws {
        let plan = LearningRatePlan(try config("{optimizer: {name: sgd, lr: 1}, schedule: {name: plateau, factor: 0.5, patience: 1, threshold: 0.01}, epochs: 20}"),
                                    stepsPerEpoch: 3)
        let losses = [1.0, 0.9, 0.895, 0.894, 0.893, 0.5, 0.6, 0.7]
        let history = losses.enumerated().map { metrics($0.offset + 1, trainLoss: 9, validationLoss: $0.element) }
        let rates = (0...losses.count).map { plan.rate(epoch: $0, step: 2, history: history) }
        #expect(rates == [1, 1, 1, 1, 0.5, 0.5, 0.5, 0.5, 0.25])
        // Without a validation split the training loss is watched.
        let trainOnly = losses.enumerated().map { metrics($0.offset + 1, trainLoss: $0.element) }
        #expect(plan.rate(epoch: 8, step: 0, history: trainOnly) == 0.25)
    }

    @Test func bestAndEarlyStoppingFollowTheMetric() throws {
        let byLoss = ModelSelection(try config("{validation: 0.1, early_stop: {metric: val_loss, patience: 2, min_delta: 0.01}}"))
        let history = [0.5, 0.4, 0.395, 0.3, 0.299, 0.298].enumerated().map {
            metrics($0.offset + 1, validationLoss: $0.element, validationAccuracy: 0.9, testAccuracy: Double($0.offset) / 10)
        }
        // As Keras: an epoch is better only by more than min_delta, so epoch 4 (0.3) stays best over 0.299 and 0.298.
        #expect(byLoss.best(history)?.epoch == 4)
        #expect(!byLoss.shouldStop(Array(history.prefix(4))))
        // 0.395 is within min_delta of 0.4, but 0.3 improves; 0.299 and 0.298 are within it: two epochs without improvement.
        #expect(byLoss.shouldStop(history))
        #expect(byLoss.criterion(hasValidation: true) == .validationLoss)
        let plain = ModelSelection(try config("{epochs: 3}"))
        #expect(plain.best(history)?.epoch == 1) // validation accuracy 0.9 throughout: the first of equals
        #expect(!plain.shouldStop(history))
        #expect(plain.criterion(hasValidation: false) == .testAccuracy)
    }

    @Test func earlyStopNeedsAValidationSplitAndOneCycleNoWarmup() throws {
        #expect(throws: SpecError.self) { try config("{early_stop: {patience: 3}}") }
        #expect(throws: SpecError.self) { try config("{schedule: onecycle, warmup: 1}") }
        let stop = try #require(try config("{validation: 0.2, early_stop: {metric: val_accuracy}}").earlyStop)
        #expect(stop == EarlyStop(metric: .validationAccuracy, patience: 5, minDelta: 0))
    }

    /// A run with a validation split records its loss, stops when it stops improving, and stays stopped on resume.
    @Test func earlyStoppingEndsTheRunAndAResumeKeepsItEnded() throws {
        let spec = TrainingTests.spec.replacingOccurrences(
            of: "train: {epochs: 4,", with: "train: {epochs: 40, validation: 0.25, early_stop: {metric: val_loss, patience: 1, min_delta: 0.5},")
        let network = try SpecParser.parse(spec, file: "stop.yaml")[0]
        let config = try #require(network.training)
        func trainer(_ directory: String) throws -> Trainer {
            let model = Model(try NetworkAnalysis(network), batchCapacity: config.batch, threads: 2)
            model.parameters.initialize(seed: config.seed)
            let (train, validation) = try TrainingTests.data(count: 60, seed: 1).split(validation: config.validation, seed: config.seed)
            return try Trainer(model: model, config: config, train: train, validation: validation, test: TrainingTests.data(count: 20, seed: 2),
                               directory: directory)
        }
        let directory = Scratch.directory("early-stop")
        let first = try trainer(directory)
        #expect(try first.run(threads: 2))
        #expect(first.stoppedEarly && first.history.count < 40)
        #expect(first.history.allSatisfy { $0.validationLoss != nil })
        let resumed = try trainer(directory)
        try resumed.resume()
        #expect(try resumed.run(threads: 2))
        #expect(resumed.stoppedEarly && resumed.history.count == first.history.count)
    }
}
