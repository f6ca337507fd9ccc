import CNNRuntime

/// `--init-weights`' report: what was loaded and what was not, with the tensors named.
enum InitialWeightsReport {
    static func render(_ report: InitialWeights) -> String {
        func names(_ list: [String]) -> String {
            list.prefix(8).joined(separator: ", ") + (list.count > 8 ? ", … (\(list.count) in all)" : "")
        }
        var lines = ["loaded \(report.loaded.count) tensor\(report.loaded.count == 1 ? "" : "s")"]
        if !report.refused.isEmpty {
            lines.append("  refused, shape differs, left at init: "
                         + report.refused.prefix(8).map { "\($0.name) (\(Format.shape($0.checkpoint)) there, \(Format.shape($0.spec)) here)" }
                            .joined(separator: ", "))
        }
        if !report.leftAtInit.isEmpty { lines.append("  not in the checkpoint, left at init: " + names(report.leftAtInit)) }
        if !report.skipped.isEmpty { lines.append("  in the checkpoint, not in the spec, skipped: " + names(report.skipped)) }
        return lines.joined(separator: "\n")
    }
}
