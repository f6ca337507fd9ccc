import CNNAnalysis
import CNNIR

/// The per-layer report of `cnnc check`.
enum LayerTable {
    static func render(_ analysis: NetworkAnalysis) -> String {
        var table = TextTable(
            headers: ["#", "layer", "kind", "output", "params", "MACs", "RF", "jump", "start"],
            numeric: [true, false, false, false, true, true, true, true, true])
        table.rows.append(["", "input", "", analysis.network.input.description, "", "", "1", "1", "0.5"])
        for (i, layer) in analysis.layers.enumerated() {
            let rf = layer.receptiveField
            let square = rf.height == rf.width
            table.rows.append([
                "\(i + 1)", layer.name, KindDescription.of(layer), layer.output.description,
                Format.grouped(layer.parameters), Format.grouped(layer.multiplyAdds), rf.sizeDescription,
                square ? "\(rf.height.jump)" : "\(rf.height.jump)x\(rf.width.jump)",
                square ? Format.start(rf.height.start) : "\(Format.start(rf.height.start))x\(Format.start(rf.width.start))",
            ])
        }
        var lines = ["\(analysis.network.name): input \(analysis.network.input), \(analysis.layers.count) layers",
                     table.rendered(indent: "  ")]
        let nonTrainable = analysis.nonTrainableParameters
        lines.append("  parameters: \(Format.grouped(analysis.totalParameters))"
                     + (nonTrainable > 0 ? " (\(Format.grouped(analysis.trainableParameters)) trainable, \(Format.grouped(nonTrainable)) running statistics)" : ""))
        lines.append("  multiply-adds per image: \(Format.grouped(analysis.totalMultiplyAdds))")
        lines.append("  activation memory per image: \(Format.bytes(analysis.activationBytesPerImage)) (forward pass, float32)")
        lines.append("  receptive field of the output: \(analysis.receptiveField.sizeDescription) pixels")
        return lines.joined(separator: "\n")
    }
}

/// "conv 3x3/2 p1", "maxpool 2", "dense", … : a layer's kind with its window in a few characters.
enum KindDescription {
    static func of(_ layer: LayerAnalysis) -> String {
        var text = layer.layer.kind.keyword
        if case .conv(let c) = layer.layer.kind, c.groups > 1 { text += " g\(c.groups)" }
        guard let window = layer.window else { return text }
        text += " \(window.size.height)x\(window.size.width)"
        if window.stride != Size2(square: 1) { text += "/\(window.stride)" }
        if window.dilation != Size2(square: 1) { text += " d\(window.dilation)" }
        let p = window.padding
        if p != ResolvedPadding(top: 0, bottom: 0, left: 0, right: 0) { text += " p\(p)" }
        return text
    }
}
