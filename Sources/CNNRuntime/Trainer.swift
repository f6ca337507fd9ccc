import CNNData
import CNNIR
import Foundation

/// What the trainer reports; the CLI renders it (progress bar, metrics.csv, curves.svg).
public protocol TrainingObserver: AnyObject {
    func trainingStep(_ progress: StepProgress)
    /// The epoch's steps are done; the evaluation on the training, validation and test images begins.
    func evaluating(epoch: Int, epochs: Int)
    func epochFinished(_ metrics: EpochMetrics)
}

extension TrainingObserver {
    public func evaluating(epoch: Int, epochs: Int) {}
}

public struct StepProgress: Sendable {
    public var epoch: Int, epochs: Int
    public var step: Int, stepsPerEpoch: Int
    /// Mean training loss of the epoch so far.
    public var loss: Double
    public var imagesPerSecond: Double
}

public struct EpochMetrics: Sendable, Codable, Equatable {
    /// 1-based.
    public var epoch: Int
    public var learningRate: Double
    public var trainLoss: Double
    /// Accuracy on (up to 10,000 of) the training images in inference mode after the epoch.
    public var trainAccuracy: Double
    public var validationAccuracy: Double?
    /// Cross-entropy on the validation split (plain, without label smoothing), when there is one.
    public var validationLoss: Double? = nil
    public var testLoss: Double
    public var testAccuracy: Double
    public var seconds: Double
    public var imagesPerSecond: Double
    /// Data-parallel runs: the ranks; the seconds of the epoch's steps spent waiting for the slowest rank,
    /// then in the gradient allreduce itself.
    public var ranks: Int = 1
    public var waitSeconds: Double = 0
    public var allreduceSeconds: Double = 0
    /// True when the allreduce ran in buckets during backward: then `allreduceSeconds` is what was left of it after
    /// backward, waiting for the slowest rank included, and `waitSeconds` is 0.
    public var allreduceOverlapped: Bool? = nil
    /// With replica checks on: the training images of the epoch, each checked to be used exactly once over all ranks.
    public var checkedExamples: Int?
}

public enum TrainingError: Error, Sendable {
    /// `checkpoint`: the last good resume point on disk, if one was written.
    case nonFinite(epoch: Int, step: Int, loss: Double, checkpoint: String?)
    case labelOutOfRange(label: Int, classes: Int)
    case inputMismatch(data: String, network: String)
    case checkpoint(CheckpointError)
    case replicasDiverged(epoch: Int, step: Int)
    case coverage(epoch: Int, missing: Int, repeated: Int)
    case ranksDisagree(setting: String)

    public var message: String {
        switch self {
        case .nonFinite(let epoch, let step, let loss, let checkpoint):
            let kept = checkpoint.map { "the last good checkpoint (\($0)) is kept" } ?? "no checkpoint had been written yet"
            return "the loss became \(loss.isNaN ? "NaN" : "\(loss)") at epoch \(epoch), step \(step); training stopped, \(kept)"
        case .labelOutOfRange(let label, let classes):
            return "the data has label \(label) but the network has \(classes) outputs"
        case .inputMismatch(let data, let network):
            return "the data's images are \(data) but the network's input is \(network)"
        case .checkpoint(let error): return error.message
        case .replicasDiverged(let epoch, let step):
            return "the ranks' weights differ after epoch \(epoch), step \(step); the replicas have diverged"
        case .coverage(let epoch, let missing, let repeated):
            return "epoch \(epoch) left \(missing) training images out and used \(repeated) more than once across the ranks"
        case .ranksDisagree(let setting):
            return "the ranks were started with different \(setting)"
        }
    }

    public var hint: String? {
        switch self {
        case .nonFinite(_, _, _, let checkpoint):
            return "lower the learning rate (train.optimizer.lr), or add batchnorm"
                + (checkpoint == nil ? "" : "; or continue from the checkpoint with --resume")
        case .labelOutOfRange: return "make the last dense layer's units equal to the number of classes"
        case .inputMismatch: return "set the spec's input to the data's shape"
        case .checkpoint(let error): return error.hint
        case .ranksDisagree: return "give every rank the same options (one mpirun command line for all of them)"
        case .replicasDiverged, .coverage: return "this is a bug in cnnc's data-parallel training; please report it with the spec and the mpirun command"
        }
    }
}

/// Where a run is: enough to resume it exactly.
public struct TrainingPosition: Sendable, Equatable {
    /// 0-based epoch in progress, and the next step within it.
    public var epoch: Int = 0
    public var step: Int = 0
    /// The best epoch's score by `ModelSelection` (an accuracy, or minus the validation loss with
    /// `early_stop: {metric: val_loss}`); kept under its first name in resume points.
    public var bestAccuracy: Double = -1
    /// The training loss summed over the epoch's finished steps (times their images), and those images:
    /// a run resumed mid-epoch reports the same epoch loss as an uninterrupted one.
    public var epochLossSum: Double = 0
    public var epochExamples: Int = 0

    public init(epoch: Int = 0, step: Int = 0, bestAccuracy: Double = -1, epochLossSum: Double = 0, epochExamples: Int = 0) {
        self.epoch = epoch
        self.step = step
        self.bestAccuracy = bestAccuracy
        self.epochLossSum = epochLossSum
        self.epochExamples = epochExamples
    }
}

/// The training loop: seeded shuffling and augmentation, forward, loss, backward, optimizer step;
/// evaluation and atomic checkpoints after every epoch; a stop request saves and returns.
///
/// Data parallel over a `Communicator`: `config.batch` is the global batch. Each rank takes its
/// contiguous share of every step's images (`Shard`), its loss gradient weighted by share / batch, so
/// the summed (allreduced) gradients are exactly the global batch's mean; every rank then takes the
/// same optimizer step. Rank 0 alone writes the run folder.
public final class Trainer {
    public let model: Model
    public let config: TrainingConfig
    public let optimizer: Optimizer
    public let world: Communicator
    let train: Dataset, validation: Dataset?, test: Dataset
    let directory: String
    public private(set) var position = TrainingPosition()
    /// The metrics of every finished epoch, 1 to `position.epoch`: saved in the resume point, so a resumed
    /// run's metrics.csv has each epoch exactly once whatever moment a kill came at.
    public private(set) var history: [EpochMetrics] = []
    /// Set when `train.early_stop` ended the run before its last epoch.
    public private(set) var stoppedEarly = false
    public var selection: ModelSelection { ModelSelection(config) }
    /// The best finished epoch, as `best.safetensors` holds it (`selection` says by what).
    public var bestEpoch: EpochMetrics? { selection.best(history) }
    /// Whether a resume point exists on disk (written by this run, or the one it resumed from).
    public private(set) var hasResumePoint = false
    public weak var observer: TrainingObserver?
    /// Checked between steps; when it returns true (on any rank) the trainer saves `last` and returns.
    public var shouldStop: () -> Bool = { false }
    /// Debug mode: compare a checksum of the weights across ranks after every step, and check after
    /// every epoch that each training image was used exactly once over all ranks.
    public var checkReplicas = false
    /// The data's class names, in label order: stored in every checkpoint's metadata (`ClassNames.metadataKey`).
    public var classNames: [String]?
    /// Data parallel: the gradient allreduce in buckets of at least this many bytes, started while backward
    /// still runs (`GradientBuckets`); 0 reduces the whole arena in one call after backward.
    public var allreduceBucketBytes = Trainer.defaultBucketBytes
    public static let defaultBucketBytes = 64 << 10
    /// Data parallel: the gradients' precision on the wire (`.bf16` halves the bytes; weights and optimizer stay float).
    public var allreducePrecision = AllreducePrecision.fp32
    /// Test hook for the replica check: (rank, global step) at which that rank's first weight is nudged.
    public var perturbation: (rank: Int, step: Int)?

    public init(model: Model, config: TrainingConfig, train: Dataset, validation: Dataset?, test: Dataset,
                directory: String, world: Communicator = SingleProcess()) throws(TrainingError) {
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
        self.world = world
        optimizer = Optimizer(config.optimizer, parameters: model.parameters)
    }

    public var stepsPerEpoch: Int { (train.count + config.batch - 1) / config.batch }
    /// Images per rank and step at most: the model's batch capacity.
    public static func shareCapacity(batch: Int, ranks: Int) -> Int { batch / ranks + (batch % ranks == 0 ? 0 : 1) }
    public var lastPath: String { directory + "/last.safetensors" }
    public var bestPath: String { directory + "/best.safetensors" }
    /// The commit point of a checkpoint: weights, optimizer state, position and history in one file,
    /// written (atomically) after `last` and `best`. `--resume` reads only this file.
    public var resumePath: String { directory + "/resume.safetensors" }

    // MARK: - Resume

    /// Loads the resume point: weights, optimizer state, position and history, which were written as one
    /// file and so always belong together; then rewrites `last.safetensors` from it (a kill may have come
    /// between the two writes). Under MPI rank 0 reads the file and broadcasts its bytes, so the other
    /// ranks need no shared file system and all start equal.
    public func resume() throws(TrainingError) {
        var bytes: [UInt8] = []
        var failure: CheckpointError?
        if world.isRoot {
            do { bytes = try Checkpoint.bytes(resumePath) } catch { failure = error }
            // Killed in the first epoch, before any resume point: nothing was committed, so the run starts
            // over. metrics.csv is written only after a commit, so with it the resume point was lost, not unwritten.
            if failure == .missing(path: resumePath), !FileManager.default.fileExists(atPath: directory + "/metrics.csv") {
                failure = nil
            }
        }
        if world.any(failure != nil) {
            throw .checkpoint(failure ?? .corrupt(path: resumePath, reason: "rank 0 could not read it"))
        }
        bytes = world.broadcast(bytes, root: 0)
        guard !bytes.isEmpty else { return }
        do throws(CheckpointError) {
            let point = try ResumePoint.decode(Data(bytes), path: resumePath)
            guard point.network == model.analysis.network.name else {
                throw CheckpointError.mismatch(what: "\(resumePath)", reason: "belongs to network '\(point.network)', not '\(model.analysis.network.name)'")
            }
            try Checkpoint.load(model.parameters, tensors: point.weights, path: resumePath)
            try optimizer.restore(steps: point.optimizerSteps, state: point.optimizerState)
            position = point.position
            history = point.history
            hasResumePoint = true
            if world.isRoot { try Checkpoint.save(model.parameters, to: lastPath, metadata: metadata()) }
        } catch {
            throw .checkpoint(error)
        }
    }

    // MARK: - The loop

    /// Trains until the configured epochs are done (true) or `shouldStop` asks (false, after saving `last`).
    public func run(threads: Int) throws(TrainingError) -> Bool {
        let classes = model.outputCount
        let augmenter = config.augment.isEnabled ? Augmenter(config.augment) : nil
        // Every rank starts from rank 0's weights (they are equal already when seeded alike; this makes it certain).
        world.broadcast(model.parameters.values, root: 0)
        model.parameters.markChanged()
        // Ranks that split the allreduce differently would pair up unrelated sums: each rank has its own command line.
        let exchange = UInt64(allreduceBucketBytes) << 1 | (allreducePrecision == .bf16 ? 1 : 0)
        if world.size > 1, !world.allEqual(exchange) { throw .ranksDisagree(setting: "--bucket-kib and --allreduce-precision") }
        // Made once per run: bf16 needs the buckets' conversion: without buckets, one bucket of the whole arena, after backward.
        let overlapped = allreduceBucketBytes > 0
        let buckets = world.size > 1 && (allreduceBucketBytes > 0 || allreducePrecision != .fp32)
            ? model.gradientBuckets(bucketBytes: allreduceBucketBytes > 0 ? allreduceBucketBytes : Int.max / 2, precision: allreducePrecision)
            : nil
        let backwardHook = overlapped ? buckets.map { buckets in { (layer: Int) in buckets.layerFinished(layer, world: self.world) } } : nil
        let plan = LearningRatePlan(config, stepsPerEpoch: stepsPerEpoch)
        let selection = self.selection
        while position.epoch < config.epochs {
            // A run that early stopping ended (and is resumed, or given more epochs) stays ended.
            if selection.shouldStop(history) {
                stoppedEarly = true
                return true
            }
            let epoch = position.epoch
            var lr = plan.rate(epoch: epoch, step: position.step, history: history)
            // The permutation depends only on (seed, epoch): a resumed epoch replays the same order, on every rank.
            var shuffler = SeededGenerator(seed: config.seed, stream: 0x5_0000 + UInt64(epoch))
            var order = Array(0..<train.count)
            order.shuffle(using: &shuffler)
            let started = Date()
            let firstStep = position.step
            var uses = [Float](repeating: 0, count: checkReplicas ? train.count : 0)
            var lossSum = position.epochLossSum, lossCount = position.epochExamples, images = 0
            var waitSeconds: Double = 0, allreduceSeconds: Double = 0
            while position.step < stepsPerEpoch {
                if world.any(shouldStop()) {
                    try saveLast()
                    return false
                }
                let step = position.step
                let global = order[(step * config.batch)..<min((step + 1) * config.batch, train.count)]
                let share = Shard.range(count: global.count, rank: world.rank, size: world.size)
                let indices = Array(global.dropFirst(share.lowerBound).prefix(share.count))
                let batch = indices.count
                let context = StepContext(training: true, threads: threads, seed: config.seed,
                                          step: UInt64(epoch * stepsPerEpoch + step), firstExample: share.lowerBound)
                model.parameters.zeroGradients()
                var stepLoss = [0.0]
                if batch > 0 {
                    if let augmenter {
                        Batches.copyAugmented(train, indices: indices, into: model.input, augmenter: augmenter, seed: config.seed, epoch: epoch,
                                              normalization: model.normalization)
                    } else {
                        Batches.copy(train, indices: indices, into: model.input, normalization: model.normalization)
                    }
                    model.forward(batch: batch, context: context)
                    let labels = indices.map { train.labels[$0] }
                    let result = labels.withUnsafeBufferPointer {
                        SoftmaxCrossEntropy.evaluate(logits: model.output, labels: $0.baseAddress!, batch: batch, classes: classes,
                                                     labelSmoothing: config.labelSmoothing, gradient: model.outputGradient)
                    }
                    if batch != global.count {
                        // The loss gradient is a mean over this rank's share; weight it to a share of the global mean.
                        let weight = Float(batch) / Float(global.count)
                        for k in 0..<(batch * classes) { model.outputGradient[k] *= weight }
                    }
                    stepLoss[0] = result.loss * Double(batch)
                    if result.loss.isFinite {
                        model.backward(batch: batch, context: context, finished: backwardHook)
                    }
                }
                if world.size > 1 {
                    let waitStarted = Date()
                    var waited: Double = 0
                    if let buckets, overlapped {
                        // A barrier here would move the sums on too and blur the split: time the rest of them, waiting included.
                        buckets.finish(world: world)
                    } else if let buckets {
                        // One bf16 bucket of the whole arena, started after the barrier (no MPI call of this thread may
                        // overlap a started sum's).
                        world.barrier()
                        waited = Date().timeIntervalSince(waitStarted)
                        buckets.finish(world: world)
                    } else {
                        // The barrier separates waiting for a slower rank from the cost of the reduction itself.
                        world.barrier()
                        waited = Date().timeIntervalSince(waitStarted)
                        world.sum(model.parameters.gradients)
                    }
                    world.sum(&stepLoss)
                    waitSeconds += waited
                    allreduceSeconds += Date().timeIntervalSince(waitStarted) - waited
                }
                let loss = stepLoss[0] / Double(global.count)
                guard loss.isFinite else {
                    throw .nonFinite(epoch: epoch + 1, step: step + 1, loss: loss, checkpoint: hasResumePoint ? resumePath : nil)
                }
                lr = plan.rate(epoch: epoch, step: step, history: history)
                optimizer.step(model.parameters, learningRate: lr, threads: threads)
                if checkReplicas { try checkStep(epoch: epoch, step: step, indices: indices, uses: &uses) }
                lossSum += loss * Double(global.count)
                lossCount += global.count
                images += global.count
                position.step += 1
                position.epochLossSum = lossSum
                position.epochExamples = lossCount
                let elapsed = Date().timeIntervalSince(started)
                observer?.trainingStep(StepProgress(epoch: epoch + 1, epochs: config.epochs, step: position.step, stepsPerEpoch: stepsPerEpoch,
                                                    loss: lossSum / Double(lossCount), imagesPerSecond: Double(images) / max(elapsed, 1e-9)))
            }
            let seconds = Date().timeIntervalSince(started)
            let checked = checkReplicas ? try checkCoverage(epoch: epoch, order: order, firstStep: firstStep, uses: &uses) : nil
            guard model.parameters.values.allSatisfy(\.isFinite) else {
                throw .nonFinite(epoch: epoch + 1, step: position.step, loss: .nan, checkpoint: hasResumePoint ? resumePath : nil)
            }
            observer?.evaluating(epoch: epoch + 1, epochs: config.epochs)
            let trainEval = evaluate(train, limit: 10_000, threads: threads)
            let validationEval = validation.map { evaluate($0, threads: threads) }
            let testEval = evaluate(test, threads: threads)
            position.epoch += 1
            position.step = 0
            position.epochLossSum = 0
            position.epochExamples = 0
            let metrics = EpochMetrics(
                epoch: epoch + 1, learningRate: lr, trainLoss: lossSum / Double(max(lossCount, 1)), trainAccuracy: trainEval.accuracy,
                validationAccuracy: validationEval?.accuracy, validationLoss: validationEval?.loss, testLoss: testEval.loss,
                testAccuracy: testEval.accuracy,
                seconds: seconds, imagesPerSecond: Double(images) / max(seconds, 1e-9),
                ranks: world.size, waitSeconds: waitSeconds, allreduceSeconds: allreduceSeconds,
                allreduceOverlapped: world.size > 1 && overlapped ? true : nil, checkedExamples: checked)
            // "best": by early_stop's metric when set, else validation accuracy, else test accuracy (`ModelSelection`).
            let score = selection.score(metrics)
            let improved = selection.improves(metrics, on: history.isEmpty ? nil : position.bestAccuracy)
            if improved { position.bestAccuracy = score }
            history.append(metrics)
            // best first, the resume point last: a kill between them replays this epoch, which rewrites best alike.
            if improved && world.isRoot {
                do { try Checkpoint.save(model.parameters, to: bestPath, metadata: metadata()) } catch { throw .checkpoint(error) }
            }
            try saveLast()
            observer?.epochFinished(metrics)
        }
        return true
    }

    /// Each rank evaluates its contiguous part of the set; the counts are summed over the ranks.
    func evaluate(_ data: Dataset, limit: Int? = nil, threads: Int) -> Evaluation {
        let total = min(limit ?? data.count, data.count)
        let part = Shard.range(count: total, rank: world.rank, size: world.size)
        return Evaluation.run([model], on: data, threads: threads, range: part).summed(over: world)
    }

    // MARK: - Replica checks (debug)

    /// FNV-1a over the weights' bits, compared across ranks; also records which images this rank used.
    func checkStep(epoch: Int, step: Int, indices: [Int], uses: inout [Float]) throws(TrainingError) {
        let globalStep = epoch * stepsPerEpoch + step
        if let perturbation, perturbation.rank == world.rank, perturbation.step == globalStep {
            model.parameters.values[0] += 1e-3
        }
        var hash: UInt64 = 0xCBF2_9CE4_8422_2325
        for value in model.parameters.values {
            hash = (hash ^ UInt64(value.bitPattern)) &* 0x0000_0100_0000_01B3
        }
        guard world.allEqual(hash) else { throw .replicasDiverged(epoch: epoch + 1, step: step + 1) }
        for index in indices { uses[index] += 1 }
    }

    /// Sums every rank's per-image use counts: each image of the epoch's remaining steps must have been used once.
    func checkCoverage(epoch: Int, order: [Int], firstStep: Int, uses: inout [Float]) throws(TrainingError) -> Int {
        uses.withUnsafeMutableBufferPointer { world.sum($0) }
        var expected = [Float](repeating: 0, count: train.count)
        for index in order[min(firstStep * config.batch, order.count)...] { expected[index] = 1 }
        var missing = 0, repeated = 0
        for (use, want) in zip(uses, expected) where use != want {
            if use < want { missing += 1 } else { repeated += 1 }
        }
        guard missing == 0 && repeated == 0 else { throw .coverage(epoch: epoch + 1, missing: missing, repeated: repeated) }
        return expected.reduce(0) { $0 + Int($1) }
    }

    /// A checkpoint's metadata: the run's position and seed (which images a folder without a test split held
    /// out), and the input normalisation (`model.normalization`)
    /// that `eval`, `predict` and `export` must apply to use the weights.
    func metadata() -> [String: String] {
        var metadata = ["network": model.analysis.network.name, "epoch": "\(position.epoch)", "step": "\(position.step)",
                        "optimizer_steps": "\(optimizer.steps)", "best_accuracy": "\(position.bestAccuracy)", "format": "cnnc-1",
                        "seed": "\(config.seed)"]
        if let classNames { metadata[ClassNames.metadataKey] = ClassNames.encode(classNames) }
        if let normalization = model.normalization { metadata[Normalization.metadataKey] = normalization.json }
        return metadata
    }

    /// Weights to `last.safetensors`, then the resume point (rank 0 only). The resume point is the commit:
    /// until its rename, `--resume` sees the previous one, whole.
    func saveLast() throws(TrainingError) {
        guard world.isRoot else { return }
        do {
            try Checkpoint.save(model.parameters, to: lastPath, metadata: metadata())
            let point = ResumePoint(network: model.analysis.network.name, position: position, optimizerSteps: optimizer.steps,
                                    history: history, weights: [:], optimizerState: optimizer.state)
            try AtomicFile.write(point.encode(parameters: model.parameters), to: resumePath)
            hasResumePoint = true
        } catch {
            throw .checkpoint(error)
        }
    }
}
