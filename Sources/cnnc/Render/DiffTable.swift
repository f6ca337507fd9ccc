import CNNAnalysis
import CNNIR

/// The report of `cnnc diff`: the layers that differ, then the totals of both networks and their change.
enum DiffTable {
    static func render(_ diff: NetworkDiff, all: Bool) -> String {
        let (old, new) = (diff.old.network, diff.new.network)
        var lines = ["\(old.name) → \(new.name): input \(Format.transition(old.input.description, new.input.description))"]
        let shown = all ? diff.entries : diff.changedEntries
        if shown.isEmpty {
            lines.append("  no layer differs")
        } else {
            var table = TextTable(headers: ["", "layer", "kind", "output", "params", "Δ params", "Δ MACs", "Δ memory", "RF"],
                                  numeric: [false, false, false, false, true, true, true, true, false])
            for entry in shown {
                table.rows.append(row(entry))
            }
            lines.append(table.rendered(indent: "  "))
        }
        let counts = Dictionary(grouping: diff.entries, by: \.change).mapValues(\.count)
        let summary = [NetworkDiff.Change.changed, .renamed, .moved, .added, .removed, .same].compactMap { change in
            counts[change].map { "\($0) \(change.rawValue)" }
        }
        let marks = Set(shown.map(mark))
        let legend = [("~", "changed"), (">", "renamed"), (">~", "renamed and changed"), ("^", "moved"), ("^~", "moved and changed"),
                      ("+", "added"), ("-", "removed")].filter { marks.contains($0.0) }.map { "\($0.0) \($0.1)" }
        lines.append("  layers: " + summary.joined(separator: ", ") + (legend.isEmpty ? "" : " (" + legend.joined(separator: ", ") + ")"))
        lines.append(total("parameters", diff.old.trainableParameters, diff.new.trainableParameters))
        lines.append(total("multiply-adds per image", diff.old.totalMultiplyAdds, diff.new.totalMultiplyAdds))
        lines.append(total("other operations per image", diff.old.totalOtherOperations, diff.new.totalOtherOperations))
        lines.append("  activation memory per image: " + Format.transition(Format.bytes(diff.old.activationBytesPerImage),
                                                                           Format.bytes(diff.new.activationBytesPerImage))
                     + changeNote(diff.old.activationBytesPerImage, diff.new.activationBytesPerImage, Format.signedBytes))
        lines.append("  receptive field before the classifier: "
                     + Format.transition(diff.old.lastSpatialReceptiveField.sizeDescription, diff.new.lastSpatialReceptiveField.sizeDescription)
                     + " pixels")
        return lines.joined(separator: "\n")
    }

    /// "~" changed, ">" renamed, "^" moved (with "~" when also changed), "+" added, "-" removed, "=" same.
    static func mark(_ entry: NetworkDiff.Entry) -> String {
        switch entry.change {
        case .same: "="
        case .changed: "~"
        case .renamed: entry.differsBesidesName ? ">~" : ">"
        case .moved: entry.differsBesidesName ? "^~" : "^"
        case .added: "+"
        case .removed: "-"
        }
    }

    static func row(_ entry: NetworkDiff.Entry) -> [String] {
        let indent = LayerTree.indent(entry.depth)
        func both(_ value: (LayerAnalysis) -> String) -> String {
            switch (entry.old, entry.new) {
            case (let old?, let new?): return Format.transition(value(old), value(new))
            case (let old?, nil): return value(old)
            case (nil, let new?): return value(new)
            case (nil, nil): return ""
            }
        }
        return [mark(entry), indent + both(\.name), both(KindDescription.of), both(Format.output),
                both { Format.grouped($0.trainableParameters) }, Format.signed(entry.parameterDelta),
                Format.signed(entry.multiplyAddDelta), Format.signedBytes(entry.activationByteDelta),
                both { $0.receptiveField.sizeDescription }]
    }

    /// "  parameters: 1,600 → 640 (-960, -60.0%; 1.6 k → 640)".
    static func total(_ what: String, _ old: Int, _ new: Int) -> String {
        "  \(what): " + Format.transition(Format.grouped(old), Format.grouped(new)) + changeNote(old, new, Format.signed)
            + (max(old.magnitude, new.magnitude) >= 10_000 ? " [\(Format.transition(Format.human(old), Format.human(new)))]" : "")
    }

    static func changeNote(_ old: Int, _ new: Int, _ signed: (Int) -> String) -> String {
        old == new ? " (unchanged)" : " (" + signed(new - old) + (old != 0 ? ", " + Format.relative(old, new) : "") + ")"
    }
}
