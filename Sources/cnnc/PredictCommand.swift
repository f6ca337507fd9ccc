import ArgumentParser
import CNNData
import CNNIR
import CNNRuntime
import Foundation

struct PredictCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "predict",
        abstract: "Classify PNG, JPEG, PGM or PPM images with trained weights.")

    @Argument(help: "Spec file the weights were trained with.", completion: .file(extensions: ["yaml", "yml"])) var spec: String
    @Option(help: "Checkpoint (.safetensors).", completion: .file(extensions: ["safetensors"])) var weights: String
    @Argument(help: "Images (PNG, JPEG, PGM or PPM), converted to the network's channels (grey or RGB) and resized to its input as the spec's train.resize says (default: stretched, bilinear).") var images: [String]
    @Flag(help: "Invert grey levels (dark digits on light paper, as photographed; MNIST is light on dark).") var invert = false
    @Option(help: "Largest image read, in pixels (default 2^26 = 67,108,864: 8192 × 8192); checked from the file's header before decoding.")
    var maxPixels: Int = ImageReader.defaultMaxPixels
    @Option(help: "Show the k most probable classes of each image.") var top: Int = 5
    @Flag(help: "Print JSON: for each image its class, the class's name (from the checkpoint; null without), probability and the top k.")
    var json = false
    @OptionGroup var compute: ComputeOptions

    func validate() throws {
        // Beyond 2^32 pixels (4.3 gigapixels, 12 GiB as RGB floats) the size arithmetic of the decoders could overflow.
        if !(1...(1 << 32)).contains(maxPixels) { throw ValidationError("--max-pixels must be from 1 to 4294967296 (2^32)") }
        if top < 1 { throw ValidationError("--top must be at least 1") }
    }

    func run() throws {
        try CPURequirement.check()
        let analysis = try compute.analysis(spec)
        let input = analysis.network.input
        guard input.channels == 1 || input.channels == 3 else {
            DiagnosticRenderer.error("predict reads grey or RGB images; \(analysis.network.name) takes \(input.channels) channels")
            throw ExitCode(1)
        }
        // One image at a time: the batch is 1, and threads split batches, so one thread unless --threads asks for more.
        let threads = compute.threads ?? 1
        try Report.catching { () throws(ResourceError) in try MemoryBudget.inference(analysis, batchCapacity: 1, threads: threads).check() }
        let model = Model(analysis, batchCapacity: 1, threads: threads, kernels: compute.kernels)
        let metadata = try Report.catching { () throws(CheckpointError) in try Checkpoint.load(model.parameters, from: weights) }
        model.normalization = try Report.catching { () throws(CheckpointError) in
            try Normalization(metadata: metadata, channels: input.channels, path: weights)
        }
        let names = ClassNames.decode(metadata: metadata)
        // As the training images were brought to the input's size, when the spec says how.
        let resize = analysis.network.training?.resize ?? ImageResize(mode: .stretch, filter: .bilinear)
        var reports: [JSONValue] = []
        for path in images {
            let decoded = try Report.catching { () throws(DataError) in
                try ImageReader.read(path: path, channels: input.channels, maxPixels: maxPixels)
            }
            let image = resize.apply(to: decoded, width: input.width, height: input.height)
            let pixels = image.planarFloats
            if input.channels == 1 && !invert {
                let border = Prediction.borderMean(pixels, channels: 1, height: input.height, width: input.width)
                if border > 0.5 {
                    DiagnosticRenderer.warning("\(path): its border is bright (mean grey \(Format.decimal(Double(border), places: 2)) of 1), where "
                                               + "MNIST's and Fashion-MNIST's are dark; if it is dark ink on light paper, add --invert")
                }
            }
            let probabilities = try Report.catching { () throws(EvaluationError) in
                try Prediction.probabilities(model, pixels: pixels, invert: invert, weights: weights, image: path)
            }
            let ranked = Prediction.top(probabilities, k: top)
            if json { reports.append(PredictionReport.json(image: path, top: ranked, names: names)) } else {
                print(PredictionReport.line(image: path, top: ranked, names: names))
            }
        }
        if json {
            print(JSONValue.object([("weights", .string(weights)), ("class_names", names.map { .array($0.map(JSONValue.string)) } ?? .null),
                                    ("images", .array(reports))]).rendered())
        }
    }
}
