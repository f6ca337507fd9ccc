import CNNAnalysis
import CNNIR

/// The per-layer parameter report of `cnnc params`.
enum ParameterTable {
    static func render(_ analysis: NetworkAnalysis) -> String {
        var table = TextTable(headers: ["layer", "kind", "output", "weights+biases", "share"],
                              numeric: [false, false, false, true, true])
        let total = max(analysis.totalParameters, 1)
        for layer in analysis.layers where layer.parameters > 0 {
            for (depth, _, row) in LayerTree.rows(layer, label: "") where row.parameters > 0 {
                table.rows.append([LayerTree.indent(depth) + row.name, KindDescription.of(row), row.output.description,
                                   Format.grouped(row.parameters),
                                   Format.decimal(100 * Double(row.parameters) / Double(total), places: 1) + "%"])
            }
        }
        return "\(analysis.network.name): \(Format.grouped(analysis.totalParameters)) parameters\n" + table.rendered(indent: "  ")
    }
}

/// Several networks side by side: parameters, the ratio to a baseline, multiply-adds and receptive field.
enum ComparisonTable {
    static func render(_ analyses: [NetworkAnalysis]) -> String {
        var table = TextTable(headers: ["network", "input", "output", "params", "", "vs", "ratio", "MACs", "MAC ratio", "RF"],
                              numeric: [false, false, false, true, true, false, true, true, true, true])
        let byName = Dictionary(analyses.map { ($0.network.name, $0) }, uniquingKeysWith: { first, _ in first })
        // With no `compare_to` anywhere, everything is compared with the first network;
        // otherwise a network without one starts a new group and is its own baseline.
        let anyExplicit = analyses.contains { $0.network.compareTo != nil }
        let first = analyses[0]
        for analysis in analyses {
            let fallback = anyExplicit ? analysis : first
            let baseline = analysis.network.compareTo.flatMap { byName[$0] } ?? fallback
            let isOwnBaseline = baseline.network.name == analysis.network.name
            let ratio = Double(analysis.totalParameters) / Double(max(baseline.totalParameters, 1))
            let macRatio = Double(analysis.totalMultiplyAdds) / Double(max(baseline.totalMultiplyAdds, 1))
            table.rows.append([
                analysis.network.name, analysis.network.input.description, analysis.output.description,
                Format.grouped(analysis.totalParameters), "(\(Format.scientific(analysis.totalParameters)))",
                isOwnBaseline ? "" : baseline.network.name,
                isOwnBaseline ? "1.00x" : ratioText(ratio),
                Format.grouped(analysis.totalMultiplyAdds), isOwnBaseline ? "1.00x" : ratioText(macRatio),
                analysis.receptiveField.sizeDescription,
            ])
        }
        return "comparison\n" + table.rendered(indent: "  ")
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
