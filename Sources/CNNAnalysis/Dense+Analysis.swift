import CNNIR

extension Dense {
    /// dense: flattens C·H·W inputs into `units` outputs, shape [units, 1, 1].
    ///
    ///     parameters    = C·H·W · units  (+ units biases)
    ///     multiply-adds = C·H·W · units
    func facts(input: Shape, layer: Layer) throws(ShapeError) -> LayerFacts {
        let count = Count(layer: layer)
        let weights = try count.elements(input.count, units, what: "the weight count C·H·W·units = \(Count.formula(input.count, units))")
        return LayerFacts(output: Shape(channels: units, height: 1, width: 1),
                          trainable: try count.sum(weights, bias ? units : 0, what: "the parameter count"),
                          multiplyAdds: weights, seesWholeInput: true)
    }
}
