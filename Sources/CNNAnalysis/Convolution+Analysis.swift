import CNNIR

extension Convolution {
    func window(input: Shape, layer: Layer) throws(ShapeError) -> SlidingWindow {
        SlidingWindow(size: size, stride: stride, dilation: dilation,
                      padding: try SlidingWindow.resolve(padding, input: input, size: size, stride: stride,
                                                         dilation: dilation, layer: layer))
    }

    /// conv: F filters of C/groups × KH × KW shared by every position.
    ///
    ///     parameters   = F · (C / groups) · KH · KW  (+ F biases)
    ///     multiply-adds = OH · OW · F · (C / groups) · KH · KW
    func convFacts(input: Shape, layer: Layer, diagnostics: inout [Diagnostic]) throws(ShapeError) -> LayerFacts {
        guard input.channels % groups == 0, filters % groups == 0 else {
            throw .groupsMismatch(layer: layer.name, channels: input.channels, filters: filters, groups: groups, at: layer.location)
        }
        let window = try window(input: input, layer: layer)
        let (oh, ow) = try window.outputExtent(input: input, layer: layer, diagnostics: &diagnostics)
        let count = Count(layer: layer)
        let factors = [filters, input.channels / groups, size.height, size.width]
        let weights = try count.elements(factors, what: "the weight count F·(C/groups)·KH·KW = \(Count.formula(factors))")
        let output = Shape(channels: filters, height: oh, width: ow)
        return LayerFacts(output: output,
                          trainable: try count.sum(weights, bias ? filters : 0, what: "the parameter count"),
                          multiplyAdds: try count.product(oh, ow, weights, what: "the multiply-add count OH·OW·weights = \(Count.formula(oh, ow, weights))"),
                          window: window)
    }

    /// local: like conv, but every output position has its own filters (no weight sharing).
    ///
    ///     parameters    = OH · OW · F · C · KH · KW  (+ OH · OW · F biases)
    ///     multiply-adds = OH · OW · F · C · KH · KW
    func localFacts(input: Shape, layer: Layer, diagnostics: inout [Diagnostic]) throws(ShapeError) -> LayerFacts {
        let window = try window(input: input, layer: layer)
        let (oh, ow) = try window.outputExtent(input: input, layer: layer, diagnostics: &diagnostics)
        let count = Count(layer: layer)
        let factors = [oh, ow, filters, input.channels, size.height, size.width]
        let weights = try count.elements(factors, what: "the weight count OH·OW·F·C·KH·KW = \(Count.formula(factors))")
        // At most the weight count, since C·KH·KW ≥ 1.
        let biases = bias ? oh * ow * filters : 0
        return LayerFacts(output: Shape(channels: filters, height: oh, width: ow),
                          trainable: try count.sum(weights, biases, what: "the parameter count"),
                          multiplyAdds: weights, window: window)
    }
}
