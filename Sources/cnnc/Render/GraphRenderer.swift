import CNNAnalysis
import CNNIR

/// Graphviz DOT for `cnnc graph`: one box per layer (name, kind, parameters), the tensor's shape on
/// each edge, branch points as fan-outs into a concat node, residual blocks as an add node with the
/// shortcut dashed. Blocks below `depth` become one node each. Several networks become side-by-side
/// clusters of one graph.
struct GraphRenderer {
    struct Options {
        /// Graphviz's rankdir: TB (top to bottom) or LR (left to right).
        var rankdir = "TB"
        /// Levels of blocks drawn open: 0 draws every top-level layer as one node; nil opens every block.
        var depth: Int? = nil
        /// Each node also shows its receptive field (size and jump).
        var receptiveField = false
    }

    private var lines: [String] = []
    private var nextID = 0
    private var options = Options()

    static func dot(_ analyses: [NetworkAnalysis], options: Options = Options()) -> String {
        var renderer = GraphRenderer()
        renderer.options = options
        renderer.lines = [
            "digraph cnnc {",
            "  rankdir=\(options.rankdir); newrank=true; nodesep=0.25; ranksep=0.3;",
            "  node [shape=box, style=\"rounded,filled\", fontname=\"Helvetica\", fontsize=10, fillcolor=\"#ffffff\"];",
            "  edge [color=\"#555555\", arrowsize=0.6, fontname=\"Helvetica\", fontsize=8, fontcolor=\"#666666\"];",
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
        let inputShape = Format.shape(net.input, isVector: false)
        let last = sequence(analysis.layers, from: (input, inputShape), depth: 0)
        let output = node(label: "output\n\(Format.shape(analysis.output, isVector: analysis.outputIsVector))", shape: "ellipse", color: "#eeeeee")
        edge(last, output)
        lines.append("  }")
    }

    /// A node and the shape of the tensor leaving it, for the label of the edges out of it.
    typealias Port = (id: String, shape: String)

    /// Emits the layers in order after `from`, blocks at `depth`; returns the last node.
    private mutating func sequence(_ layers: [LayerAnalysis], from start: Port, depth: Int) -> Port {
        var previous = start
        for layer in layers {
            let output = Format.output(layer)
            let open = options.depth.map { depth < $0 } ?? true
            switch layer.layer.kind {
            case .concat where open:
                let ends = layer.branches.map { sequence($0, from: previous, depth: depth + 1) }
                let join = node(label: "\(layer.name)\nconcat" + field(layer), shape: "invtrapezium", color: "#fff2b3")
                for end in ends { edge(end, join) }
                previous = (join, output)
            case .residual where open:
                let bodyEnd = sequence(layer.branches[0], from: previous, depth: depth + 1)
                var shortcut = previous
                for (k, step) in layer.shortcut.enumerated() {
                    let id = node(label: describe(step), color: Self.color(of: step.layer.kind))
                    edge(shortcut, id, attributes: k == 0 ? "style=dashed" : nil)
                    shortcut = (id, Format.output(step))
                }
                let sum = node(label: "\(layer.name)\n+" + field(layer), shape: "circle", color: "#fff2b3")
                edge(bodyEnd, sum)
                edge(shortcut, sum, attributes: "style=dashed", identity: layer.shortcut.isEmpty)
                previous = (sum, output)
            default:
                let id = node(label: describe(layer), color: Self.color(of: layer.layer.kind))
                edge(previous, id)
                previous = (id, output)
            }
        }
        return previous
    }

    /// Name, kind (a closed block: its kind and how many layers it holds) and parameters.
    private func describe(_ layer: LayerAnalysis) -> String {
        var label = "\(layer.name)\n\(KindDescription.of(layer))"
        let inside = NetworkDiff.flattened(layer.branches.flatMap { $0 } + layer.shortcut).count
        if inside > 0 { label += "\n\(Format.count(inside, "layer")) inside" }
        if layer.trainableParameters > 0 { label += "\n\(Format.grouped(layer.trainableParameters)) params" }
        return label + field(layer)
    }

    /// "\nRF 27, jump 4" when asked for.
    private func field(_ layer: LayerAnalysis) -> String {
        guard options.receptiveField else { return "" }
        let rf = layer.receptiveField
        let jump = rf.height.jump == rf.width.jump ? "\(rf.height.jump)" : "\(rf.height.jump)x\(rf.width.jump)"
        return "\nRF \(rf.sizeDescription), jump \(jump)"
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

    /// An edge labelled with the shape of the tensor it carries (" identity" added for a residual's own input).
    private mutating func edge(_ from: Port, _ to: String, attributes: String? = nil, identity: Bool = false) {
        let label = "label=" + Self.quoted(" " + from.shape + (identity ? " (identity)" : ""))
        lines.append("    \(from.id) -> \(to) [" + ([attributes, label].compactMap { $0 }.joined(separator: ", ")) + "];")
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
