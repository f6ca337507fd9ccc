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
        var shape = network.input
        var field = ReceptiveField2D.input
        var layers: [LayerAnalysis] = []
        var diagnostics: [Diagnostic] = []
        for layer in network.layers {
            let facts = try Self.facts(of: layer, input: shape, diagnostics: &diagnostics)
            if let window = facts.window {
                field = field.through(window)
            } else if facts.seesWholeInput {
                field = field.throughWhole(shape)
            }
            layers.append(LayerAnalysis(layer: layer, input: shape, output: facts.output,
                                        trainableParameters: facts.trainable, nonTrainableParameters: facts.nonTrainable,
                                        multiplyAdds: facts.multiplyAdds, receptiveField: field, window: facts.window))
            shape = facts.output
        }
        self.layers = layers
        self.diagnostics = diagnostics
    }

    static func facts(of layer: Layer, input: Shape, diagnostics: inout [Diagnostic]) throws(ShapeError) -> LayerFacts {
        switch layer.kind {
        case .conv(let conv): return try conv.convFacts(input: input, layer: layer, diagnostics: &diagnostics)
        case .local(let conv): return try conv.localFacts(input: input, layer: layer, diagnostics: &diagnostics)
        case .maxPool(let pool), .avgPool(let pool): return try pool.facts(input: input, layer: layer, diagnostics: &diagnostics)
        case .globalAvgPool:
            return LayerFacts(output: Shape(channels: input.channels, height: 1, width: 1), seesWholeInput: true)
        case .dense(let dense): return try dense.facts(input: input, layer: layer)
        case .batchNorm(let bn): return bn.facts(input: input)
        case .dropout, .relu, .sigmoid, .tanh: return LayerFacts(output: input)
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
    public var activationBytesPerImage: Int { 4 * (network.input.count + layers.reduce(0) { $0 + $1.output.count }) }
}
