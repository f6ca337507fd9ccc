import CNNAnalysis
import CNNIR

/// A JSON value with ordered object keys, so reports are byte-stable.
indirect enum JSONValue {
    case string(String)
    case int(Int)
    case double(Double)
    case bool(Bool)
    case null
    case array([JSONValue])
    case object([(String, JSONValue)])

    func rendered(indent: Int = 0) -> String {
        let pad = String(repeating: "  ", count: indent)
        let inner = String(repeating: "  ", count: indent + 1)
        switch self {
        case .string(let s): return Self.quoted(s)
        case .int(let i): return "\(i)"
        case .double(let d): return d.isFinite ? (d == d.rounded() && abs(d) < 1e15 ? "\(Int(d))" : "\(d)") : "null"
        case .bool(let b): return b ? "true" : "false"
        case .null: return "null"
        case .array(let items):
            if items.isEmpty { return "[]" }
            // Short arrays of numbers stay on one line: [16, 28, 28].
            if items.count <= 4, items.allSatisfy({ if case .int = $0 { return true }; return false }) {
                return "[" + items.map { $0.rendered() }.joined(separator: ", ") + "]"
            }
            return "[\n" + items.map { inner + $0.rendered(indent: indent + 1) }.joined(separator: ",\n") + "\n\(pad)]"
        case .object(let pairs):
            if pairs.isEmpty { return "{}" }
            return "{\n" + pairs.map { inner + Self.quoted($0.0) + ": " + $0.1.rendered(indent: indent + 1) }.joined(separator: ",\n") + "\n\(pad)}"
        }
    }

    static func quoted(_ s: String) -> String {
        var out = "\""
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\t": out += "\\t"
            case "\r": out += "\\r"
            default:
                if scalar.value < 0x20 {
                    let hex = String(scalar.value, radix: 16)
                    out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out + "\""
    }
}

/// The `--json` report of `check` and `params`: `{"networks": [...]}`. Scripts read it: keep keys stable.
///
/// `params` are learned parameters and `buffers` batchnorm's running statistics; `macs` are the
/// multiply-adds of conv, local and dense layers and `other_ops` every other operation (docs/spec.md,
/// Reports). `output` is always [C, H, W]; `output_shape` is the shape as PyTorch gives it for one
/// image: [units] for a feature vector, else [C, H, W].
enum JSONReport {
    static func networks(_ analyses: [NetworkAnalysis]) -> JSONValue {
        .object([("networks", .array(analyses.map(network)))])
    }

    static func network(_ analysis: NetworkAnalysis) -> JSONValue {
        .object([
            ("name", .string(analysis.network.name)),
            ("input", shape(analysis.network.input)),
            ("output", shape(analysis.output)),
            ("output_shape", shape(analysis.output, isVector: analysis.outputIsVector)),
            ("params", .int(analysis.trainableParameters)),
            ("buffers", .int(analysis.buffers)),
            ("total_macs", .int(analysis.totalMultiplyAdds)),
            ("total_other_ops", .int(analysis.totalOtherOperations)),
            ("activation_bytes", .int(analysis.activationBytesPerImage)),
            ("compare_to", analysis.network.compareTo.map(JSONValue.string) ?? .null),
            ("rf", field(analysis.receptiveField.height)),
            ("rf_width", field(analysis.receptiveField.width)),
            ("rf_last_conv", field(analysis.lastSpatialReceptiveField.height)),
            ("rf_last_conv_width", field(analysis.lastSpatialReceptiveField.width)),
            ("layers", .array(analysis.layers.map(layer))),
        ])
    }

    static func layer(_ layer: LayerAnalysis) -> JSONValue {
        .object([
            ("name", .string(layer.name)),
            ("kind", .string(layer.layer.kind.keyword)),
            ("output", shape(layer.output)),
            ("output_shape", shape(layer.output, isVector: layer.outputIsVector)),
            ("params", .int(layer.trainableParameters)),
            ("buffers", .int(layer.buffers)),
            ("macs", .int(layer.multiplyAdds)),
            ("other_ops", .int(layer.otherOperations)),
            ("rf", field(layer.receptiveField.height)),
            ("rf_width", field(layer.receptiveField.width)),
            ("line", .int(layer.layer.location.line)),
            ("column", .int(layer.layer.location.column)),
        ] + (layer.branches.isEmpty ? [] : [("branches", .array(layer.branches.map { .array($0.map(Self.layer)) }))])
          + (layer.shortcut.isEmpty ? [] : [("shortcut", .array(layer.shortcut.map(Self.layer)))]))
    }

    static func shape(_ s: Shape) -> JSONValue { .array([.int(s.channels), .int(s.height), .int(s.width)]) }

    /// [units] for a feature vector, [C, H, W] otherwise.
    static func shape(_ s: Shape, isVector: Bool) -> JSONValue { isVector ? .array([.int(s.count)]) : shape(s) }

    /// Receptive field along the height axis (`rf`) or width axis (`rf_width`).
    static func field(_ f: ReceptiveField) -> JSONValue {
        .object([("size", .int(f.size)), ("jump", .int(f.jump)), ("start", .double(f.start))])
    }
}

extension JSONReport {
    /// `cnnc diff --json`: both networks' totals and every layer entry, `old` and `new` as in `check --json`
    /// without their branches (the branches' layers are entries of their own, at `depth` + 1).
    static func diff(_ diff: NetworkDiff) -> JSONValue {
        func brief(_ layer: LayerAnalysis?) -> JSONValue {
            guard let layer else { return .null }
            return .object([
                ("name", .string(layer.name)), ("kind", .string(layer.layer.kind.keyword)), ("output", shape(layer.output)),
                ("params", .int(layer.trainableParameters)), ("macs", .int(layer.multiplyAdds)),
                ("activation_bytes", .int(4 * layer.output.count)), ("rf", field(layer.receptiveField.height)),
            ])
        }
        func totals(_ analysis: NetworkAnalysis) -> JSONValue {
            .object([("name", .string(analysis.network.name)), ("params", .int(analysis.trainableParameters)),
                     ("total_macs", .int(analysis.totalMultiplyAdds)), ("total_other_ops", .int(analysis.totalOtherOperations)),
                     ("activation_bytes", .int(analysis.activationBytesPerImage))])
        }
        return .object([
            ("old", totals(diff.old)), ("new", totals(diff.new)),
            ("params_delta", .int(diff.parameterDelta)), ("macs_delta", .int(diff.multiplyAddDelta)),
            ("other_ops_delta", .int(diff.otherOperationDelta)), ("activation_bytes_delta", .int(diff.activationByteDelta)),
            ("layers", .array(diff.entries.map { entry in
                .object([("change", .string(entry.change.rawValue)), ("depth", .int(entry.depth)),
                         ("old", brief(entry.old)), ("new", brief(entry.new)),
                         ("params_delta", .int(entry.parameterDelta)), ("macs_delta", .int(entry.multiplyAddDelta)),
                         ("activation_bytes_delta", .int(entry.activationByteDelta))])
            })),
        ])
    }
}
