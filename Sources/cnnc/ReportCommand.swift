import ArgumentParser
import CNNData
import CNNIR
import CNNRuntime
import Foundation

struct ReportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "Write one self-contained HTML page about a training run: summary, curves, confusion matrix with class names, "
            + "the most confidently wrong test images, the layer table, the graph and the spec.",
        discussion: """
            Evaluates the run's best.safetensors (or --weights) on the run's test data, as cnnc eval would. The page \
            loads nothing: the images are inline, the graph (through Graphviz's dot, when installed) and the curves \
            are inline SVG.
            """)

    @Argument(help: "Run folder (as cnnc train wrote it).", completion: .directory) var folder: String
    @Option(name: .shortAndLong, help: "Output file (default RUN/report.html).") var output: String?
    @Option(help: "Which checkpoint of the run: best or last.") var weights: WhichWeights = .best
    @Option(help: "How many of the most confidently wrong test images to show.") var mistakes = 24
    @OptionGroup var runtime: RuntimeOptions

    enum WhichWeights: String, ExpressibleByArgument, CaseIterable {
        case best, last
    }

    func validate() throws {
        if mistakes < 0 { throw ValidationError("--mistakes must be 0 or more") }
    }

    func run() throws {
        try CPURequirement.check()
        let (folder, record) = try Report.catching { () throws(RunFolderError) in try RunFolder.existing(out: self.folder, network: nil) }
        let specPath = folder + "/spec.yaml"
        let analysis = try runtime.analysis(specPath)
        let weightsPath = folder + "/\(weights.rawValue).safetensors"
        let model = Model(analysis, batchCapacity: 100, threads: runtime.threadCount, kernels: runtime.kernels)
        let metadata = try Report.catching { () throws(CheckpointError) in try Checkpoint.load(model.parameters, from: weightsPath) }
        model.normalization = try Report.catching { () throws(CheckpointError) in
            try Normalization(metadata: metadata, channels: analysis.network.input.channels, path: weightsPath)
        }
        var training = analysis.network.training ?? TrainingConfig()
        training.seed = record.seed
        let data = try runtime.dataSource(directory: runtime.data ?? record.data, format: record.dataFormat.flatMap(DataFormat.init(rawValue:)),
                                          input: analysis.network.input, training: training, quiet: true)
        let test = data.test.dataset()
        let evaluation = try Report.catching { () throws(EvaluationError) in
            try Evaluation.checked([model], weights: [weightsPath], on: test, threads: runtime.threadCount, keepOutputs: true)
        }
        let wrong = Evaluation.mostConfidentMistakes(probabilities: evaluation.probabilities ?? [], labels: test.labels,
                                                     classes: model.outputCount, limit: mistakes)
        let size = test.imageSize
        let images = wrong.map { mistake in
            (mistake, BitmapImage.bmp(test.pixels[(mistake.image * size)..<((mistake.image + 1) * size)],
                                      channels: test.channels, height: test.height, width: test.width))
        }
        let csv = (try? String(contentsOfFile: folder + "/metrics.csv", encoding: .utf8)) ?? ""
        let rows = csv.split(separator: "\n").dropFirst().compactMap(MetricsRecorder.parse)
        var graph: String?
        if let dot = GraphCommand.findDot() {
            graph = try? String(decoding: GraphCommand.render(GraphRenderer.dot([analysis]), format: "svg", with: dot), as: UTF8.self)
        }
        let report = HTMLReport(analysis: analysis, folder: folder, record: record,
                                specText: (try? String(contentsOfFile: specPath, encoding: .utf8)) ?? "",
                                metrics: rows, graphSVG: graph, curvesSVG: try? String(contentsOfFile: folder + "/curves.svg", encoding: .utf8),
                                weights: weightsPath, evaluation: evaluation, classNames: ClassNames.decode(metadata: metadata) ?? data.classNames,
                                mistakes: images)
        let path = output ?? folder + "/report.html"
        try Report.catching { () throws(CheckpointError) in try AtomicFile.write(Data(report.rendered().utf8), to: path) }
        print("wrote \(path): \(analysis.network.name), \(Format.percent(evaluation.accuracy)) on \(Format.count(evaluation.count, "test image")), "
              + "\(Format.count(wrong.count, "mistake")) shown" + (graph == nil ? " (no graph: Graphviz's dot is not installed)" : ""))
    }
}
