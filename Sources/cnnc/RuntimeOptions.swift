import ArgumentParser
import CNNAnalysis
import CNNData
import CNNIR
import CNNRuntime
import Foundation

/// Options of train and eval: the data set, and the compute options every command that runs a network has.
struct RuntimeOptions: ParsableArguments {
    @Option(help: "Data directory (IDX files, image folders DIR/train/<class>/* and DIR/test/<class>/*, CIFAR binary or NumPy arrays; docs/data.md), or a data set name (mnist, fashion-mnist).", completion: .directory) var data: String?
    @Option(help: "The --data folder's format (default: detected from its files; cifar100-coarse, never detected, must be named; docs/data.md).")
    var dataFormat: DataFormat?
    @Flag(help: "An unreadable image file in an image folder is an error, not skipped with a warning.") var strict = false
    @OptionGroup var compute: ComputeOptions

    var threads: Int? { compute.threads }
    var network: String? { compute.network }
    var kernels: ConvolutionKernels { compute.kernels }
    var threadCount: Int { compute.threadCount }
    func threadCount(ranksOnThisMachine ranks: Int) -> Int { compute.threadCount(ranksOnThisMachine: ranks) }
    func analysis(_ spec: String, network: String? = nil) throws -> NetworkAnalysis { try compute.analysis(spec, network: network) }

    /// The data set eval reads: --data, else the spec's `train.data` (with its format). `seed`, the one a checkpoint
    /// was trained with, replaces the spec's for the held-out split of a folder without test images.
    func dataSource(for analysis: NetworkAnalysis, seed: UInt64? = nil) throws -> DataSource {
        var training = analysis.network.training ?? TrainingConfig()
        if let seed { training.seed = seed }
        let directory = try Report.catching { () throws(DataError) in
            try DataLocator.directory(for: data ?? training.data, environment: ProcessInfo.processInfo.environment)
        }
        return try dataSource(directory: directory, format: dataFormat ?? (data == nil ? training.dataFormat : nil),
                              input: analysis.network.input, training: training)
    }

    /// Reads a data folder (decoding with all threads) and prints what the reader skipped, unless `quiet`.
    /// `training` gives image folders their resize, and the validation fraction and seed of a folder without a test split.
    /// `threads`: a rank's share of the cores under MPI (default: --threads or all cores).
    func dataSource(directory: String, format: DataFormat?, input: Shape, training: TrainingConfig, threads: Int? = nil,
                    quiet: Bool = false) throws -> DataSource {
        var options = DataOptions(input: input, threads: threads ?? threadCount)
        options.resize = training.resize
        options.strict = strict
        options.validation = training.validation
        options.seed = training.seed
        let start = Date()
        let source = try Report.catching { () throws(DataError) in try DataSources.load(directory: directory, format: format, options: options) }
        if !quiet {
            for warning in source.warnings { DiagnosticRenderer.warning(warning) }
            if source.format == .imagefolder {
                // On standard error: eval's standard output stays its report.
                Terminal.standardError("decoded \(Format.grouped(source.train.count)) training and \(Format.count(source.test.count, "test image")) "
                                       + "from \(directory) in " + Format.decimal(Date().timeIntervalSince(start), places: 2)
                                       + " s on \(Format.count(options.threads, "thread"))\n")
            }
        }
        return source
    }
}

extension DataFormat: ExpressibleByArgument {}
