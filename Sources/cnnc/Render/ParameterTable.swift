import CNNAnalysis
import CNNIR

/// The per-layer parameter report of `cnnc params`.
enum ParameterTable {
    /// `depth`: levels of blocks listed open, as in `LayerTable`.
    static func render(_ analysis: NetworkAnalysis, depth maximumDepth: Int? = nil) -> String {
        // The buffers column only for networks that have any (batchnorm's running statistics).
        let showBuffers = analysis.buffers > 0
        var table = TextTable(headers: ["layer", "kind", "output", "params"] + (showBuffers ? ["buffers"] : []) + ["share"],
                              numeric: [false, false, false, true] + (showBuffers ? [true] : []) + [true])
        for layer in analysis.layers where layer.storedValues > 0 {
            for (depth, _, row) in LayerTree.rows(layer, label: "") where row.storedValues > 0 && depth <= maximumDepth ?? .max {
                table.rows.append([LayerTree.indent(depth) + row.name, KindDescription.of(row), Format.output(row),
                                   Format.grouped(row.trainableParameters)]
                                  + (showBuffers ? [Format.grouped(row.buffers)] : [])
                                  + [Format.share(row.trainableParameters, of: analysis.trainableParameters)])
            }
        }
        let notes = (analysis.trainableParameters >= 10_000 ? [Format.human(analysis.trainableParameters)] : [])
            + (showBuffers ? ["+ \(Format.grouped(analysis.buffers)) buffers"] : [])
        let note = notes.isEmpty ? "" : " (" + notes.joined(separator: "; ") + ")"
        return "\(analysis.network.name): \(Format.grouped(analysis.trainableParameters)) parameters\(note)\n" + table.rendered(indent: "  ")
    }

    /// The line under `cnnc params`' tables: what its figures count (docs/spec.md, Reports).
    static let convention = "params: learned (batchnorm's running mean and variance are buffers); MACs: multiply-adds of conv, local "
        + "and dense layers; other ops: batchnorm, pooling, activations, residual adds (docs/spec.md, Reports)"
}

/// Several networks side by side: parameters, the ratio to a baseline, multiply-adds and receptive fields.
enum ComparisonTable {
    static func render(_ analyses: [NetworkAnalysis]) -> String {
        var table = TextTable(headers: ["network", "input", "output", "params", "", "vs", "ratio", "buffers", "MACs", "MAC ratio",
                                        "other ops", "RF (last conv)", "RF (output)"],
                              numeric: [false, false, false, true, true, false, true, true, true, true, true, true, true])
        let byName = Dictionary(analyses.map { ($0.network.name, $0) }, uniquingKeysWith: { first, _ in first })
        // With no `compare_to` anywhere, everything is compared with the first network;
        // otherwise a network without one starts a new group and is its own baseline.
        let anyExplicit = analyses.contains { $0.network.compareTo != nil }
        let first = analyses[0]
        for analysis in analyses {
            let fallback = anyExplicit ? analysis : first
            let baseline = analysis.network.compareTo.flatMap { byName[$0] } ?? fallback
            let isOwnBaseline = baseline.network.name == analysis.network.name
            let ratio = Double(analysis.trainableParameters) / Double(max(baseline.trainableParameters, 1))
            let macRatio = Double(analysis.totalMultiplyAdds) / Double(max(baseline.totalMultiplyAdds, 1))
            table.rows.append([
                analysis.network.name, analysis.network.input.description, Format.shape(analysis.output, isVector: analysis.outputIsVector),
                Format.grouped(analysis.trainableParameters), "(\(Format.scientific(analysis.trainableParameters)))",
                isOwnBaseline ? "" : baseline.network.name,
                isOwnBaseline ? "1.00x" : ratioText(ratio),
                Format.grouped(analysis.buffers),
                Format.grouped(analysis.totalMultiplyAdds), isOwnBaseline ? "1.00x" : ratioText(macRatio),
                Format.grouped(analysis.totalOtherOperations),
                analysis.lastSpatialReceptiveField.sizeDescription, analysis.receptiveField.sizeDescription,
            ])
        }
        return "comparison\n" + table.rendered(indent: "  ")
    }

    /// The comparison as a GitHub Markdown table, for a README's model table (`cnnc params --markdown`):
    /// one row per network, without the ratio columns.
    static func markdown(_ analyses: [NetworkAnalysis]) -> String {
        var lines = ["| network | input | params | buffers | MACs | other ops | RF (last conv) |",
                     "| --- | --- | ---: | ---: | ---: | ---: | ---: |"]
        for analysis in analyses {
            let cells = [markdownCell(analysis.network.name), analysis.network.input.description,
                         Format.grouped(analysis.trainableParameters), Format.grouped(analysis.buffers),
                         Format.grouped(analysis.totalMultiplyAdds), Format.grouped(analysis.totalOtherOperations),
                         analysis.lastSpatialReceptiveField.sizeDescription]
            lines.append("| " + cells.joined(separator: " | ") + " |")
        }
        return lines.joined(separator: "\n")
    }

    /// A name as a table cell: `|` would end the cell and a newline the row.
    static func markdownCell(_ text: String) -> String {
        var out = ""
        for character in text {
            switch character {
            case "\\", "|": out += "\\" + String(character)
            case "\n", "\r", "\r\n": out += " "
            default: out.append(character)
            }
        }
        return out
    }

    /// 0.72, 1.96, 1e-4 … : enough digits to read, never "0.00".
    static func ratioText(_ ratio: Double) -> String {
        if ratio >= 0.01 { return Format.decimal(ratio, places: 2) + "x" }
        var exponent = 0
        var mantissa = ratio
        while mantissa < 1 && mantissa > 0 { mantissa *= 10; exponent -= 1 }
        return "\(Format.decimal(mantissa, places: 1))e\(exponent)x"
    }
}
