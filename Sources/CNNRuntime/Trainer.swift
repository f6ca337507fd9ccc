import CNNData
import CNNIR
import Foundation

/// What the trainer reports; the CLI renders it (progress bar, metrics.csv, curves.svg).
public protocol TrainingObserver: AnyObject {
    func trainingStep(_ progress: StepProgress)
    func epochFinished(_ metrics: EpochMetrics)
}

public struct StepProgress: Sendable {
    public var epoch: Int, epochs: Int
    public var step: Int, stepsPerEpoch: Int
    /// Mean training loss of the epoch so far.
    public var loss: Double
    public var imagesPerSecond: Double
}

public struct EpochMetrics: Sendable {
    /// 1-based.
    public var epoch: Int
    public var learningRate: Double
    public var trainLoss: Double
    /// Accuracy on (up to 10,000 of) the training images in inference mode after the epoch.
    public var trainAccuracy: Double
    public var validationAccuracy: Double?
    public var testLoss: Double
    public var testAccuracy: Double
    public var seconds: Double
    public var imagesPerSecond: Double
}

public enum TrainingError: Error, Sendable {
    case nonFinite(epoch: Int, step: Int, loss: Double)
    case labelOutOfRange(label: Int, classes: Int)
    case inputMismatch(data: String, network: String)
    case checkpoint(CheckpointError)

    public var message: String {
        switch self {
        case .nonFinite(let epoch, let step, let loss):
            return "the loss became \(loss) at epoch \(epoch), step \(step); training stopped, the last good checkpoint is kept"
        case .labelOutOfRange(let label, let classes):
            return "the data has label \(label) but the network has \(classes) outputs"
        case .inputMismatch(let data, let network):
            return "the data's images are \(data) but the network's input is \(network)"
        case .checkpoint(let error): return error.message
        }
    }

    public var hint: String? {
        switch self {
        case .nonFinite: return "lower the learning rate (train.optimizer.lr), or add batchnorm; resume from last.safetensors with --resume"
        case .labelOutOfRange: return "make the last dense layer's units equal to the number of classes"
        case .inputMismatch: return "set the spec's input to the data's shape"
        case .checkpoint(let error): return error.hint
        }
    }
}

/// Where a run is: enough to resume it exactly.
public struct TrainingPosition: Sendable, Equatable {
    /// 0-based epoch in progress, and the next step within it.
    public var epoch: Int = 0
    public var step: Int = 0
    public var bestAccuracy: Double = -1

    public init(epoch: Int = 0, step: Int = 0, bestAccuracy: Double = -1) {
        self.epoch = epoch
        self.step = step
        self.bestAccuracy = bestAccuracy
    }
}

/// The training loop: seeded shuffling and augmentation, forward, loss, backward, optimizer step;
/// evaluation and atomic checkpoints after every epoch; a stop request saves and returns.
public final class Trainer {
    public let model: Model
    public let config: TrainingConfig
    public let optimizer: Optimizer
    let train: Dataset, validation: Dataset?, test: Dataset
    let directory: String
    public private(set) var position = TrainingPosition()
    public weak var observer: TrainingObserver?
    /// Checked between steps; when it returns true the trainer saves `last` and returns.
    public var shouldStop: () -> Bool = { false }

    public init(model: Model, config: TrainingConfig, train: Dataset, validation: Dataset?, test: Dataset,
                directory: String) throws(TrainingError) {
        let shape = model.analysis.network.input
        guard train.channels == shape.channels, train.height == shape.height, train.width == shape.width else {
            throw .inputMismatch(data: "\(train.channels)x\(train.height)x\(train.width)", network: shape.description)
        }
        let classes = model.outputCount
        for set in [train, test] {
            if let bad = set.labels.first(where: { Int($0) >= classes || $0 < 0 }) {
                throw .labelOutOfRange(label: Int(bad), classes: classes)
            }
        }
        self.model = model
        self.config = config
        self.train = train
        self.validation = validation
        self.test = test
        self.directory = directory
        optimizer = Optimizer(config.optimizer, parameters: model.parameters)
    }

    public var stepsPerEpoch: Int { (train.count + config.batch - 1) / config.batch }
    public var lastPath: String { directory + "/last.safetensors" }
    public var bestPath: String { directory + "/best.safetensors" }
    public var statePath: String { directory + "/last.state.safetensors" }

    // MARK: - Resume

    /// Loads `last.safetensors` and the optimizer state beside it.
    public func resume() throws(TrainingError) {
        do {
            try Checkpoint.load(model.parameters, from: lastPath)
            let (tensors, metadata) = try Checkpoint.read(statePath)
            var state: [String: [Float]] = [:]
            for (name, tensor) in tensors { state[name] = tensor.values }
            try optimizer.restore(steps: Int(metadata["optimizer_steps"] ?? "") ?? 0, state: state)
            position = TrainingPosition(epoch: Int(metadata["epoch"] ?? "") ?? 0, step: Int(metadata["step"] ?? "") ?? 0,
                                        bestAccuracy: Double(metadata["best_accuracy"] ?? "") ?? -1)
        } catch {
            throw .checkpoint(error)
        }
    }

    // MARK: - The loop

    /// Trains until the configured epochs are done (true) or `shouldStop` asks (false, after saving `last`).
    public func run(threads: Int) throws(TrainingError) -> Bool {
        let classes = model.outputCount
        let augmenter = config.augment.isEnabled ? Augmenter(maxShift: config.augment.shift, maxRotationDegrees: config.augment.rotate) : nil
        while position.epoch < config.epochs {
            let epoch = position.epoch
            let lr = config.schedule.learningRate(base: config.optimizer.learningRate, epoch: epoch, epochs: config.epochs)
            // The permutation depends only on (seed, epoch): a resumed epoch replays the same order.
            var shuffler = SeededGenerator(seed: config.seed, stream: 0x5_0000 + UInt64(epoch))
            var order = Array(0..<train.count)
            order.shuffle(using: &shuffler)
            let started = Date()
            var lossSum: Double = 0, lossCount = 0, images = 0
            while position.step < stepsPerEpoch {
                if shouldStop() {
                    try saveLast()
                    return false
                }
                let step = position.step
                let indices = Array(order[(step * config.batch)..<min((step + 1) * config.batch, train.count)])
                let batch = indices.count
                if let augmenter {
                    Batches.copyAugmented(train, indices: indices, into: model.input, augmenter: augmenter, seed: config.seed, epoch: epoch)
                } else {
                    Batches.copy(train, indices: indices, into: model.input)
                }
                let context = StepContext(training: true, threads: threads, seed: config.seed,
                                          step: UInt64(epoch * stepsPerEpoch + step))
                model.forward(batch: batch, context: context)
                let labels = indices.map { train.labels[$0] }
                let result = labels.withUnsafeBufferPointer {
                    SoftmaxCrossEntropy.evaluate(logits: model.output, labels: $0.baseAddress!, batch: batch, classes: classes,
                                                 gradient: model.outputGradient)
                }
                guard result.loss.isFinite else { throw .nonFinite(epoch: epoch + 1, step: step + 1, loss: result.loss) }
                model.parameters.zeroGradients()
                model.backward(batch: batch, context: context)
                optimizer.step(model.parameters, learningRate: lr)
                lossSum += result.loss * Double(batch)
                lossCount += batch
                images += batch
                position.step += 1
                let elapsed = Date().timeIntervalSince(started)
                observer?.trainingStep(StepProgress(epoch: epoch + 1, epochs: config.epochs, step: position.step, stepsPerEpoch: stepsPerEpoch,
                                                    loss: lossSum / Double(lossCount), imagesPerSecond: Double(images) / max(elapsed, 1e-9)))
            }
            let seconds = Date().timeIntervalSince(started)
            guard model.parameters.values.allSatisfy(\.isFinite) else {
                throw .nonFinite(epoch: epoch + 1, step: position.step, loss: .nan)
            }
            let trainEval = Evaluation.run([model], on: train, threads: threads, limit: 10_000)
            let validationEval = validation.map { Evaluation.run([model], on: $0, threads: threads) }
            let testEval = Evaluation.run([model], on: test, threads: threads)
            position.epoch += 1
            position.step = 0
            // "best" is chosen on validation when there is a validation split, else on test accuracy.
            let score = validationEval?.accuracy ?? testEval.accuracy
            let improved = score > position.bestAccuracy
            if improved { position.bestAccuracy = score }
            try saveLast()
            if improved {
                do { try Checkpoint.save(model.parameters, to: bestPath, metadata: metadata()) } catch { throw .checkpoint(error) }
            }
            observer?.epochFinished(EpochMetrics(
                epoch: epoch + 1, learningRate: lr, trainLoss: lossSum / Double(max(lossCount, 1)), trainAccuracy: trainEval.accuracy,
                validationAccuracy: validationEval?.accuracy, testLoss: testEval.loss, testAccuracy: testEval.accuracy,
                seconds: seconds, imagesPerSecond: Double(images) / max(seconds, 1e-9)))
        }
        return true
    }

    func metadata() -> [String: String] {
        ["network": model.analysis.network.name, "epoch": "\(position.epoch)", "step": "\(position.step)",
         "optimizer_steps": "\(optimizer.steps)", "best_accuracy": "\(position.bestAccuracy)", "format": "cnnc-1"]
    }

    /// Weights to `last.safetensors`, optimizer state and position to `last.state.safetensors`.
    func saveLast() throws(TrainingError) {
        do {
            let state = optimizer.state.sorted { $0.key < $1.key }.map {
                Safetensors.Tensor(name: $0.key, shape: [$0.value.count], values: $0.value)
            }
            try AtomicFile.write(Safetensors.encode(state, metadata: metadata()), to: statePath)
            try Checkpoint.save(model.parameters, to: lastPath, metadata: metadata())
        } catch {
            throw .checkpoint(error)
        }
    }
}
