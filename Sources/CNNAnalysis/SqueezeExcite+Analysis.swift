import CNNIR

extension SqueezeExcite {
    /// squeeze_excite: the output has the input's shape. Two 1×1 convs with bias on the pooled 1×1 map:
    /// C·n + n and n·C + C trainable parameters, C·n multiply-adds each (the conv convention: one per weight
    /// and output position; the pool's sums and the final scaling are other operations). The receptive field
    /// is unchanged: the gate scales each channel by a function of the whole map, global context that the
    /// receptive field (the window of input pixels each output is computed from by convolution and pooling)
    /// does not count, as the receptive fields quoted for SENet, MobileNetV3 and EfficientNet do not.
    func facts(input: Shape, layer: Layer) throws(ShapeError) -> LayerFacts {
        let count = Count(layer: layer)
        let weights = try count.product(input.channels, squeeze, what: "the weights per conv C·squeeze = \(Count.formula(input.channels, squeeze))")
        let both = try count.product(2, weights, what: "the weights of both convs 2·C·squeeze")
        let trainable = try count.sum(both, squeeze, input.channels, what: "the parameter count 2·C·squeeze + squeeze + C")
        return LayerFacts(output: input, trainable: trainable, multiplyAdds: both)
    }
}
