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
            graph starts with Sub(mean) and Div(std) per channel. The output is the last layer's (logits, before softmax). \
            The run's class names, when the checkpoint has them, are the model's metadata 'class_names' (a JSON array).
            """)

    @Argument(help: "Spec file the weights were trained with.") var spec: String
    @Option(help: "Checkpoint (.safetensors).") var weights: String
    @Option(name: .shortAndLong, help: "Output file (default <network name>.onnx).") var output: String?
    @Option(help: "ONNX opset (13 to 17).") var opset = 17
    @Option(help: "Which network of a multi-document spec.") var network: String?
    @OptionGroup var overrides: SpecOptions

    func run() throws {
        let options = try ComputeOptions.parse((network.map { ["--network", $0] } ?? []) + overrides.overrides.flatMap { ["--set", $0] })
        let analysis = try options.analysis(spec)
        try Report.catching { () throws(ResourceError) in try MemoryBudget.inference(analysis, batchCapacity: 1, threads: 1).check() }
        // Loading into a model checks every tensor's name and shape against the spec.
        let model = Model(analysis, batchCapacity: 1, threads: 1)
        let metadata = try Report.catching { () throws(CheckpointError) in try Checkpoint.load(model.parameters, from: weights) }
        let normalization = try Report.catching { () throws(CheckpointError) in
            try Normalization(metadata: metadata, channels: analysis.network.input.channels, path: weights)
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
              + "\(Format.bytes(data.count)) (open it in Netron: https://netron.app)")
    }
}
