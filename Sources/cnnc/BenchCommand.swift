import ArgumentParser
import CNNIR
import CNNKernels
import CNNRuntime
import Foundation

struct BenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Measure training and inference throughput, GFLOP/s and peak memory of a spec's network.",
        discussion: """
            After a warm-up, times --iters training steps (forward, loss, backward, optimizer) and --iters inference \
            batches on random inputs and reports the medians, then a per-layer breakdown (of the training step, or \
            of inference with --inference-only). Compare runs as ratios \
            measured in one session: shared machines are noisy (see Benchmarks/compare.sh).
            """)

    @Argument(help: "Spec file (YAML).", completion: .file(extensions: ["yaml", "yml"])) var spec: String
    @Option(help: "Images per batch (default: the spec's train.batch, else 100).") var batch: Int?
    @Option(help: "Worker threads (default: all cores).") var threads: Int?
    @Option(help: "Timed iterations for each median.") var iters = 50
    @Option(help: "Which network of a multi-document spec.") var network: String?
    @Option(help: "Replace the spec's input shape, as CxHxW (e.g. 3x224x224).") var input: Shape?
    @OptionGroup var overrides: SpecOptions
    @Option(help: "Convolution kernels: fastest (Winograd, direct, GEMM as the shapes allow), direct, or im2col (GEMM only).")
    var kernels: ConvolutionKernels = .fastest
    @Flag(help: "Time inference only (no training steps; the per-layer breakdown is of inference; training figures are reported as 0).")
    var inferenceOnly = false
    @Flag(help: "Print a JSON object (train_images_per_s, infer_images_per_s, peak_rss_bytes, ...).") var json = false

    func validate() throws {
        if let batch, batch < 1 { throw ValidationError("--batch must be at least 1") }
        if iters < 1 { throw ValidationError("--iters must be at least 1") }
        if let threads, !(1...ComputeOptions.maximumThreads).contains(threads) {
            throw ValidationError("--threads must be from 1 to \(ComputeOptions.maximumThreads)")
        }
    }

    func run() throws {
        try CPURequirement.check()
        let sets = overrides.overrides + (input.map { ["input=[\($0.channels), \($0.height), \($0.width)]"] } ?? [])
        let options = try ComputeOptions.parse((network.map { ["--network", $0] } ?? []) + sets.flatMap { ["--set", $0] })
        let analysis = try options.analysis(spec)
        let threadCount = threads ?? ProcessInfo.processInfo.activeProcessorCount
        let batchSize = batch ?? analysis.network.training?.batch ?? 100
        var benchmark = Benchmark(analysis, batch: batchSize, threads: threadCount, iterations: iters)
        benchmark.kernels = kernels
        benchmark.inferenceOnly = inferenceOnly
        let budget = MemoryBudget.training(analysis, batchCapacity: batchSize, threads: threadCount, optimizer: benchmark.optimizer.kind)
        try Report.catching { () throws(ResourceError) in try budget.check() }
        let result = benchmark.run()
        if json {
            print(BenchReport.json(result, network: analysis.network.name, budget: budget).rendered())
        } else {
            print(BenchReport.text(result, network: analysis.network.name, budget: budget))
        }
    }
}

enum BenchReport {
    static func text(_ r: Benchmark.Result, network: String, budget: MemoryBudget) -> String {
        var lines = ["\(network): batch \(r.batch), \(r.threads == 1 ? "1 thread" : "\(r.threads) threads"), \(r.kernels.rawValue) kernels, median of \(r.iterations) (\(CPUInfo.summary))"]
        lines.append(r.trainSeconds == 0 ? "  training   not timed (--inference-only)"
                     : "  training   \(Format.decimal(r.trainImagesPerSecond, places: 1)) images/s  "
                     + "(\(Format.decimal(r.trainSeconds * 1000, places: 2)) ms/step, \(Format.decimal(r.trainGFLOPs, places: 1)) GFLOP/s)")
        lines.append("  inference  \(Format.decimal(r.inferImagesPerSecond, places: 1)) images/s  "
                     + "(\(Format.decimal(r.inferSeconds * 1000, places: 2)) ms/batch, \(Format.decimal(r.inferGFLOPs, places: 1)) GFLOP/s)")
        let estimate = Double(budget.total ?? 0), peak = Double(max(r.peakResidentBytes, 1))
        lines.append("  peak memory \(Format.decimal(peak / 1_048_576, places: 1)) MiB resident"
                     + " (estimated before allocating, as cnnc params --batch \(r.batch) prints it: "
                     + "\(Format.decimal(estimate / 1_048_576, places: 1)) MiB, \(Format.decimal(estimate / peak, places: 2))× the measured peak)")
        // Only inference timed: its breakdown has no backward column.
        let training = r.trainSeconds > 0
        var table = TextTable(headers: ["layer", "kind", "forward ms"] + (training ? ["backward ms"] : []) + ["forward GFLOP/s", "share"],
                              numeric: [false, false, true] + (training ? [true] : []) + [true, true])
        let total = r.layers.filter { $0.depth == 0 }.reduce(0) { $0 + $1.forward + $1.backward }
        for layer in r.layers {
            let name = String(repeating: "  ", count: layer.depth) + layer.name
            if layer.fused {
                table.rows.append([name, layer.kind, "fused"] + (training ? ["fused"] : []) + ["", ""])
                continue
            }
            let rate = layer.timedMultiplyAdds > 0 && layer.forward > 0
                ? Format.decimal(2 * Double(layer.timedMultiplyAdds) * Double(r.batch) / layer.forward / 1e9, places: 1) : ""
            table.rows.append([name, layer.kind, Format.decimal(layer.forward * 1000, places: 3)]
                              + (training ? [Format.decimal(layer.backward * 1000, places: 3)] : [])
                              + [rate, Format.percent(total > 0 ? (layer.forward + layer.backward) / total : 0)])
        }
        if r.layers.isEmpty { return lines.joined(separator: "\n") }
        lines.append(training
            ? "\nper layer (median of separately timed steps; a block's layers indented under it, their share of the"
                + " whole step; 'fused': runs inside the layer before it):\n" + table.rendered(indent: "  ")
            : "\nper layer, inference (median of separately timed batches; a block's layers indented under it, their share"
                + " of the whole batch; 'fused': runs inside the layer before it, as a batchnorm folded into its conv, or a"
                + " MobileNet block's convs inside its first conv, whose GFLOP/s count them):\n"
                + table.rendered(indent: "  "))
        return lines.joined(separator: "\n")
    }

    static func json(_ r: Benchmark.Result, network: String, budget: MemoryBudget) -> JSONValue {
        .object([
            ("network", .string(network)), ("batch", .int(r.batch)), ("threads", .int(r.threads)), ("iterations", .int(r.iterations)),
            ("kernels", .string(r.kernels.rawValue)), ("cpu", .string(CPUInfo.summary)),
            ("train_images_per_s", .double((r.trainImagesPerSecond * 100).rounded() / 100)),
            ("infer_images_per_s", .double((r.inferImagesPerSecond * 100).rounded() / 100)),
            ("train_gflops", .double((r.trainGFLOPs * 10).rounded() / 10)),
            ("infer_gflops", .double((r.inferGFLOPs * 10).rounded() / 10)),
            ("forward_multiply_adds_per_image", .int(r.forwardMultiplyAdds)),
            ("peak_rss_bytes", .int(r.peakResidentBytes)), ("budget_bytes", .int(budget.total ?? 0)),
            ("layers_timed", .string(r.trainSeconds > 0 ? "training" : "inference")),
            ("layers", .array(r.layers.map { layer in
                .object([("name", .string(layer.name)), ("kind", .string(layer.kind)), ("depth", .int(layer.depth)),
                         ("fused", .bool(layer.fused)), ("forward_multiply_adds_per_image", .int(layer.multiplyAdds)),
                         ("forward_ms", .double((layer.forward * 1e6).rounded() / 1e3)),
                         ("backward_ms", .double((layer.backward * 1e6).rounded() / 1e3))])
            })),
        ])
    }
}

extension ConvolutionKernels: ExpressibleByArgument {}
