import CNNAnalysis
import CNNIR
import CNNRuntime
import Foundation
import SwiftProtobuf

/// Why a network cannot be exported, with what to do instead.
public enum ExportError: Error, Sendable {
    case unsupportedLayer(layer: String, kind: String, at: SourceLocation)
    case unsupportedOpset(Int)

    public var message: String {
        switch self {
        case .unsupportedLayer(let layer, let kind, _):
            return "layer '\(layer)' (\(kind)) has no ONNX operator"
        case .unsupportedOpset(let opset):
            return "opset \(opset) is not supported"
        }
    }

    public var hint: String? {
        switch self {
        case .unsupportedLayer:
            return "a locally connected layer cannot be expressed with standard ONNX operators; replace it with a conv to export"
        case .unsupportedOpset:
            return "use --opset between \(ONNXExporter.opsets.lowerBound) and \(ONNXExporter.opsets.upperBound) (default 17)"
        }
    }

    public var location: SourceLocation? {
        if case .unsupportedLayer(_, _, let at) = self { return at }
        return nil
    }
}

/// Writes a network and its weights as an ONNX model: standard operators only, NCHW tensors,
/// a dynamic batch dimension named `batch`, the spec's layer names on nodes and on their outputs,
/// and the checkpoint's tensors (PyTorch layouts, which are ONNX's) as initializers.
public enum ONNXExporter {
    /// Opsets whose operators and attribute forms this exporter writes (Slice/Unsqueeze take tensor
    /// inputs from 13; ReduceMax/ReduceMean move their axes to an input at 18).
    public static let opsets = 13...17

    /// `normalization`, when the weights were trained with one, becomes the graph's first two nodes,
    /// `Sub(input, mean)` and `Div(·, std)` with constants of shape [1, C, 1, 1], so that the exported
    /// model takes the same input as an unnormalised one: pixels in [0, 1]. `metadata` becomes the model's
    /// `metadata_props` (key order kept sorted), e.g. the run's `class_names` as a JSON array of strings.
    public static func export(_ analysis: NetworkAnalysis, parameters: ParameterStore, normalization: Normalization? = nil,
                              metadata: [String: String] = [:], opset: Int = 17, producerVersion: String) throws(ExportError) -> Data {
        guard opsets.contains(opset) else { throw .unsupportedOpset(opset) }
        var values: [String: (shape: [Int], data: UnsafeMutablePointer<Float>)] = [:]
        for entry in parameters.entries {
            values[entry.name] = (entry.spec.shape, parameters.values.baseAddress! + entry.offset)
        }
        var builder = GraphBuilder(parameters: values, opset: opset)
        let input = analysis.network.input
        var first = "input"
        if let normalization {
            first = builder.normalize("input", normalization)
        }
        var (output, rank) = try builder.sequence(analysis.layers, from: first, rank: 4)
        // The output is `logits`: the tensor of a layer named so (DeepConvNet's last dense, before a dropout that
        // inference skips), or an Identity of the last tensor. Only when an earlier layer took the name and
        // more layers follow it is the output the last layer's tensor.
        if output != outputName && !builder.producedNames.contains(outputName) {
            builder.node("Identity", name: outputName, inputs: [output])
            output = outputName
        }

        var graph = Onnx_GraphProto()
        graph.name = analysis.network.name
        graph.node = builder.nodes
        graph.initializer = builder.initializers
        graph.input = [valueInfo("input", dims: [input.channels, input.height, input.width])]
        let out = analysis.output
        graph.output = [valueInfo(output, dims: rank == 4 ? [out.channels, out.height, out.width] : [out.count])]
        // Every layer's tensor with its shape, so that viewers (Netron) show shapes on the edges.
        graph.valueInfo = builder.layerTensors.filter { $0.name != output }.map { tensor in
            valueInfo(tensor.name, dims: tensor.rank == 4 ? [tensor.shape.channels, tensor.shape.height, tensor.shape.width]
                                                          : [tensor.shape.count])
        }
        graph.docString = "exported by cnnc from the spec's network '\(analysis.network.name)'"

        var model = Onnx_ModelProto()
        model.irVersion = 8
        model.producerName = "cnnc"
        model.producerVersion = producerVersion
        model.graph = graph
        model.metadataProps = metadata.sorted { $0.key < $1.key }.map { key, value in
            var entry = Onnx_StringStringEntryProto()
            (entry.key, entry.value) = (key, value)
            return entry
        }
        var set = Onnx_OperatorSetIdProto()
        set.domain = ""
        set.version = Int64(opset)
        model.opsetImport = [set]
        do {
            return try model.serializedData()
        } catch {
            preconditionFailure("serializing a complete ModelProto cannot fail: \(error)")
        }
    }

    /// The name of the graph's output.
    public static let outputName = "logits"

    /// A float tensor value with a dynamic batch dimension in front of `dims`.
    static func valueInfo(_ name: String, dims: [Int]) -> Onnx_ValueInfoProto {
        var shape = Onnx_TensorShapeProto()
        var batch = Onnx_TensorShapeProto.Dimension()
        batch.dimParam = "batch"
        shape.dim = [batch] + dims.map { value in
            var dim = Onnx_TensorShapeProto.Dimension()
            dim.dimValue = Int64(value)
            return dim
        }
        var tensor = Onnx_TypeProto.Tensor()
        tensor.elemType = 1 // FLOAT
        tensor.shape = shape
        var type = Onnx_TypeProto()
        type.tensorType = tensor
        var info = Onnx_ValueInfoProto()
        info.name = name
        info.type = type
        return info
    }
}

/// Accumulates nodes and initializers while walking the analysed layers.
struct GraphBuilder {
    let parameters: [String: (shape: [Int], data: UnsafeMutablePointer<Float>)]
    /// The opset written (some operators, e.g. HardSwish, appear only from a given one).
    let opset: Int
    var nodes: [Onnx_NodeProto] = []
    var initializers: [Onnx_TensorProto] = []
    /// The tensors named after layers, with their shape and rank, in order.
    var layerTensors: [(name: String, shape: Shape, rank: Int)] = []

    /// The names of every node's outputs so far.
    var producedNames: Set<String> { Set(nodes.flatMap(\.output)) }

    /// Emits `layers` after the tensor `input` of the given rank (4: [N, C, H, W]; 2: [N, F]);
    /// returns the last tensor's name and rank.
    mutating func sequence(_ layers: [LayerAnalysis], from input: String, rank: Int) throws(ExportError) -> (String, Int) {
        var (current, currentRank) = (input, rank)
        for layer in layers {
            (current, currentRank) = try emit(layer, input: current, rank: currentRank)
            if current == layer.name { layerTensors.append((layer.name, layer.output, currentRank)) }
        }
        return (current, currentRank)
    }

    mutating func emit(_ layer: LayerAnalysis, input: String, rank: Int) throws(ExportError) -> (String, Int) {
        let name = layer.name
        switch layer.layer.kind {
        case .conv(let conv):
            let x = try fourD(input, rank: rank, shape: layer.input, name: name)
            let w = layer.window!
            var inputs = [x, weight(name + ".weight")]
            if conv.bias { inputs.append(weight(name + ".bias")) }
            node("Conv", name: name, inputs: inputs, attributes: [
                .ints("kernel_shape", [w.size.height, w.size.width]),
                .ints("strides", [w.stride.height, w.stride.width]),
                .ints("pads", [w.padding.top, w.padding.left, w.padding.bottom, w.padding.right]),
                .ints("dilations", [w.dilation.height, w.dilation.width]),
                .int("group", conv.groups),
            ])
            return (name, 4)
        case .local:
            throw .unsupportedLayer(layer: name, kind: "local", at: layer.layer.location)
        case .maxPool, .avgPool:
            let x = try fourD(input, rank: rank, shape: layer.input, name: name)
            let w = layer.window!
            // ceil: ONNX's ceil_mode gives ⌈span/S⌉ + 1 without PyTorch's rule that drops a last window starting
            // past the input (onnx's shape inference keeps it; ONNX Runtime 1.32 drops it). Where that rule applies,
            // the same windows are written as ceil_mode 0 with the trailing padding grown to reach the last window,
            // (out − 1)·S + K − (in + P_before), which stays below K. Either way partial windows read real pixels
            // only: max ignores padding and the average divides by the pixels read (count_include_pad 0).
            let axes = w.axes(input: layer.input)
            let explicit = w.ceil && axes.contains { $0.lastWindowPastInput }
            let after = axes.map { axis in
                explicit ? max(axis.after, (axis.output - 1) * axis.stride + axis.kernel - axis.input - axis.before) : axis.after
            }
            var attributes: [Attribute] = [
                .ints("kernel_shape", [w.size.height, w.size.width]),
                .ints("strides", [w.stride.height, w.stride.width]),
                .ints("pads", [w.padding.top, w.padding.left, after[0], after[1]]),
                .int("ceil_mode", w.ceil && !explicit ? 1 : 0),
            ]
            let isMax: Bool
            if case .maxPool = layer.layer.kind { isMax = true } else { isMax = false }
            if !isMax { attributes.append(.int("count_include_pad", 0)) }
            node(isMax ? "MaxPool" : "AveragePool", name: name, inputs: [x], attributes: attributes)
            return (name, 4)
        case .globalAvgPool:
            node("GlobalAveragePool", name: name, inputs: [try fourD(input, rank: rank, shape: layer.input, name: name)])
            return (name, 4)
        case .spp(let pyramid):
            return (try spp(pyramid, layer: layer, input: try fourD(input, rank: rank, shape: layer.input, name: name)), 4)
        case .adaptiveAvgPool, .adaptiveMaxPool:
            adaptive(layer, input: try fourD(input, rank: rank, shape: layer.input, name: name))
            return (name, 4)
        case .flatten:
            // [N, C, H, W] → [N, C·H·W] in (C, H, W) order; already flat after a dense layer.
            node(rank == 4 ? "Flatten" : "Identity", name: name, inputs: [input], attributes: rank == 4 ? [.int("axis", 1)] : [])
            return (name, 2)
        case .dense(let dense):
            var x = input
            if rank == 4 {
                x = name + "/flatten"
                node("Flatten", name: x, inputs: [input], attributes: [.int("axis", 1)])
            }
            var inputs = [x, weight(name + ".weight")]
            if dense.bias { inputs.append(weight(name + ".bias")) }
            node("Gemm", name: name, inputs: inputs, attributes: [.int("transB", 1)])
            return (name, 2)
        case .dropout:
            return (input, rank) // inference: dropout is the identity, so no node (the output keeps its producer's name)
        case .batchNorm(let config):
            node("BatchNormalization", name: name,
                 inputs: [input, weight(name + ".weight"), weight(name + ".bias"), weight(name + ".running_mean"), weight(name + ".running_var")],
                 attributes: [.float("epsilon", config.epsilon), .float("momentum", 1 - config.momentum)])
            return (name, rank)
        case .relu, .sigmoid, .tanh:
            let op = switch layer.layer.kind { case .relu: "Relu"; case .sigmoid: "Sigmoid"; default: "Tanh" }
            node(op, name: name, inputs: [input])
            return (name, rank)
        case .relu6:
            // Clip takes min and max as inputs from opset 11 on (cnnc exports 13 and later).
            constant(name + "/min", float: 0)
            constant(name + "/max", float: 6)
            node("Clip", name: name, inputs: [input, name + "/min", name + "/max"])
            return (name, rank)
        case .leakyReLU(let slope):
            node("LeakyRelu", name: name, inputs: [input], attributes: [.float("alpha", slope)])
            return (name, rank)
        case .elu(let alpha):
            node("Elu", name: name, inputs: [input], attributes: [.float("alpha", alpha)])
            return (name, rank)
        case .silu:
            node("Sigmoid", name: name + "/sigmoid", inputs: [input])
            node("Mul", name: name, inputs: [input, name + "/sigmoid"])
            return (name, rank)
        case .hardsigmoid:
            // ONNX's HardSigmoid is max(0, min(1, alpha·x + beta)); alpha 1/6, beta 1/2 is relu6(x + 3)/6.
            node("HardSigmoid", name: name, inputs: [input], attributes: [.float("alpha", 1.0 / 6), .float("beta", 0.5)])
            return (name, rank)
        case .hardswish:
            if opset >= 14 {
                node("HardSwish", name: name, inputs: [input])
            } else { // HardSwish is new in opset 14: x·HardSigmoid(x).
                node("HardSigmoid", name: name + "/hardsigmoid", inputs: [input],
                     attributes: [.float("alpha", 1.0 / 6), .float("beta", 0.5)])
                node("Mul", name: name, inputs: [input, name + "/hardsigmoid"])
            }
            return (name, rank)
        case .gelu:
            // Gelu is new in opset 20 (cnnc exports up to 17): 0.5·x·(1 + erf(x/√2)) spelled out.
            constant(name + "/sqrt2", float: Float(2.0.squareRoot()))
            constant(name + "/one", float: 1)
            constant(name + "/half", float: 0.5)
            node("Div", name: name + "/scaled", inputs: [input, name + "/sqrt2"])
            node("Erf", name: name + "/erf", inputs: [name + "/scaled"])
            node("Add", name: name + "/cdf2", inputs: [name + "/erf", name + "/one"])
            node("Mul", name: name + "/x_cdf2", inputs: [input, name + "/cdf2"])
            node("Mul", name: name, inputs: [name + "/x_cdf2", name + "/half"])
            return (name, rank)
        case .identity:
            node("Identity", name: name, inputs: [input])
            return (name, rank)
        case .concat:
            let x = try fourD(input, rank: rank, shape: layer.input, name: name)
            var ends: [String] = []
            for branch in layer.branches {
                let (end, endRank) = try sequence(branch, from: x, rank: 4)
                ends.append(try fourD(end, rank: endRank, shape: branch.last!.output, name: end))
            }
            node("Concat", name: name, inputs: ends, attributes: [.int("axis", 1)])
            return (name, 4)
        case .residual:
            let (bodyEnd, bodyRank) = try sequence(layer.branches[0], from: input, rank: rank)
            var (shortcut, shortcutRank) = (input, rank)
            if !layer.shortcut.isEmpty {
                (shortcut, shortcutRank) = try sequence(layer.shortcut, from: input, rank: rank)
            }
            // The two paths have the same shape but may differ in rank (a dense at the end of one of them).
            if bodyRank != shortcutRank {
                return (try addFourD(name: name, bodyEnd, bodyRank, shortcut, shortcutRank, shape: layer.output), 4)
            }
            node("Add", name: name, inputs: [bodyEnd, shortcut])
            return (name, bodyRank)
        case .squeezeExcite(let se):
            let x = try fourD(input, rank: rank, shape: layer.input, name: name)
            node("GlobalAveragePool", name: name + "/pool", inputs: [x])
            let squeeze = name + "_squeeze", excite = name + "_excite"
            node("Conv", name: squeeze, inputs: [name + "/pool", weight(squeeze + ".weight"), weight(squeeze + ".bias")],
                 attributes: [.ints("kernel_shape", [1, 1])])
            let activated = name + "/" + se.activation.rawValue
            switch se.activation {
            case .relu: node("Relu", name: activated, inputs: [squeeze])
            case .silu:
                node("Sigmoid", name: activated + "/sigmoid", inputs: [squeeze])
                node("Mul", name: activated, inputs: [squeeze, activated + "/sigmoid"])
            }
            node("Conv", name: excite, inputs: [activated, weight(excite + ".weight"), weight(excite + ".bias")],
                 attributes: [.ints("kernel_shape", [1, 1])])
            let gated = name + "/" + se.gate.rawValue
            switch se.gate {
            case .sigmoid: node("Sigmoid", name: gated, inputs: [excite])
            case .hardsigmoid: // relu6(x + 3)/6 as ONNX's max(0, min(1, alpha·x + beta))
                node("HardSigmoid", name: gated, inputs: [excite], attributes: [.float("alpha", 1.0 / 6), .float("beta", 0.5)])
            }
            node("Mul", name: name, inputs: [x, gated]) // [N, C, H, W] · [N, C, 1, 1], broadcast
            return (name, 4)
        case .channelShuffle(let shuffle):
            let x = try fourD(input, rank: rank, shape: layer.input, name: name)
            let i = layer.input
            constant(name + "/grouped_shape", int64s: [-1, shuffle.groups, i.channels / shuffle.groups, i.height, i.width])
            node("Reshape", name: name + "/grouped", inputs: [x, name + "/grouped_shape"])
            node("Transpose", name: name + "/transposed", inputs: [name + "/grouped"], attributes: [.ints("perm", [0, 2, 1, 3, 4])])
            constant(name + "/shape", int64s: [-1, i.channels, i.height, i.width])
            node("Reshape", name: name, inputs: [name + "/transposed", name + "/shape"])
            return (name, 4)
        case .slice(let slice):
            let x = try fourD(input, rank: rank, shape: layer.input, name: name)
            constant(name + "/starts", int64s: [slice.from])
            constant(name + "/ends", int64s: [slice.to])
            constant(name + "/axes", int64s: [1])
            node("Slice", name: name, inputs: [x, name + "/starts", name + "/ends", name + "/axes"])
            return (name, 4)
        }
    }

    /// A residual's sum when one path ends in a 2-D tensor and the other in a 4-D one: both as 4-D.
    mutating func addFourD(name: String, _ a: String, _ aRank: Int, _ b: String, _ bRank: Int, shape: Shape) throws(ExportError) -> String {
        let first = try fourD(a, rank: aRank, shape: shape, name: name + "/body")
        let second = try fourD(b, rank: bRank, shape: shape, name: name + "/shortcut")
        node("Add", name: name, inputs: [first, second])
        return name
    }

    /// A 2-D [N, F] tensor reshaped to [N, F, 1, 1] where a 4-D operator follows a dense layer.
    mutating func fourD(_ tensor: String, rank: Int, shape: Shape, name: String) throws(ExportError) -> String {
        guard rank == 2 else { return tensor }
        let shapeName = name + "/to4d_shape"
        constant(shapeName, int64s: [-1, shape.channels, shape.height, shape.width])
        node("Reshape", name: name + "/to4d", inputs: [tensor, shapeName])
        return name + "/to4d"
    }

    /// Adaptive pooling in standard operators, exactly: a 1×1 output is GlobalAveragePool/GlobalMaxPool;
    /// when OH divides H and OW divides W the bins are one sliding window, AveragePool/MaxPool with
    /// kernel = stride = H/OH; otherwise the average is a constant pooling matrix, Reshape [N, C, H·W] →
    /// MatMul [H·W, OH·OW] (column k holds 1/|bin k| on bin k's pixels) → Reshape [N, C, OH, OW], and
    /// the max is a Slice and ReduceMax per bin (`binGrid`).
    mutating func adaptive(_ layer: LayerAnalysis, input: String) {
        let name = layer.name, i = layer.input, o = layer.output
        var isMax = false
        if case .adaptiveMaxPool = layer.layer.kind { isMax = true }
        if o.height == 1 && o.width == 1 {
            node(isMax ? "GlobalMaxPool" : "GlobalAveragePool", name: name, inputs: [input])
        } else if i.height % o.height == 0 && i.width % o.width == 0 {
            let kernel = [i.height / o.height, i.width / o.width]
            node(isMax ? "MaxPool" : "AveragePool", name: name, inputs: [input],
                 attributes: [.ints("kernel_shape", kernel), .ints("strides", kernel), .ints("pads", [0, 0, 0, 0])])
        } else if isMax {
            let grid = binGrid(name: name + "/bin", input: input,
                               rows: (0..<o.height).map { AdaptiveBins.bin($0, of: o.height, extent: i.height) },
                               columns: (0..<o.width).map { AdaptiveBins.bin($0, of: o.width, extent: i.width) },
                               reduce: "ReduceMax")
            node("Identity", name: name, inputs: [grid])
        } else {
            let area = i.height * i.width, bins = o.height * o.width
            var matrix = [Float](repeating: 0, count: area * bins)
            for oh in 0..<o.height {
                let rows = AdaptiveBins.bin(oh, of: o.height, extent: i.height)
                for ow in 0..<o.width {
                    let columns = AdaptiveBins.bin(ow, of: o.width, extent: i.width), k = oh * o.width + ow
                    let share = 1 / Float(rows.count * columns.count)
                    for y in rows { for x in columns { matrix[(y * i.width + x) * bins + k] = share } }
                }
            }
            constant(name + "/flat_shape", int64s: [-1, i.channels, area])
            node("Reshape", name: name + "/flat", inputs: [input, name + "/flat_shape"])
            constant(name + "/bins", floats: matrix, dims: [area, bins])
            node("MatMul", name: name + "/pooled", inputs: [name + "/flat", name + "/bins"])
            constant(name + "/shape", int64s: [-1, o.channels, o.height, o.width])
            node("Reshape", name: name, inputs: [name + "/pooled", name + "/shape"])
        }
    }

    /// Pools each (row bin, column bin) pair of `input` [N, C, H, W] with a Slice then `reduce`
    /// (ReduceMax or ReduceMean, keepdims) and joins the results into [N, C, rows, columns]; returns its name.
    mutating func binGrid(name: String, input: String, rows: [Range<Int>], columns: [Range<Int>], reduce: String) -> String {
        let axes = name + "/axes_hw"
        if !initializers.contains(where: { $0.name == axes }) { constant(axes, int64s: [2, 3]) }
        var rowNames: [String] = []
        for (row, r) in rows.enumerated() {
            var bins: [String] = []
            for (column, c) in columns.enumerated() {
                let bin = "\(name)_\(row)_\(column)"
                constant(bin + "/starts", int64s: [r.lowerBound, c.lowerBound])
                constant(bin + "/ends", int64s: [r.upperBound, c.upperBound])
                node("Slice", name: bin + "/slice", inputs: [input, bin + "/starts", bin + "/ends", axes])
                node(reduce, name: bin, inputs: [bin + "/slice"], attributes: [.ints("axes", [2, 3]), .int("keepdims", 1)])
                bins.append(bin)
            }
            let rowName = "\(name)_row\(row)"
            node("Concat", name: rowName, inputs: bins, attributes: [.int("axis", 3)])
            rowNames.append(rowName)
        }
        let grid = name + "/grid"
        node("Concat", name: grid, inputs: rowNames, attributes: [.int("axis", 2)])
        return grid
    }

    /// Spatial pyramid pooling in standard operators: each level's bins pooled into [N, C, l, l]
    /// (`binGrid`), flattened in (C, row, column) order, levels concatenated, then reshaped to
    /// [N, C·Σl², 1, 1] as cnnc's output shape.
    mutating func spp(_ pyramid: SpatialPyramid, layer: LayerAnalysis, input: String) throws(ExportError) -> String {
        let name = layer.name, i = layer.input
        let reduce = pyramid.mode == .max ? "ReduceMax" : "ReduceMean"
        var levels: [String] = []
        for level in pyramid.levels {
            let grid = binGrid(name: "\(name)/l\(level)", input: input,
                               rows: (0..<level).map { AdaptiveBins.bin($0, of: level, extent: i.height) },
                               columns: (0..<level).map { AdaptiveBins.bin($0, of: level, extent: i.width) },
                               reduce: reduce)
            node("Flatten", name: grid + "/flatten", inputs: [grid], attributes: [.int("axis", 1)])
            levels.append(grid + "/flatten")
        }
        node("Concat", name: name + "/levels", inputs: levels, attributes: [.int("axis", 1)])
        constant(name + "/shape", int64s: [-1, layer.output.channels, 1, 1])
        node("Reshape", name: name, inputs: [name + "/levels", name + "/shape"])
        return name
    }

    // MARK: - Nodes and tensors

    enum Attribute {
        case int(String, Int)
        case ints(String, [Int])
        case float(String, Double)

        var proto: Onnx_AttributeProto {
            var a = Onnx_AttributeProto()
            switch self {
            case .int(let name, let value): a.name = name; a.type = .int; a.i = Int64(value)
            case .ints(let name, let values): a.name = name; a.type = .ints; a.ints = values.map(Int64.init)
            case .float(let name, let value): a.name = name; a.type = .float; a.f = Float(value)
            }
            return a
        }
    }

    /// A node whose single output carries the node's name.
    mutating func node(_ op: String, name: String, inputs: [String], attributes: [Attribute] = []) {
        var n = Onnx_NodeProto()
        n.opType = op
        n.name = name
        n.input = inputs
        n.output = [name]
        n.attribute = attributes.map(\.proto)
        nodes.append(n)
    }

    /// Registers the checkpoint tensor `name` as an initializer (once) and returns its name.
    mutating func weight(_ name: String) -> String {
        guard !initializers.contains(where: { $0.name == name }), let (shape, data) = parameters[name] else { return name }
        var t = Onnx_TensorProto()
        t.name = name
        t.dims = shape.map(Int64.init)
        t.dataType = 1 // FLOAT
        let count = shape.reduce(1, *)
        var bytes = Data(capacity: count * 4)
        for k in 0..<count { withUnsafeBytes(of: data[k].bitPattern.littleEndian) { bytes.append(contentsOf: $0) } }
        t.rawData = bytes
        initializers.append(t)
        return name
    }

    /// (x − mean) / std per channel of an [N, C, H, W] tensor, as Sub and Div with [1, C, 1, 1]
    /// constants named `input_mean` and `input_std`; returns the normalised tensor's name.
    mutating func normalize(_ input: String, _ normalization: Normalization) -> String {
        let dims = [1, normalization.channels, 1, 1]
        constant("input_mean", floats: normalization.mean.map { Float($0) }, dims: dims)
        constant("input_std", floats: normalization.std.map { Float($0) }, dims: dims)
        node("Sub", name: "input_centered", inputs: [input, "input_mean"])
        node("Div", name: "input_normalized", inputs: ["input_centered", "input_std"])
        return "input_normalized"
    }

    /// A float scalar (rank 0), e.g. Clip's bounds.
    mutating func constant(_ name: String, float: Float) {
        var t = Onnx_TensorProto()
        t.name = name
        t.dataType = 1 // FLOAT
        t.rawData = withUnsafeBytes(of: float.bitPattern.littleEndian) { Data($0) }
        initializers.append(t)
    }

    /// A float tensor of the given dims (row-major), e.g. adaptive pooling's matrix.
    mutating func constant(_ name: String, floats: [Float], dims: [Int]) {
        var t = Onnx_TensorProto()
        t.name = name
        t.dims = dims.map(Int64.init)
        t.dataType = 1 // FLOAT
        var bytes = Data(capacity: floats.count * 4)
        for value in floats { withUnsafeBytes(of: value.bitPattern.littleEndian) { bytes.append(contentsOf: $0) } }
        t.rawData = bytes
        initializers.append(t)
    }

    mutating func constant(_ name: String, int64s: [Int]) {
        var t = Onnx_TensorProto()
        t.name = name
        t.dims = [Int64(int64s.count)]
        t.dataType = 7 // INT64
        t.int64Data = int64s.map(Int64.init)
        initializers.append(t)
    }
}
