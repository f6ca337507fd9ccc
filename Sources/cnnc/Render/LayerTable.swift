import CNNAnalysis
import CNNIR

/// The per-layer report of `cnnc check`.
enum LayerTable {
    /// `depth`: levels of blocks listed open (0: one row per top-level layer, a block's row summing its layers); nil: all.
    static func render(_ analysis: NetworkAnalysis, depth maximumDepth: Int? = nil) -> String {
        // The buffers column only for networks that have any (batchnorm's running statistics).
        let showBuffers = analysis.buffers > 0
        var table = TextTable(
            headers: ["#", "layer", "kind", "output", "params"] + (showBuffers ? ["buffers"] : []) + ["MACs", "share", "other ops", "RF", "jump", "start"],
            numeric: [true, false, false, false, true] + (showBuffers ? [true] : []) + [true, true, true, true, true, true])
        table.rows.append(["", "input", "", analysis.network.input.description, ""] + (showBuffers ? [""] : []) + ["", "", "", "1", "1", "0.5"])
        for (i, layer) in analysis.layers.enumerated() {
            for (depth, label, row) in LayerTree.rows(layer, label: "\(i + 1)") where depth <= maximumDepth ?? .max {
                let rf = row.receptiveField
                let square = rf.height == rf.width
                table.rows.append([
                    label, LayerTree.indent(depth) + row.name, KindDescription.of(row), Format.output(row),
                    Format.grouped(row.trainableParameters)]
                    + (showBuffers ? [Format.grouped(row.buffers)] : []) + [
                    Format.grouped(row.multiplyAdds), row.multiplyAdds == 0 ? "" : Format.share(row.multiplyAdds, of: analysis.totalMultiplyAdds),
                    Format.grouped(row.otherOperations), rf.sizeDescription,
                    square ? "\(rf.height.jump)" : "\(rf.height.jump)x\(rf.width.jump)",
                    square ? Format.start(rf.height.start) : "\(Format.start(rf.height.start))x\(Format.start(rf.width.start))",
                ])
            }
        }
        var lines = ["\(analysis.network.name): input \(analysis.network.input), \(analysis.layers.count) layers",
                     table.rendered(indent: "  ")]
        lines.append("  parameters: \(Format.grouped(analysis.trainableParameters)) (\(Format.human(analysis.trainableParameters)), learned)")
        if showBuffers {
            lines.append("  buffers: \(Format.grouped(analysis.buffers)) (batchnorm running mean and variance, not learned)")
        }
        lines.append("  multiply-adds per image: \(Format.grouped(analysis.totalMultiplyAdds)) (\(Format.human(analysis.totalMultiplyAdds)) MACs "
                     + "= \(Format.human(2 * analysis.totalMultiplyAdds)) FLOPs, a multiply-add counting as 2; conv, local and dense layers; "
                     + "share: of this total)")
        lines.append("  other operations per image: \(Format.grouped(analysis.totalOtherOperations)) (\(Format.human(analysis.totalOtherOperations)); "
                     + "batchnorm, pooling, activations, residual adds)")
        lines.append("  activation memory per image: \(Format.bytes(analysis.activationBytesPerImage)) (forward pass, float32)")
        lines.append("  receptive field of the output: \(analysis.receptiveField.sizeDescription) pixels")
        lines.append("  receptive field before the classifier: \(analysis.lastSpatialReceptiveField.sizeDescription) pixels "
                     + "(the last conv or pooling layer's)")
        return lines.joined(separator: "\n")
    }
}

/// A layer and, under a branching one, its branches' layers: (depth, row label, layer), depth first.
/// Branch b of a concat is labelled `b`; its layers are indented one step per level.
enum LayerTree {
    static func rows(_ layer: LayerAnalysis, label: String, depth: Int = 0) -> [(Int, String, LayerAnalysis)] {
        var rows = [(depth, label, layer)]
        let many = layer.branches.count > 1
        for (b, branch) in layer.branches.enumerated() {
            for (k, child) in branch.enumerated() {
                rows += Self.rows(child, label: many && k == 0 ? "b\(b + 1)" : "", depth: depth + 1)
            }
        }
        // A residual's shortcut: `proj` for the automatic projection, `short` for layers the user wrote.
        var shortcutLabel = "short"
        if case .residual(let residual) = layer.layer.kind, case .automatic = residual.shortcut { shortcutLabel = "proj" }
        for (k, step) in layer.shortcut.enumerated() {
            rows += Self.rows(step, label: k == 0 ? shortcutLabel : "", depth: depth + 1)
        }
        return rows
    }

    static func indent(_ depth: Int) -> String { String(repeating: "  ", count: depth) }
}

/// "conv 3x3/2 p1", "maxpool 2", "dense", … : a layer's kind with its window in a few characters.
enum KindDescription {
    static func of(_ layer: LayerAnalysis) -> String {
        switch layer.layer.kind {
        case .concat(let branches): return "concat, \(branches.count) branches"
        case .residual(let residual):
            if layer.shortcut.isEmpty { return "residual (+ input)" }
            if case .automatic = residual.shortcut { return "residual (+ 1x1 projection)" }
            return "residual (+ shortcut)"
        case .squeezeExcite(let se): return "squeeze_excite \(se.squeeze), \(se.activation.rawValue), \(se.gate.rawValue)"
        case .channelShuffle(let shuffle): return "channel_shuffle g\(shuffle.groups)"
        case .slice(let slice): return "slice \(slice.from)..<\(slice.to)"
        case .spp(let pyramid): return "spp \(pyramid.mode.rawValue) " + pyramid.levels.map(String.init).joined(separator: ",")
        case .adaptiveAvgPool(let pool), .adaptiveMaxPool(let pool):
            return "\(layer.layer.kind.keyword) \(pool.size.height)x\(pool.size.width)"
        default: break
        }
        var text = layer.layer.kind.keyword
        if case .conv(let c) = layer.layer.kind, c.groups > 1 { text += " g\(c.groups)" }
        guard let window = layer.window else { return text }
        text += " \(window.size.height)x\(window.size.width)"
        if window.stride != Size2(square: 1) { text += "/\(window.stride)" }
        if window.dilation != Size2(square: 1) { text += " d\(window.dilation)" }
        let p = window.padding
        if p != ResolvedPadding(top: 0, bottom: 0, left: 0, right: 0) { text += " p\(p)" }
        if window.ceil { text += " ceil" }
        return text
    }
}
