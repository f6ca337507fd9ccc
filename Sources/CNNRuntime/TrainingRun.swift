import CNNAnalysis
import CNNData
import CNNIR

/// One training run put together: the data split and checked against the network, the memory it needs
/// checked, the model built and initialised (from the spec's init or a checkpoint), and the trainer that
/// will write to the run folder. The CLI parses options and prints; everything between is here.
public struct TrainingRun {
    public let trainer: Trainer
    public let model: Model
    public let train: Dataset, validation: Dataset?, test: Dataset
    public let data: DataSource
    /// What `initWeights` loaded (rank 0), for the CLI to report.
    public let initialWeights: InitialWeights?

    /// `config` is the spec's `train:` with the command line's overrides; `initWeights` (a checkpoint)
    /// is loaded on rank 0 only: the other ranks receive rank 0's weights when training starts. `dataFingerprint`
    /// is `data.fingerprint` when the caller has it already (computed here otherwise, under MPI only).
    public init(_ analysis: NetworkAnalysis, config: TrainingConfig, data: DataSource, dataFingerprint: UInt64? = nil,
                folder: String, world: Communicator, threads: Int, kernels: ConvolutionKernels,
                initWeights: String? = nil, partial: Bool = false) throws(TrainingRunError) {
        do {
            try data.checkLabels(classes: analysis.output.count)
        } catch { throw .data(error) }
        // Every rank read the folder itself: they must hold the same images, or their steps and shards would differ.
        if world.size > 1, !world.allEqual(dataFingerprint ?? data.fingerprint) { throw .data(.ranksDiffer(directory: data.directory)) }
        var train = data.train.dataset()
        var validation: Dataset?
        if config.validation > 0 {
            do {
                (train, validation) = try train.split(validation: config.validation, seed: config.seed)
            } catch { throw .data(error) }
        }
        let capacity = Trainer.shareCapacity(batch: config.batch, ranks: world.size)
        do {
            try MemoryBudget.training(analysis, batchCapacity: capacity, threads: threads, optimizer: config.optimizer.kind).check()
        } catch { throw .resource(error) }
        let model = Model(analysis, batchCapacity: capacity, threads: threads, kernels: kernels)
        guard model.parameters.entries.contains(where: { $0.isUpdated && $0.learningRateScale > 0 }) || model.parameters.trainableCount == 0 else {
            throw .nothingTrains
        }
        // `normalize: auto` counts the training split only: not the held-out validation images, not the test set.
        model.normalization = ChannelStatistics.normalization(for: config.normalize, training: train)
        model.parameters.initialize(seed: config.seed)
        var initialWeights: InitialWeights?
        if let initWeights, world.isRoot {
            do { initialWeights = try InitialWeights.load(model.parameters, from: initWeights, partial: partial) } catch { throw .checkpoint(error) }
        }
        self.initialWeights = initialWeights
        let test = data.test.dataset()
        do {
            trainer = try Trainer(model: model, config: config, train: train, validation: validation, test: test,
                                  directory: folder, world: world)
        } catch { throw .training(error) }
        trainer.classNames = data.classNames
        self.model = model
        self.train = train
        self.validation = validation
        self.test = test
        self.data = data
    }
}
