import ArgumentParser
import CNNData
import CNNIR
import CNNRuntime
import Foundation

struct EvalCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "eval",
        abstract: "Accuracy and confusion matrix of trained weights on the test set; several --weights form an ensemble.")

    @Argument(help: "Spec file the weights were trained with.", completion: .file(extensions: ["yaml", "yml"])) var spec: String
    @Option(name: .long, parsing: .upToNextOption, help: "Checkpoints (.safetensors); several average their softmax outputs.",
            completion: .file(extensions: ["safetensors"]))
    var weights: [String]
    @OptionGroup var runtime: RuntimeOptions
    @Option(help: "Evaluate only the first N test images.") var limit: Int?
    @Option(help: "Write the first model's logits, one row per image, as CSV.") var logits: String?
    @Flag(help: "Print JSON: accuracy as a fraction and the confusion matrix.") var json = false

    func validate() throws {
        if weights.isEmpty { throw ValidationError("give at least one --weights FILE") }
        if let limit, limit < 1 { throw ValidationError("--limit must be at least 1 image") }
    }

    func run() throws {
        try CPURequirement.check()
        let analysis = try runtime.analysis(spec)
        try Report.catching { () throws(ResourceError) in
            try MemoryBudget.inference(analysis, batchCapacity: 100, threads: runtime.threadCount).check(copies: weights.count)
        }
        var metadata: [String: String] = [:]
        let models = try weights.map { path in
            let model = Model(analysis, batchCapacity: 100, threads: runtime.threadCount, kernels: runtime.kernels)
            let stored = try Report.catching { () throws(CheckpointError) in try Checkpoint.load(model.parameters, from: path) }
            if metadata.isEmpty { metadata = stored }
            model.normalization = try Report.catching { () throws(CheckpointError) in
                try Normalization(metadata: stored, channels: analysis.network.input.channels, path: path)
            }
            return model
        }
        // A folder without a test split holds out the images of the seed the weights were trained with (--seed may
        // have replaced the spec's): the checkpoint says which.
        let data = try runtime.dataSource(for: analysis, seed: metadata["seed"].flatMap { UInt64($0) })
        // The names the first checkpoint was trained with, else the data's own. Labels are matched by index: names
        // that differ may be two spellings of the same classes (a folder "0-t-shirt" for "T-shirt/top"), or a shift.
        let trained = ClassNames.decode(metadata: metadata)
        if let trained, let classes = data.classNames, trained != classes {
            let differ = DataError.classesDiffer(directory: data.directory, classes: classes, checkpoint: weights[0], trained: trained)
            DiagnosticRenderer.warning(differ.message + "; labels are matched by their index (" + (differ.hint ?? "") + ")")
        }
        let names = trained ?? data.classNames
        try Report.catching { () throws(DataError) in try data.checkLabels(classes: models[0].outputCount, includingTrain: false) }
        let evaluation = try Report.catching { () throws(EvaluationError) in
            try Evaluation.checked(models, weights: weights, on: data.test.dataset(), threads: runtime.threadCount, keepOutputs: logits != nil,
                                   range: limit.map { 0..<$0 })
        }
        if let logits, let values = evaluation.logits {
            let classes = models[0].outputCount
            var csv = ""
            for n in 0..<evaluation.count {
                csv += values[(n * classes)..<((n + 1) * classes)].map { "\($0)" }.joined(separator: ",") + "\n"
            }
            try Report.catching { () throws(CheckpointError) in try AtomicFile.write(Data(csv.utf8), to: logits) }
        }
        if json {
            print(JSONValue.object([
                ("accuracy", .double(evaluation.accuracy)), ("correct", .int(evaluation.correct)), ("count", .int(evaluation.count)),
                ("loss", .double(evaluation.loss)), ("weights", .array(weights.map(JSONValue.string))),
                ("confusion", .array(evaluation.confusion.map { .array($0.map(JSONValue.int)) })),
                ("class_names", names.map { .array($0.map(JSONValue.string)) } ?? .null),
            ]).rendered())
            return
        }
        let label = weights.count > 1 ? "ensemble of \(weights.count)" : weights[0]
        print("\(analysis.network.name) (\(label)): accuracy \(Format.percent(evaluation.accuracy)) "
              + "(\(Format.grouped(evaluation.correct))/\(Format.grouped(evaluation.count))), loss \(Format.decimal(evaluation.loss, places: 4))")
        print(ConfusionTable.render(evaluation.confusion, names: names))
    }
}
