import ArgumentParser
import CNNAnalysis
import CNNData
import CNNDistributed
import CNNIR
import CNNRuntime
import Foundation

struct TrainCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "train",
        abstract: "Train a spec's network on a data set (IDX, image folders, CIFAR, NumPy), writing metrics, curves and checkpoints to a run folder.")

    @Argument(help: "Spec file (YAML). With several documents, the first network is trained unless --network names one. With --resume --out DIR it may be left away: the run's own copy (DIR/spec.yaml) is used.", completion: .file(extensions: ["yaml", "yml"]))
    var spec: String?

    @OptionGroup var runtime: RuntimeOptions

    @Option(help: "Override train.epochs.") var epochs: Int?
    @Option(help: "Override train.batch.") var batch: Int?
    @Option(help: "Override train.seed: same seed, data and thread count give the same metrics, bit for bit.") var seed: UInt64?
    @Option(help: "Run folder (default runs/<name>-<time>); must be new or empty unless --resume.", completion: .directory) var out: String?
    @Flag(help: "Continue the run in --out (or the newest runs/<name>-*) from its last checkpoint, with the configuration it was started with (run.json); only --epochs may grow.")
    var resume = false
    @Option(help: ArgumentHelp("Start from the weights in this checkpoint instead of the spec's init (fine-tuning); the optimizer starts fresh.",
                               discussion: "A safetensors file with the spec's tensor names and PyTorch's layouts, as cnnc or PyTorch writes it.",
                               valueName: "checkpoint"), completion: .file(extensions: ["safetensors"]))
    var initWeights: String?
    @Flag(help: "With --init-weights: load the tensors whose names and shapes match the spec's and leave the others at their init (a new head), reporting each; without it the checkpoint must match exactly.")
    var partial = false
    @Flag(help: "Join an MPI job even if no launcher is detected (cnnc joins one by itself under mpirun or mpiexec).")
    var distributed = false
    @Flag(help: "Debug data-parallel runs: compare a checksum of the weights across ranks after every step, and check that every training image is used exactly once per epoch.")
    var checkReplicas = false
    @Option(help: ArgumentHelp("Data-parallel runs: reduce gradients in buckets of at least this many KiB, each started as soon as backward has produced it, so the network's time hides behind the rest of backward; 0 reduces them in one call after backward.",
                               valueName: "KiB"))
    var bucketKib = Trainer.defaultBucketBytes >> 10
    @Option(help: ArgumentHelp("Data-parallel runs: the gradients' precision in the allreduce: fp32, or bf16 (bfloat16: half the bytes, about 3 significant digits; weights and optimizer stay fp32). Recorded in run.json.",
                               valueName: "fp32|bf16"))
    var allreducePrecision: AllreducePrecision?
    @Option(help: ArgumentHelp("Data-parallel runs: a rank that waits longer than this for the others in a step (a host down or cut off) reports it and ends the job, which then resumes from its last checkpoint; 0 waits forever.",
                               valueName: "seconds"))
    var peerTimeout: Double = 120

    func validate() throws {
        if let epochs, epochs < 1 { throw ValidationError("--epochs must be at least 1") }
        if let batch, batch < 1 { throw ValidationError("--batch must be at least 1") }
        if !(peerTimeout >= 0) || peerTimeout > 86_400 { throw ValidationError("--peer-timeout must be between 0 (wait forever) and 86400 seconds") }
        if bucketKib < 0 || bucketKib > 1 << 20 { throw ValidationError("--bucket-kib must be between 0 (one allreduce after backward) and 1048576 (1 GiB)") }
        if partial, initWeights == nil { throw ValidationError("--partial qualifies --init-weights: name the checkpoint to load from") }
        if initWeights != nil, resume {
            throw ValidationError("--init-weights and --resume exclude each other: a resumed run continues from its own last checkpoint")
        }
        if spec == nil, !runtime.compute.spec.overrides.isEmpty {
            throw ValidationError("--set changes a spec; a run resumed from its own copy keeps the spec it was started with")
        }
        if spec == nil && !(resume && out != nil) {
            throw ValidationError("a spec file is needed (only 'cnnc train --resume --out DIR' takes the run's own copy)")
        }
    }

    func run() throws {
        try CPURequirement.check()
        let environment = ProcessInfo.processInfo.environment
        let world = try Report.catching { () throws(DistributedError) in
            try World.join(forced: distributed, environment: environment)
        }
        do {
            try train(world: world, environment: environment)
            (world as? Finalizable)?.finalize()
        } catch let exit as ExitCode where exit.rawValue == 130 {
            // Every rank agreed to stop at the same step: leave MPI in order.
            (world as? Finalizable)?.finalize()
            throw exit
        } catch {
            // One rank's error must end the whole job, not leave the others waiting in a collective.
            if world.size > 1 {
                Terminal.flush()
                world.abort(status: (error as? ExitCode)?.rawValue ?? 1)
            }
            throw error
        }
    }

    func train(world: Communicator, environment: [String: String]) throws {
        let setup = try world.isRoot ? prepareFolder(world: world) : nil
        // Rank 0 names the run folder and alone writes to it; the other ranks learn its name and record.
        let folder = world.broadcast(setup?.folder ?? "", root: 0)
        let recordText = world.broadcast(String(decoding: setup?.record.encoded() ?? Data(), as: UTF8.self), root: 0)
        guard let record = RunRecord.decode(Data(recordText.utf8)) else { throw ExitCode(1) }
        let specPath = resume ? (spec ?? folder + "/" + RunFolder.specName) : spec!
        // Rank 0 analysed a new run's spec already (its warnings are printed once).
        let analysis = try setup?.analysis ?? runtime.analysis(specPath, network: record.network)

        var config = analysis.network.training ?? TrainingConfig()
        config.epochs = record.epochs
        config.batch = record.batch
        config.seed = record.seed
        let threads = record.threads
        let data = try runtime.dataSource(directory: record.data, format: record.dataFormat.flatMap(DataFormat.init(rawValue:)),
                                          input: analysis.network.input, training: config, threads: threads, quiet: !world.isRoot)
        // The data a run started with is the data it resumes with: a class folder added or renamed would move every
        // label, and other images would change the epochs' order and `normalize: auto`.
        let dataFingerprint = data.fingerprint
        let fingerprint = String(dataFingerprint, radix: 16)
        if resume, let recorded = record.classNames, data.classNames != recorded {
            try Report.catching { () throws(RunFolderError) in
                throw .configurationChanged(folder: folder, differences: [
                    "the data's classes are \((data.classNames ?? []).joined(separator: ", ")), "
                    + "but the run was started with \(recorded.joined(separator: ", "))"])
            }
        }
        if resume, let recorded = record.dataFingerprint, recorded != fingerprint {
            try Report.catching { () throws(RunFolderError) in
                throw .configurationChanged(folder: folder, differences: [
                    "the images or labels in \(record.data) changed since the run started (data fingerprint \(fingerprint), was \(recorded))"])
            }
        }
        if world.isRoot, data.classNames != record.classNames || record.dataFormat != data.format.rawValue
            || record.dataFingerprint != fingerprint {
            // Known once the data is read: run.json records them, so that --resume reads the folder as this run did.
            var named = record
            named.classNames = data.classNames
            named.dataFormat = data.format.rawValue
            named.dataFingerprint = fingerprint
            try Report.catching { () throws(CheckpointError) in try RunFolder.write(named, specText: nil, to: folder) }
        }
        let run: TrainingRun
        do {
            run = try Report.catching { () throws(TrainingRunError) in
                try TrainingRun(analysis, config: config, data: data, dataFingerprint: dataFingerprint, folder: folder, world: world,
                                threads: threads, kernels: ConvolutionKernels(rawValue: record.kernels) ?? .fastest,
                                // A resume loads the recorded checkpoint too: its resume point, when there is one, then replaces them.
                                initWeights: record.initWeights, partial: record.partialInitWeights ?? false)
            }
        } catch {
            // A new run that could not start (a checkpoint that does not fit, data that does not) leaves its folder as it found it:
            // the same command, corrected, can use it again.
            if !resume, world.isRoot { RunFolder.removeUnstarted(folder) }
            throw error
        }
        let trainer = run.trainer
        trainer.checkReplicas = checkReplicas
        trainer.allreduceBucketBytes = bucketKib << 10
        trainer.allreducePrecision = record.allreducePrecision.flatMap(AllreducePrecision.init(rawValue:)) ?? .fp32
        if let hook = environment["CNNC_TEST_PERTURB"] {
            // "RANK:STEP": a test of --check-replicas nudges one rank's weights at one step.
            let parts = hook.split(separator: ":").compactMap { Int($0) }
            if parts.count == 2 { trainer.perturbation = (parts[0], parts[1]) }
        }
        if resume {
            try Report.catching { () throws(TrainingError) in try trainer.resume() }
            if world.isRoot { print("resuming \(folder) at epoch \(trainer.position.epoch + 1), step \(trainer.position.step + 1)") }
        }
        var progress: ProgressRenderer?
        if world.isRoot {
            // mpirun hands every rank a pseudo-terminal even when its own output goes to a file: plain lines there.
            let label = MetricsRecorder.trainLossLabel(analysis, config)
            progress = ProgressRenderer(recorder: MetricsRecorder(folder: folder, history: trainer.history, trainLossLabel: label),
                                        isTerminal: Terminal.standardOutputIsTerminal && !MPIWorld.launched(environment))
        }
        trainer.observer = progress
        Interrupt.install()
        trainer.shouldStop = { Interrupt.requested }

        if world.isRoot {
            let layout = (world.size > 1 ? "\(world.size) ranks × " : "") + Format.count(threads, "thread")
            let frozen = run.model.parameters.frozenCount
            print("training \(analysis.network.name): \(Format.grouped(analysis.trainableParameters)) parameters"
                  + (frozen > 0 ? " (\(Format.grouped(frozen)) frozen)" : "") + ", "
                  + "\(Format.count(run.train.count, "training image")) and \(Format.count(run.test.count, "test image")) from \(record.data), "
                  + "\(Format.count(config.epochs, "epoch")) of batch \(config.batch), "
                  + "\(config.optimizer.kind.rawValue) lr \(config.optimizer.learningRate), "
                  + (config.labelSmoothing > 0 ? "label smoothing \(config.labelSmoothing), " : "") + "seed \(config.seed), \(layout)")
            print("run folder: \(folder)")
            if !resume, let initWeights, let report = run.initialWeights {
                print("starting from the weights in \(initWeights): \(InitialWeightsReport.render(report))")
            }
            Terminal.flush()
        }
        World.watch(world, seconds: peerTimeout, folder: folder)
        let finished = try Report.catching { () throws(TrainingError) in try trainer.run(threads: threads) }
        progress?.finish()
        guard world.isRoot else {
            if !finished { throw ExitCode(130) }
            return
        }
        guard finished else {
            let launcher = world.size > 1 ? "mpirun -np \(world.size) " : ""
            print("interrupted: saved \(trainer.resumePath); continue with: \(launcher)cnnc train --resume --out \(folder)")
            throw ExitCode(130)
        }
        if let last = progress?.recorder.rows.last {
            if trainer.stoppedEarly, let stop = config.earlyStop {
                print("stopped early after \(last.epoch) of \(Format.count(config.epochs, "epoch")): \(stop.metric.rawValue) did not improve "
                      + (stop.minDelta > 0 ? "by more than \(stop.minDelta) " : "") + "for \(stop.patience) epoch\(stop.patience == 1 ? "" : "s")")
            }
            print("final test accuracy \(Format.percent(last.testAccuracy)) after \(Format.count(last.epoch, "epoch")); "
                  + BestEpochSummary.render(trainer.bestEpoch, criterion: trainer.selection.criterion(hasValidation: run.validation != nil))
                  + " in \(trainer.bestPath)")
        }
        print("wrote \(folder)/metrics.csv, \(folder)/curves.svg, \(trainer.lastPath), \(trainer.bestPath)")
    }

    /// Rank 0: the run folder and its record. A new run gets a new (or empty) folder with `run.json` and a copy
    /// of the spec; a resumed one is checked against its record (only --epochs may grow, and then it is recorded).
    func prepareFolder(world: Communicator) throws -> (folder: String, record: RunRecord, analysis: NetworkAnalysis?) {
        let environment = ProcessInfo.processInfo.environment
        if resume {
            // Without --out the spec names the network whose newest run to continue.
            let analysis = try out == nil ? spec.map { try runtime.analysis($0) } : nil
            let network = runtime.network ?? analysis?.network.name
            var (folder, record) = try Report.catching { () throws(RunFolderError) in try RunFolder.existing(out: out, network: network) }
            // The copy is the spec as resolved (extends, blocks, --set); the spec given now must resolve to the same.
            let overrides = try runtime.compute.spec.parsed()
            let changed = try spec.map { try SpecInput.resolved($0, overrides: overrides) != SpecInput.resolved(folder + "/" + RunFolder.specName) }
            try Report.catching { () throws(RunFolderError) in
                if let spec, changed == true { throw .specChanged(folder: folder, spec: spec) }
                let data = runtime.data.map { (try? DataLocator.directory(for: $0, environment: environment)) ?? $0 }
                let request = RunRecord.Request(network: runtime.network, data: data, seed: seed, batch: batch, epochs: epochs,
                                                threads: runtime.threads, kernels: runtime.compute.kernelChoice?.rawValue, ranks: world.size,
                                                allreducePrecision: allreducePrecision?.rawValue)
                var differences = record.conflicts(with: request)
                if let asked = runtime.dataFormat, let recorded = record.dataFormat, asked.rawValue != recorded {
                    differences.append("--data-format \(asked.rawValue), but the run was started on a \(recorded) folder")
                }
                guard differences.isEmpty else { throw .configurationChanged(folder: folder, differences: differences) }
            }
            let request = RunRecord.Request(network: nil, data: nil, seed: nil, batch: nil, epochs: nil, threads: nil, kernels: nil, ranks: world.size)
            if let note = record.rankChange(request) { print("note: \(note)") }
            if epochs.map({ $0 != record.epochs }) ?? false || world.size != record.ranks {
                record.epochs = epochs ?? record.epochs
                if world.size != record.ranks {
                    // The cores are shared by another number of ranks now: --threads, or this machine's share.
                    record.threads = runtime.threadCount(ranksOnThisMachine: world.size > 1 ? MPIWorld.localSize(environment) : 1)
                }
                record.ranks = world.size
                try Report.catching { () throws(CheckpointError) in try RunFolder.write(record, specText: nil, to: folder) }
            }
            return (folder, record, analysis)
        }
        let specPath = spec!
        let analysis = try runtime.analysis(specPath)
        let config = analysis.network.training ?? TrainingConfig()
        let dataDirectory = try Report.catching { () throws(DataError) in
            try DataLocator.directory(for: runtime.data ?? config.data, environment: environment)
        }
        // --data names a folder of its own: its format is --data-format or detected, not the spec's train.data format.
        let dataFormat = runtime.dataFormat ?? (runtime.data == nil ? config.dataFormat : nil)
        // The run keeps the spec as resolved: no base file or override is needed to resume or evaluate it.
        let resolvedSpec = Data(try SpecInput.resolved(specPath, overrides: try runtime.compute.spec.parsed()).utf8)
        let folder = try Report.catching { () throws(RunFolderError) in try RunFolder.create(out: out, network: analysis.network.name) }
        var record = RunRecord(cnncVersion: CNNC.configuration.version, command: CommandLine.arguments, spec: specPath,
                               network: analysis.network.name, data: RunRecord.absolute(dataDirectory), seed: seed ?? config.seed,
                               batch: batch ?? config.batch, epochs: epochs ?? config.epochs,
                               threads: runtime.threadCount(ranksOnThisMachine: world.size > 1 ? MPIWorld.localSize(environment) : 1),
                               kernels: runtime.kernels.rawValue, ranks: world.size, initWeights: initWeights.map(RunRecord.absolute),
                               dataFormat: dataFormat?.rawValue)
        if initWeights != nil { record.partialInitWeights = partial }
        if let allreducePrecision, allreducePrecision != .fp32 { record.allreducePrecision = allreducePrecision.rawValue }
        try Report.catching { () throws(CheckpointError) in
            try RunFolder.write(record, specText: resolvedSpec, to: folder)
        }
        return (folder, record, analysis)
    }
}
extension AllreducePrecision: ExpressibleByArgument {}
