import CNNIR

/// The per-kind rules of the reports that are neither a shape nor a parameter count, one exhaustive
/// `switch` each, so that a new kind must state its figures here (docs/spec.md, Reports, lists them).
extension LayerKind {
    // MARK: - Other operations

    /// Operations for one image's forward pass (inference) that are not multiply-adds, the "other ops"
    /// of the reports. Multiply-adds (`LayerFacts.multiplyAdds`) are those of conv, local and dense
    /// layers only, the convention of torchvision's tables and fvcore; everything else is counted here:
    ///
    ///     conv, local, dense                      0 (their biases are not counted, as in fvcore)
    ///     batchnorm                               2 per value: a scale and a shift (fvcore's inference count)
    ///     maxpool, avgpool                        KH·KW per output value: one compare or add per window element
    ///     globalavgpool                           C·H·W: one add per input value
    ///     spp                                     C·Σ_l (H + l − gcd(H, l))·(W + l − gcd(W, l)): per window element
    ///     adaptiveavgpool, adaptivemaxpool        C·(H + OH − gcd(H, OH))·(W + OW − gcd(W, OW)): per bin element
    ///     relu, sigmoid, tanh, … (activations)    1 per value
    ///     identity, dropout, flatten              0 (dropout is the identity at inference)
    ///     channel_shuffle, slice                  0 (copies)
    ///     squeeze_excite                          2·C·H·W + n + C: the pool's adds and the gate's products over the map,
    ///                                             the activation's n and the gate's C values (its convs are MACs)
    ///     residual                                1 add per output value, plus its body's and shortcut's
    ///     concat                                  0, plus its branches'
    ///
    /// A branching layer's own figure is returned here; the analysis adds its layers'.
    func otherOperations(input: Shape, output: Shape, layer: Layer) throws(ShapeError) -> Int {
        let count = Count(layer: layer)
        switch self {
        case .conv, .local, .dense: return 0
        case .batchNorm: return try count.product(2, output.count, what: "the other-operation count 2·C·H·W")
        case .maxPool(let pool), .avgPool(let pool):
            return try count.product(output.count, pool.size.height, pool.size.width,
                                     what: "the other-operation count OH·OW·C·KH·KW = "
                                         + Count.formula(output.count, pool.size.height, pool.size.width))
        case .globalAvgPool: return input.count
        case .spp(let pyramid):
            var total = 0
            for level in pyramid.levels {
                let h = AdaptiveBins.lengthSum(of: level, extent: input.height)
                let w = AdaptiveBins.lengthSum(of: level, extent: input.width)
                let values = try count.product(input.channels, h, w, what: "the other-operation count of level \(level)")
                total = try count.sum(total, values, what: "the other-operation count")
            }
            return total
        case .adaptiveAvgPool(let pool), .adaptiveMaxPool(let pool):
            let h = AdaptiveBins.lengthSum(of: pool.size.height, extent: input.height)
            let w = AdaptiveBins.lengthSum(of: pool.size.width, extent: input.width)
            return try count.product(input.channels, h, w, what: "the other-operation count C·(bin heights)·(bin widths) = "
                                         + Count.formula(input.channels, h, w))
        case .relu, .sigmoid, .tanh, .relu6, .leakyReLU, .elu, .silu, .hardswish, .hardsigmoid, .gelu: return output.count
        case .identity, .dropout, .flatten, .channelShuffle, .slice: return 0
        case .squeezeExcite(let se):
            let map = try count.product(2, input.count, what: "the other-operation count 2·C·H·W")
            return try count.sum(map, se.squeeze, input.channels, what: "the other-operation count 2·C·H·W + n + C")
        case .residual: return output.count
        case .concat: return 0
        }
    }

    // MARK: - Feature vectors

    /// Whether this kind's output is a feature vector (shown `[1000]`, PyTorch's per-image shape of a
    /// Linear layer's output) rather than a C×H×W map. A vector is stored as [C, 1, 1] all the same.
    ///
    /// dense's and flatten's output is a vector; spp's too (its levels' bins, flattened); layers that act value by
    /// value (activations, identity, dropout, batchnorm) keep their input's form; a residual block's
    /// output has its body's form and a concat's is a vector when every branch gives one. Every other
    /// kind gives a map (a global pooling's output is C×1×1, as PyTorch's AdaptiveAvgPool2d's).
    ///
    /// - Parameters:
    ///   - input: whether the layer's input is a vector.
    ///   - branches: for concat and residual, whether each branch's output is a vector.
    func outputIsVector(input: Bool, branches: [Bool]) -> Bool {
        switch self {
        case .dense, .spp, .flatten: true
        case .batchNorm, .dropout, .relu, .sigmoid, .tanh, .relu6, .leakyReLU, .elu, .silu, .hardswish, .hardsigmoid,
             .gelu, .identity, .squeezeExcite, .channelShuffle, .slice: input
        case .residual: branches.first ?? input
        case .concat: !branches.isEmpty && branches.allSatisfy { $0 }
        case .conv, .local, .maxPool, .avgPool, .globalAvgPool, .adaptiveAvgPool, .adaptiveMaxPool: false
        }
    }
}
