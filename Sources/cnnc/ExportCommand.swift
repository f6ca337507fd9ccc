import ArgumentParser
import CNNData
import CNNExport
import CNNIR
import CNNRuntime
import Foundation

struct ExportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Write a trained network as an ONNX model (for ONNX Runtime, Netron and other tools).",
        discussion: """
            Standard ONNX operators only, the checkpoint's tensors as initializers, a dynamic batch \
            dimension, and the spec's layer names on nodes. The input is NCHW float32 named 'input', \
            pixels in [0, 1] (8-bit value / 255); when the weights were trained with train.normalize, the \
            graph starts with Sub(mean) and Div(std) per channel. The output, named 'logits', is the last layer's, before \
            softmax (dropout is the identity in inference and has no node; when an earlier layer is named 'logits' and \
            other layers follow it, the output keeps the last layer's name). Every layer's tensor carries its shape \
            (value_info), so Netron shows shapes on the edges. The run's class names, when the checkpoint has them, \
            are the model's metadata 'class_names' (a JSON array). --random-init exports an untrained design, with \
            weights drawn from the spec's init schemes, to look at it in Netron.
            """)

    @Argument(help: "Spec file the weights were trained with.", completion: .file(extensions: ["yaml", "yml"])) var spec: String
    @Option(help: "Checkpoint (.safetensors).", completion: .file(extensions: ["safetensors"])) var weights: String?
    @Flag(name: .customLong("random-init"), help: "No checkpoint: weights drawn from the spec's init schemes (an untrained design, for Netron).")
    var randomInit = false
    @Option(help: "With --random-init: the seed of the draw.") var seed: UInt64 = 1
    @Option(name: .shortAndLong, help: "Output file (default <network name>.onnx).") var output: String?
    @Option(help: "ONNX opset (13 to 17).") var opset = 17
    @Option(help: "Which network of a multi-document spec.") var network: String?
    @OptionGroup var overrides: SpecOptions

    func validate() throws {
        if (weights == nil) == !randomInit {
            throw ValidationError(randomInit ? "--weights and --random-init exclude each other: choose one"
                                             : "give --weights CHECKPOINT, or --random-init for an untrained design")
        }
    }

    func run() throws {
        let options = try ComputeOptions.parse((network.map { ["--network", $0] } ?? []) + overrides.overrides.flatMap { ["--set", $0] })
        let analysis = try options.analysis(spec)
        try Report.catching { () throws(ResourceError) in try MemoryBudget.inference(analysis, batchCapacity: 1, threads: 1).check() }
        // Loading into a model checks every tensor's name and shape against the spec.
        let model = Model(analysis, batchCapacity: 1, threads: 1)
        var metadata: [String: String] = [:]
        var normalization: Normalization?
        if let weights {
            metadata = try Report.catching { () throws(CheckpointError) in try Checkpoint.load(model.parameters, from: weights) }
            normalization = try Report.catching { () throws(CheckpointError) in
                try Normalization(metadata: metadata, channels: analysis.network.input.channels, path: weights)
            }
        } else {
            model.parameters.initialize(seed: seed)
        }
        let classNames = ClassNames.decode(metadata: metadata).map { [ClassNames.metadataKey: ClassNames.encode($0)] } ?? [:]
        let data = try Report.catching { () throws(ExportError) in
            try ONNXExporter.export(analysis, parameters: model.parameters, normalization: normalization, metadata: classNames,
                                    opset: opset, producerVersion: CNNC.configuration.version)
        }
        let path = output ?? "\(RunFolder.sanitized(analysis.network.name)).onnx"
        try Report.catching { () throws(CheckpointError) in try AtomicFile.write(data, to: path) }
        print("wrote \(path): \(analysis.network.name), opset \(opset), \(Format.grouped(analysis.trainableParameters)) parameters"
              + (analysis.buffers > 0 ? " and \(Format.grouped(analysis.buffers)) buffers, " : ", ")
              + "\(Format.bytes(data.count))" + (randomInit ? ", untrained (random init, seed \(seed))" : "")
              + " (open it in Netron: https://netron.app)")
    }
}
