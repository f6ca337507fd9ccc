import ArgumentParser
import CNNAnalysis
import CNNData
import CNNIR
import CNNRuntime
import Foundation

struct TrainCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "train",
        abstract: "Train a spec's network on an IDX data set, writing metrics, curves and checkpoints to a run folder.")

    @Argument(help: "Spec file (YAML). With several documents, the first network is trained unless --network names one.")
    var spec: String

    @OptionGroup var runtime: RuntimeOptions

    @Option(help: "Override train.epochs.") var epochs: Int?
    @Option(help: "Override train.batch.") var batch: Int?
    @Option(help: "Override train.seed: same seed, data and thread count give the same metrics, bit for bit.") var seed: UInt64?
    @Option(help: "Run folder (default runs/<name>-<time>).") var out: String?
    @Flag(help: "Continue the run in --out (or the newest runs/<name>-*) from its last checkpoint.") var resume = false

    func validate() throws {
        if let epochs, epochs < 1 { throw ValidationError("--epochs must be at least 1") }
        if let batch, batch < 1 { throw ValidationError("--batch must be at least 1") }
    }

    func run() throws {
        try CPURequirement.check()
        let analysis = try runtime.analysis(spec)
        var config = analysis.network.training ?? TrainingConfig()
        if let epochs { config.epochs = epochs }
        if let batch { config.batch = batch }
        if let seed { config.seed = seed }
        let data = try runtime.loadData(defaultName: config.data)
        var train = data.train
        var validation: Dataset?
        if config.validation > 0 {
            (train, validation) = data.train.split(validation: config.validation, seed: config.seed)
        }

        let folder = try RunFolder.choose(out: out, resume: resume, network: analysis.network.name)
        let model = Model(analysis, batchCapacity: config.batch, threads: runtime.threadCount, kernels: runtime.kernels)
        model.parameters.initialize(seed: config.seed)
        let trainer = try Report.catching { () throws(TrainingError) in
            try Trainer(model: model, config: config, train: train, validation: validation, test: data.test, directory: folder)
        }
        if resume {
            try Report.catching { () throws(TrainingError) in try trainer.resume() }
            print("resuming \(folder) at epoch \(trainer.position.epoch + 1), step \(trainer.position.step + 1)")
        }
        let recorder = try MetricsRecorder(folder: folder, appending: resume)
        let progress = ProgressRenderer(recorder: recorder)
        trainer.observer = progress
        Interrupt.install()
        trainer.shouldStop = { Interrupt.requested }

        print("training \(analysis.network.name): \(Format.grouped(analysis.trainableParameters)) parameters, "
              + "\(train.count) training images, \(data.test.count) test images, \(config.epochs) epochs of batch \(config.batch), "
              + "\(config.optimizer.kind.rawValue) lr \(config.optimizer.learningRate), seed \(config.seed), \(runtime.threadCount) threads")
        print("run folder: \(folder)")
        Terminal.flush()
        let finished = try Report.catching { () throws(TrainingError) in try trainer.run(threads: runtime.threadCount) }
        progress.finish()
        guard finished else {
            let data = runtime.data.map { " --data \($0)" } ?? ""
            print("interrupted: saved \(trainer.lastPath); continue with: cnnc train \(spec)\(data) --out \(folder) --resume")
            throw ExitCode(130)
        }
        if let last = recorder.rows.last {
            print("final test accuracy \(Format.percent(last.testAccuracy)) after \(last.epoch) epochs; "
                  + "best \(Format.percent(trainer.position.bestAccuracy)) in \(trainer.bestPath)")
        }
        print("wrote \(folder)/metrics.csv, \(folder)/curves.svg, \(trainer.lastPath), \(trainer.bestPath)")
    }
}

/// Options shared by train, eval and predict.
struct RuntimeOptions: ParsableArguments {
    @Option(help: "Data directory with the four IDX files, or a data set name (mnist, fashion-mnist).") var data: String?
    @Option(help: "Worker threads (default: all cores).") var threads: Int?
    @Option(help: "Which network of a multi-document spec.") var network: String?
    @Option(help: "Convolution kernels: fastest (default), direct (no Winograd) or im2col (GEMM only); results agree to float rounding.")
    var kernels: ConvolutionKernels = .fastest

    var threadCount: Int { max(1, threads ?? ProcessInfo.processInfo.activeProcessorCount) }

    func analysis(_ spec: String) throws -> NetworkAnalysis {
        let all = try SpecInput.analyses(of: [spec])
        if let network {
            guard let match = all.first(where: { $0.network.name == network }) else {
                DiagnosticRenderer.error("\(spec) has no network named '\(network)'",
                                         hint: "its networks: " + all.map(\.network.name).joined(separator: ", "))
                throw ExitCode(1)
            }
            return match
        }
        return all[0]
    }

    func loadData(defaultName: String) throws -> IDXDataSet {
        try Report.catching { () throws(DataError) in
            let directory = try DataLocator.directory(for: data ?? defaultName, environment: ProcessInfo.processInfo.environment)
            return try IDXDataSet.load(directory: directory)
        }
    }
}

/// Ctrl-C asks the trainer to save and stop at the next step; a second Ctrl-C exits at once.
enum Interrupt {
    nonisolated(unsafe) static var requested = false

    static func install() {
        signal(SIGINT) { _ in
            if Interrupt.requested { _exit(130) }
            Interrupt.requested = true
        }
    }
}

/// The run folder: `runs/<name>-<yyyyMMdd-HHmmss>` by default.
enum RunFolder {
    static func choose(out: String?, resume: Bool, network: String) throws -> String {
        let fm = FileManager.default
        if resume {
            let folder = out ?? newest(network: network)
            guard let folder, fm.fileExists(atPath: folder + "/last.safetensors") else {
                DiagnosticRenderer.error("nothing to resume: \(out ?? "runs/\(network)-*") has no last.safetensors",
                                         hint: "pass the run folder of an earlier 'cnnc train' with --out")
                throw ExitCode(1)
            }
            return folder
        }
        let formatter = DateFormatter()
        formatter.dateFormat = "yyyyMMdd-HHmmss"
        let folder = out ?? "runs/\(network)-\(formatter.string(from: Date()))"
        do {
            try fm.createDirectory(atPath: folder, withIntermediateDirectories: true)
        } catch {
            DiagnosticRenderer.error("cannot create the run folder \(folder): \(error.localizedDescription)")
            throw ExitCode(1)
        }
        return folder
    }

    static func newest(network: String) -> String? {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: "runs")) ?? []
        return names.filter { $0.hasPrefix(network + "-") }.sorted().last.map { "runs/" + $0 }
    }
}
