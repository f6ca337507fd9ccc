import CNNIR

/// Shape inference and the per-layer facts of a whole network.
///
/// Layers are visited in order, each taking the previous output shape; the first impossible
/// layer stops the pass with a `ShapeError` naming it and showing the formula's numbers.
public struct NetworkAnalysis: Hashable, Sendable {
    public var network: Network
    public var layers: [LayerAnalysis]
    /// Legal but suspicious things (unread input rows), in layer order.
    public var diagnostics: [Diagnostic]

    public init(_ network: Network) throws(ShapeError) {
        self.network = network
        var diagnostics: [Diagnostic] = []
        (layers, _, _) = try Self.sequence(network.layers, input: network.input, field: .input, diagnostics: &diagnostics)
        self.diagnostics = diagnostics
    }

    /// Analyses layers in order from `input`: their facts, the output shape and the receptive field after them.
    static func sequence(_ layers: [Layer], input: Shape, field start: ReceptiveField2D,
                         diagnostics: inout [Diagnostic]) throws(ShapeError) -> ([LayerAnalysis], Shape, ReceptiveField2D) {
        var shape = input
        var field = start
        var result: [LayerAnalysis] = []
        for written in layers {
            let layer = Self.resolved(written, input: shape)
            if !layer.kind.branches.isEmpty {
                let analysis = try branching(layer, input: shape, field: field, diagnostics: &diagnostics)
                result.append(analysis)
                (shape, field) = (analysis.output, analysis.receptiveField)
                continue
            }
            let facts = try Self.facts(of: layer, input: shape, diagnostics: &diagnostics)
            if let window = facts.window {
                field = field.through(window)
            } else if facts.seesWholeInput {
                field = field.throughWhole(shape)
            }
            result.append(LayerAnalysis(layer: layer, input: shape, output: facts.output,
                                        trainableParameters: facts.trainable, nonTrainableParameters: facts.nonTrainable,
                                        multiplyAdds: facts.multiplyAdds, receptiveField: field, window: facts.window))
            shape = facts.output
        }
        return (result, shape, field)
    }

    /// A layer with what the input tells: a depthwise conv gets its groups and filters from the channels.
    static func resolved(_ layer: Layer, input: Shape) -> Layer {
        guard case .conv(var conv) = layer.kind, let multiplier = conv.depthwiseMultiplier else { return layer }
        conv.groups = input.channels
        conv.filters = input.channels * multiplier
        var copy = layer
        copy.kind = .conv(conv)
        return copy
    }

    /// concat and residual: each sub-stack from the same input. The receptive field after a branch
    /// point is the largest of its paths (a residual's identity path is its input's field).
    static func branching(_ layer: Layer, input: Shape, field: ReceptiveField2D,
                          diagnostics: inout [Diagnostic]) throws(ShapeError) -> LayerAnalysis {
        var branches: [[LayerAnalysis]] = []
        var outputs: [Shape] = []
        var fields: [ReceptiveField2D] = []
        for branch in layer.kind.branches {
            let (analysed, output, branchField) = try sequence(branch, input: input, field: field, diagnostics: &diagnostics)
            branches.append(analysed)
            outputs.append(output)
            fields.append(branchField)
        }
        let count = Count(layer: layer)
        var trainable = 0, nonTrainable = 0, multiplyAdds = 0
        for analysed in branches.joined() {
            trainable = try count.sum(trainable, analysed.trainableParameters, what: "the parameter count")
            nonTrainable = try count.sum(nonTrainable, analysed.nonTrainableParameters, what: "the parameter count")
            multiplyAdds = try count.sum(multiplyAdds, analysed.multiplyAdds, what: "the multiply-add count")
        }
        var output: Shape
        var projection: [LayerAnalysis] = []
        switch layer.kind {
        case .concat:
            let first = outputs[0]
            for (i, shape) in outputs.enumerated() where shape.height != first.height || shape.width != first.width {
                throw .branchMismatch(layer: layer.name, detail: "branch 1 gives \(first) but branch \(i + 1) gives \(shape)",
                                      requirement: "every branch of a concat must give the same height and width",
                                      at: layer.location)
            }
            var channels = 0
            for shape in outputs { channels = try count.sum(channels, shape.channels, what: "the channel count") }
            output = Shape(channels: channels, height: first.height, width: first.width)
        default: // residual
            output = outputs[0]
            if output != input {
                guard let stride = projectionStride(from: input, to: output) else {
                    throw .branchMismatch(layer: layer.name, detail: "the body maps \(input) to \(output)",
                                          requirement: "a residual body must keep the height and width, or shrink them by a whole stride "
                                              + "(a 1×1 projection with that stride matches the input to the output)",
                                          at: layer.location)
                }
                let conv = Convolution(filters: output.channels, size: Size2(square: 1), stride: Size2(square: stride))
                let projectionLayer = Layer(name: layer.name + "_projection", kind: .conv(conv), location: layer.location)
                let (analysed, _, _) = try sequence([projectionLayer], input: input, field: field, diagnostics: &diagnostics)
                projection = analysed
                trainable = try count.sum(trainable, analysed[0].trainableParameters, what: "the parameter count")
                multiplyAdds = try count.sum(multiplyAdds, analysed[0].multiplyAdds, what: "the multiply-add count")
            }
            fields.append(field)
        }
        let widest = fields.max { $0.height.size * $0.width.size < $1.height.size * $1.width.size }!
        var analysis = LayerAnalysis(layer: layer, input: input, output: output, trainableParameters: trainable,
                                     nonTrainableParameters: nonTrainable, multiplyAdds: multiplyAdds,
                                     receptiveField: widest, window: nil)
        analysis.branches = branches
        analysis.projection = projection
        return analysis
    }

    /// The stride s of a 1×1 conv that maps `input`'s height and width to `output`'s: (H − 1)/s + 1 = OH.
    static func projectionStride(from input: Shape, to output: Shape) -> Int? {
        (1...max(input.height, input.width, 1)).first { s in
            (input.height - 1) / s + 1 == output.height && (input.width - 1) / s + 1 == output.width
        }
    }

    static func facts(of layer: Layer, input: Shape, diagnostics: inout [Diagnostic]) throws(ShapeError) -> LayerFacts {
        switch layer.kind {
        case .conv(let conv): return try conv.convFacts(input: input, layer: layer, diagnostics: &diagnostics)
        case .local(let conv): return try conv.localFacts(input: input, layer: layer, diagnostics: &diagnostics)
        case .maxPool(let pool), .avgPool(let pool): return try pool.facts(input: input, layer: layer, diagnostics: &diagnostics)
        case .globalAvgPool:
            return LayerFacts(output: Shape(channels: input.channels, height: 1, width: 1), seesWholeInput: true)
        case .spp(let pyramid): return try pyramid.facts(input: input, layer: layer)
        case .dense(let dense): return try dense.facts(input: input, layer: layer)
        case .batchNorm(let bn): return bn.facts(input: input)
        case .dropout, .relu, .sigmoid, .tanh: return LayerFacts(output: input)
        case .concat, .residual: preconditionFailure("branching layers are analysed by branching(_:input:field:diagnostics:)")
        }
    }

    // MARK: - Totals

    public var output: Shape { layers.last?.output ?? network.input }
    public var trainableParameters: Int { layers.reduce(0) { $0 + $1.trainableParameters } }
    public var nonTrainableParameters: Int { layers.reduce(0) { $0 + $1.nonTrainableParameters } }
    public var totalParameters: Int { trainableParameters + nonTrainableParameters }
    public var totalMultiplyAdds: Int { layers.reduce(0) { $0 + $1.multiplyAdds } }
    public var receptiveField: ReceptiveField2D { layers.last?.receptiveField ?? .input }
    /// Floats held for one image's forward pass: the input and every layer's output, 4 bytes each.
    public var activationBytesPerImage: Int {
        func floats(_ layers: [LayerAnalysis]) -> Int {
            layers.reduce(0) { $0 + $1.output.count + $1.branches.reduce(0) { $0 + floats($1) } + floats($1.projection) }
        }
        return 4 * (network.input.count + floats(layers))
    }

    /// Every analysed layer, branches and projections included, depth first (the runtime's order).
    public var allLayers: [LayerAnalysis] {
        func walk(_ layers: [LayerAnalysis]) -> [LayerAnalysis] {
            layers.flatMap { [$0] + $0.branches.flatMap(walk) + walk($0.projection) }
        }
        return walk(layers)
    }
}
