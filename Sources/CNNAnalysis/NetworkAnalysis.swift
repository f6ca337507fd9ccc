import CNNIR

/// Shape inference and the per-layer facts of a whole network.
///
/// Layers are visited in order, each taking the previous output shape; the first impossible
/// layer stops the pass with a `ShapeError` naming it and showing the formula's numbers.
///
/// Every size and count is overflow-checked against the limits of `CheckedSize`, so a spec with
/// absurd numbers is a `ShapeError.tooLarge` naming the layer, never a trap.
public struct NetworkAnalysis: Hashable, Sendable {
    public let network: Network
    public let layers: [LayerAnalysis]
    /// Legal but suspicious things (unread input rows), in layer order.
    public let diagnostics: [Diagnostic]

    public init(_ network: Network) throws(ShapeError) {
        let input = network.input
        guard let elements = CheckedSize.product(input.channels, input.height, input.width),
              elements <= CheckedSize.maximumElements else {
            throw .inputTooLarge(input: input, at: network.inputLocation)
        }
        self.network = network
        var diagnostics: [Diagnostic] = []
        (layers, _, _) = try Self.sequence(network.layers, input: network.input, field: .input, diagnostics: &diagnostics)
        self.diagnostics = diagnostics
        (trainableParameters, buffers, totalMultiplyAdds, totalOtherOperations, activationBytesPerImage)
            = try Self.totals(layers, input: network.input)
        var field = ReceptiveField2D.input
        for layer in layers {
            if layer.seesWholeInput { break }
            field = layer.receptiveField
        }
        lastSpatialReceptiveField = field
    }

    /// Analyses layers in order from `input`: their facts, the output shape and the receptive field after them.
    /// `isVector`: whether `input` is a feature vector (`LayerKind.outputIsVector`).
    static func sequence(_ layers: [Layer], input: Shape, isVector: Bool = false, field start: ReceptiveField2D,
                         diagnostics: inout [Diagnostic]) throws(ShapeError) -> ([LayerAnalysis], Shape, ReceptiveField2D) {
        var shape = input
        var vector = isVector
        var field = start
        var result: [LayerAnalysis] = []
        for written in layers {
            let layer = try Self.resolved(written, input: shape)
            if !layer.kind.branches.isEmpty {
                let analysis = try branching(layer, input: shape, isVector: vector, field: field, diagnostics: &diagnostics)
                vector = analysis.outputIsVector
                result.append(analysis)
                (shape, field) = (analysis.output, analysis.receptiveField)
                continue
            }
            let facts = try Self.facts(of: layer, input: shape, diagnostics: &diagnostics)
            try Self.checkOutput(facts.output, of: layer)
            if let window = facts.window ?? facts.fieldWindow {
                guard let next = field.through(window) else {
                    throw Self.fieldTooLarge(layer, field, window: "a \(window.size.height)x\(window.size.width) window, stride \(window.stride), dilation \(window.dilation)")
                }
                field = next
            } else if facts.seesWholeInput {
                guard let next = field.throughWhole(shape) else {
                    throw Self.fieldTooLarge(layer, field, window: "the whole \(shape.height)x\(shape.width) input")
                }
                field = next
            }
            var analysis = LayerAnalysis(layer: layer, input: shape, output: facts.output,
                                         trainableParameters: facts.trainable, buffers: facts.buffers, multiplyAdds: facts.multiplyAdds,
                                         otherOperations: try layer.kind.otherOperations(input: shape, output: facts.output, layer: layer),
                                         receptiveField: field, window: facts.window)
            vector = layer.kind.outputIsVector(input: vector, branches: [])
            analysis.outputIsVector = vector
            analysis.seesWholeInput = facts.seesWholeInput
            result.append(analysis)
            shape = facts.output
        }
        return (result, shape, field)
    }

    /// Every output tensor holds at most `CheckedSize.maximumElements` values, so that later sums of
    /// them and the runtime's batch · C·H·W products are checkable.
    static func checkOutput(_ output: Shape, of layer: Layer) throws(ShapeError) {
        _ = try Count(layer: layer).elements(output.channels, output.height, output.width,
                                             what: "the output C·H·W = \(Count.formula(output.channels, output.height, output.width))")
    }

    /// The receptive field's size grows by D·(K − 1)·jump and its jump by the stride: either can pass Int.max.
    static func fieldTooLarge(_ layer: Layer, _ field: ReceptiveField2D, window: String) -> ShapeError {
        Count(layer: layer).tooLarge("the receptive field through \(window) (before it: size \(field.height.size)x\(field.width.size), "
                                     + "jump \(field.height.jump)x\(field.width.jump))", limit: Int.max)
    }

    /// A layer with what the input tells: a depthwise conv gets its groups and filters from the channels.
    static func resolved(_ layer: Layer, input: Shape) throws(ShapeError) -> Layer {
        guard case .conv(var conv) = layer.kind, let multiplier = conv.depthwiseMultiplier else { return layer }
        conv.groups = input.channels
        conv.filters = try Count(layer: layer).elements(input.channels, multiplier,
                                                        what: "the filter count C·multiplier = \(Count.formula(input.channels, multiplier))")
        var copy = layer
        copy.kind = .conv(conv)
        return copy
    }

    /// concat and residual: each sub-stack from the same input. The receptive field after a branch
    /// point is the largest of its paths (a residual's identity path is its input's field).
    static func branching(_ layer: Layer, input: Shape, isVector: Bool, field: ReceptiveField2D,
                          diagnostics: inout [Diagnostic]) throws(ShapeError) -> LayerAnalysis {
        if case .residual(let residual) = layer.kind {
            return try self.residual(layer, residual, input: input, isVector: isVector, field: field, diagnostics: &diagnostics)
        }
        var branches: [[LayerAnalysis]] = []
        var outputs: [Shape] = []
        var vectors: [Bool] = []
        var fields: [ReceptiveField2D] = []
        for branch in layer.kind.branches {
            let (analysed, output, branchField) = try sequence(branch, input: input, isVector: isVector, field: field,
                                                               diagnostics: &diagnostics)
            branches.append(analysed)
            outputs.append(output)
            vectors.append(analysed.last?.outputIsVector ?? isVector)
            fields.append(branchField)
        }
        let count = Count(layer: layer)
        let sums = try Self.sums(Array(branches.joined()), count: count)
        let first = outputs[0]
        for (i, shape) in outputs.enumerated() where shape.height != first.height || shape.width != first.width {
            throw .branchMismatch(layer: layer.name, detail: "branch 1 gives \(first) but branch \(i + 1) gives \(shape)",
                                  requirement: "every branch of a concat must give the same height and width",
                                  at: layer.location)
        }
        var channels = 0
        for shape in outputs { channels = try count.sum(channels, shape.channels, what: "the channel count") }
        let output = Shape(channels: channels, height: first.height, width: first.width)
        try checkOutput(output, of: layer)
        let otherOperations = try count.sum(sums.otherOperations, try layer.kind.otherOperations(input: input, output: output, layer: layer),
                                            what: "the other-operation count")
        let widest = fields.max { $0.hasSmallerArea(than: $1) }!
        var analysis = LayerAnalysis(layer: layer, input: input, output: output, trainableParameters: sums.trainable,
                                     buffers: sums.buffers, multiplyAdds: sums.multiplyAdds, otherOperations: otherOperations,
                                     receptiveField: widest, window: nil)
        analysis.branches = branches
        analysis.outputIsVector = layer.kind.outputIsVector(input: isVector, branches: vectors)
        return analysis
    }

    /// A residual block: the body, and the shortcut (`Residual.Shortcut`) whose output is added to the body's.
    /// The receptive field is the larger of the two paths'.
    static func residual(_ layer: Layer, _ residual: Residual, input: Shape, isVector: Bool, field: ReceptiveField2D,
                         diagnostics: inout [Diagnostic]) throws(ShapeError) -> LayerAnalysis {
        let (body, output, bodyField) = try sequence(residual.body, input: input, isVector: isVector, field: field,
                                                     diagnostics: &diagnostics)
        var shortcut: [LayerAnalysis] = []
        var shortcutField = field
        switch residual.shortcut {
        case .automatic:
            guard output != input else { break }
            guard let stride = projectionStride(from: input, to: output) else {
                throw .branchMismatch(layer: layer.name, detail: "the body maps \(input) to \(output)",
                                      requirement: "a residual body must keep the height and width, or shrink them by a whole stride "
                                          + "(a 1×1 projection with that stride matches the input to the output)",
                                      at: layer.location)
            }
            let conv = Convolution(filters: output.channels, size: Size2(square: 1), stride: Size2(square: stride))
            var projection = Layer(name: layer.name + "_projection", kind: .conv(conv), location: layer.location)
            // Part of the block: frozen and scaled with it.
            projection.freeze = layer.freeze
            projection.learningRateScale = layer.learningRateScale
            // No "rows never read" warning: the user did not write this conv, and a 1×1 conv with stride s reads
            // only every s-th row by design.
            var unwritten: [Diagnostic] = []
            (shortcut, _, shortcutField) = try sequence([projection], input: input, field: field, diagnostics: &unwritten)
        case .identity:
            guard output == input else {
                // The automatic projection is a fix only when a whole stride maps the input's height and width to the output's.
                let automatic = projectionStride(from: input, to: output).map { _ in
                    "remove 'shortcut: identity' (a 1×1 conv '\(layer.name)_projection' then maps \(input) to \(output)), "
                } ?? ""
                throw .doesNotFit(layer: layer.name, detail: "the body maps \(input) to \(output), but 'shortcut: identity' adds the \(input) input itself",
                                  fix: automatic + "write the shortcut as layers giving \(output), or keep the shape in the body",
                                  at: layer.location)
            }
        case .layers(let layers):
            let given: Shape
            (shortcut, given, shortcutField) = try sequence(layers, input: input, isVector: isVector, field: field,
                                                            diagnostics: &diagnostics)
            guard given == output else {
                throw .doesNotFit(layer: layer.name, detail: "the shortcut maps \(input) to \(given) but the body maps it to \(output); the two are added",
                                  fix: "make the shortcut give \(output), e.g. a 1×1 conv with \(output.channels) filters and the body's stride",
                                  at: layers[0].location)
            }
        }
        let count = Count(layer: layer)
        let sums = try Self.sums(body + shortcut, count: count)
        let otherOperations = try count.sum(sums.otherOperations, try layer.kind.otherOperations(input: input, output: output, layer: layer),
                                            what: "the other-operation count")
        var analysis = LayerAnalysis(layer: layer, input: input, output: output, trainableParameters: sums.trainable,
                                     buffers: sums.buffers, multiplyAdds: sums.multiplyAdds, otherOperations: otherOperations,
                                     receptiveField: [bodyField, shortcutField].max { $0.hasSmallerArea(than: $1) }!, window: nil)
        analysis.branches = [body]
        analysis.shortcut = shortcut
        analysis.outputIsVector = layer.kind.outputIsVector(input: isVector, branches: [body.last?.outputIsVector ?? isVector])
        return analysis
    }

    /// The parameters and multiply-adds of a block's layers, summed with overflow checks.
    static func sums(_ layers: [LayerAnalysis], count: Count) throws(ShapeError)
        -> (trainable: Int, buffers: Int, multiplyAdds: Int, otherOperations: Int) {
        var trainable = 0, buffers = 0, multiplyAdds = 0, otherOperations = 0
        for analysed in layers {
            trainable = try count.sum(trainable, analysed.trainableParameters, what: "the parameter count")
            buffers = try count.sum(buffers, analysed.buffers, what: "the buffer count")
            multiplyAdds = try count.sum(multiplyAdds, analysed.multiplyAdds, what: "the multiply-add count")
            otherOperations = try count.sum(otherOperations, analysed.otherOperations, what: "the other-operation count")
        }
        return (trainable, buffers, multiplyAdds, otherOperations)
    }

    /// The smallest stride s of a 1×1 conv that maps `input`'s height and width to `output`'s:
    /// (H − 1)/s + 1 = OH. On each axis the strides that work are those with ⌊(H − 1)/s⌋ = OH − 1,
    /// which start at ⌊(H − 1)/OH⌋ + 1; the larger of the two starts is the answer if it works for both.
    /// (A search over s would take 2^40 steps on a 2^40-pixel axis.)
    static func projectionStride(from input: Shape, to output: Shape) -> Int? {
        guard output.height >= 1, output.width >= 1 else { return nil }
        let s = max((input.height - 1) / output.height + 1, (input.width - 1) / output.width + 1)
        guard (input.height - 1) / s + 1 == output.height, (input.width - 1) / s + 1 == output.width else { return nil }
        return s
    }

    static func facts(of layer: Layer, input: Shape, diagnostics: inout [Diagnostic]) throws(ShapeError) -> LayerFacts {
        switch layer.kind {
        case .conv(let conv): return try conv.convFacts(input: input, layer: layer, diagnostics: &diagnostics)
        case .local(let conv): return try conv.localFacts(input: input, layer: layer, diagnostics: &diagnostics)
        case .maxPool(let pool), .avgPool(let pool): return try pool.facts(input: input, layer: layer, diagnostics: &diagnostics)
        case .globalAvgPool:
            return LayerFacts(output: Shape(channels: input.channels, height: 1, width: 1), seesWholeInput: true)
        case .spp(let pyramid): return try pyramid.facts(input: input, layer: layer)
        case .adaptiveAvgPool(let pool), .adaptiveMaxPool(let pool): return try pool.facts(input: input, layer: layer)
        case .flatten:
            // The output count C·H·W is the input's, checked when the input was.
            return LayerFacts(output: Shape(channels: input.count, height: 1, width: 1))
        case .squeezeExcite(let se): return try se.facts(input: input, layer: layer)
        case .channelShuffle(let shuffle): return try shuffle.facts(input: input, layer: layer)
        case .slice(let slice): return try slice.facts(input: input, layer: layer)
        case .dense(let dense): return try dense.facts(input: input, layer: layer)
        case .batchNorm(let bn): return bn.facts(input: input)
        case .dropout, .relu, .sigmoid, .tanh, .relu6, .leakyReLU, .elu, .silu, .hardswish, .hardsigmoid, .gelu, .identity:
            return LayerFacts(output: input)
        case .concat, .residual: preconditionFailure("branching layers are analysed by branching(_:input:field:diagnostics:)")
        }
    }

    // MARK: - Totals

    public var output: Shape { layers.last?.output ?? network.input }
    /// Learned parameters, the headline "params" of every report (as torchvision's tables count them).
    public let trainableParameters: Int
    /// Batchnorm running means and variances: stored, not learned.
    public let buffers: Int
    /// Values a checkpoint stores: parameters and buffers. Checked when the totals were: it fits an `Int`.
    public var storedValues: Int { trainableParameters + buffers }
    /// Multiply-adds of conv, local and dense layers for one image (torchvision's and fvcore's convention).
    public let totalMultiplyAdds: Int
    /// Every other operation for one image (`LayerKind.otherOperations`).
    public let totalOtherOperations: Int
    /// Whether the network's output is a feature vector (`LayerKind.outputIsVector`).
    public var outputIsVector: Bool { layers.last?.outputIsVector ?? false }
    public var receptiveField: ReceptiveField2D { layers.last?.receptiveField ?? .input }
    /// The receptive field before the first layer that sees its whole input (dense, global pooling, spp):
    /// that of the last conv or pooling layer before the classifier, whose own field is the whole input
    /// and says little. The output's field when no layer sees its whole input; the input pixel's when
    /// the first layer does.
    public let lastSpatialReceptiveField: ReceptiveField2D
    /// Bytes held for one image's forward pass: the input and every layer's output, 4 bytes (a float) each.
    public let activationBytesPerImage: Int

    /// The network's totals, summed with overflow checks; an overflow names the layer where it happens.
    static func totals(_ layers: [LayerAnalysis], input: Shape) throws(ShapeError)
        -> (trainable: Int, buffers: Int, multiplyAdds: Int, otherOperations: Int, activationBytes: Int) {
        var trainable = 0, buffers = 0, multiplyAdds = 0, otherOperations = 0
        for layer in layers {
            let count = Count(layer: layer.layer)
            trainable = try count.sum(trainable, layer.trainableParameters, what: "the network's parameter count up to this layer")
            buffers = try count.sum(buffers, layer.buffers, what: "the network's buffer count up to this layer")
            _ = try count.sum(trainable, buffers, what: "the network's parameter and buffer count up to this layer")
            multiplyAdds = try count.sum(multiplyAdds, layer.multiplyAdds, what: "the network's multiply-add count up to this layer")
            otherOperations = try count.sum(otherOperations, layer.otherOperations,
                                            what: "the network's other-operation count up to this layer")
        }
        var floats = input.count // checked by init
        func add(_ layers: [LayerAnalysis]) throws(ShapeError) {
            for layer in layers {
                floats = try Count(layer: layer.layer).sum(floats, layer.output.count,
                                                           what: "the network's activation count up to this layer")
                for branch in layer.branches { try add(branch) }
                try add(layer.shortcut)
            }
        }
        try add(layers)
        let bytes = try Count(layer: layers.last?.layer ?? Layer(name: "input", kind: .relu))
            .product(4, floats, what: "the network's activation bytes, 4·\(floats)")
        return (trainable, buffers, multiplyAdds, otherOperations, bytes)
    }

    /// Every analysed layer, branches and shortcuts included, depth first (the runtime's order).
    public var allLayers: [LayerAnalysis] {
        func walk(_ layers: [LayerAnalysis]) -> [LayerAnalysis] {
            layers.flatMap { [$0] + $0.branches.flatMap(walk) + walk($0.shortcut) }
        }
        return walk(layers)
    }
}
