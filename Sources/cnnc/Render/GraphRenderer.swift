import CNNAnalysis
import CNNIR

/// Graphviz DOT for `cnnc graph`: one box per layer (name, kind, output shape, parameters), branch
/// points as fan-outs into a concat node, residual blocks as an add node with the shortcut dashed.
/// Several networks become side-by-side clusters of one graph.
struct GraphRenderer {
    private var lines: [String] = []
    private var nextID = 0

    static func dot(_ analyses: [NetworkAnalysis]) -> String {
        var renderer = GraphRenderer()
        renderer.lines = [
            "digraph cnnc {",
            "  rankdir=TB; newrank=true; nodesep=0.25; ranksep=0.3;",
            "  node [shape=box, style=\"rounded,filled\", fontname=\"Helvetica\", fontsize=10, fillcolor=\"#ffffff\"];",
            "  edge [color=\"#555555\", arrowsize=0.6];",
        ]
        for (n, analysis) in analyses.enumerated() {
            renderer.network(analysis, index: n)
        }
        renderer.lines.append("}")
        return renderer.lines.joined(separator: "\n") + "\n"
    }

    private mutating func network(_ analysis: NetworkAnalysis, index: Int) {
        let net = analysis.network
        lines.append("  subgraph cluster_\(index) {")
        let title = "\(net.name): \(Format.grouped(analysis.trainableParameters)) parameters, "
            + "\(Format.grouped(analysis.totalMultiplyAdds)) multiply-adds"
        lines.append("    label=\(Self.quoted(title)); labeljust=l; fontname=\"Helvetica-Bold\"; fontsize=12; color=\"#bbbbbb\";")
        let input = node(label: "input\n\(net.input)", shape: "ellipse", color: "#eeeeee")
        let last = sequence(analysis.layers, from: input)
        let output = node(label: "output\n\(Format.shape(analysis.output, isVector: analysis.outputIsVector))", shape: "ellipse", color: "#eeeeee")
        edge(last, output)
        lines.append("  }")
    }

    /// Emits the layers in order after `from`; returns the id of the last node.
    private mutating func sequence(_ layers: [LayerAnalysis], from start: String) -> String {
        var previous = start
        for layer in layers {
            switch layer.layer.kind {
            case .concat:
                let ends = layer.branches.map { sequence($0, from: previous) }
                let join = node(label: "\(layer.name)\nconcat\n\(Format.output(layer))", shape: "invtrapezium", color: "#fff2b3")
                for end in ends { edge(end, join) }
                previous = join
            case .residual:
                let bodyEnd = sequence(layer.branches[0], from: previous)
                var shortcut = previous
                for (k, step) in layer.shortcut.enumerated() {
                    let id = node(label: describe(step), color: Self.color(of: step.layer.kind))
                    edge(shortcut, id, attributes: k == 0 ? "style=dashed" : nil)
                    shortcut = id
                }
                let sum = node(label: "\(layer.name)\n+\n\(Format.output(layer))", shape: "circle", color: "#fff2b3")
                edge(bodyEnd, sum)
                edge(shortcut, sum, attributes: layer.shortcut.isEmpty ? "style=dashed, label=\" identity\", fontsize=9" : "style=dashed")
                previous = sum
            default:
                let id = node(label: describe(layer), color: Self.color(of: layer.layer.kind))
                edge(previous, id)
                previous = id
            }
        }
        return previous
    }

    private func describe(_ layer: LayerAnalysis) -> String {
        var label = "\(layer.name)\n\(KindDescription.of(layer))\n\(Format.output(layer))"
        if layer.trainableParameters > 0 { label += "\n\(Format.grouped(layer.trainableParameters)) params" }
        return label
    }

    private static func color(of kind: LayerKind) -> String {
        switch kind {
        case .conv, .local: "#cfe2ff"
        case .maxPool, .avgPool, .globalAvgPool, .spp, .adaptiveAvgPool, .adaptiveMaxPool: "#d4edda"
        case .dense: "#ffe0b3"
        case .batchNorm, .dropout: "#f0f0f0"
        case .relu, .sigmoid, .tanh, .relu6, .leakyReLU, .elu, .silu, .hardswish, .hardsigmoid, .gelu, .identity, .flatten: "#ffffff"
        case .channelShuffle, .slice: "#f0f0f0"
        case .squeezeExcite: "#e8dcf5"
        case .concat, .residual: "#fff2b3"
        }
    }

    private mutating func node(label: String, shape: String = "box", color: String) -> String {
        nextID += 1
        let id = "n\(nextID)"
        lines.append("    \(id) [label=\(Self.quoted(label)), shape=\(shape), fillcolor=\"\(color)\"];")
        return id
    }

    private mutating func edge(_ from: String, _ to: String, attributes: String? = nil) {
        lines.append("    \(from) -> \(to)" + (attributes.map { " [\($0)]" } ?? "") + ";")
    }

    /// A DOT string: quotes and backslashes escaped, newlines as centred line breaks.
    static func quoted(_ text: String) -> String {
        var out = "\""
        for character in text {
            switch character {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            default: out.append(character)
            }
        }
        return out + "\""
    }
}
