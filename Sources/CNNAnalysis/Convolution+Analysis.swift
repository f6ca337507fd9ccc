import CNNIR

extension Convolution {
    func window(input: Shape) -> SlidingWindow {
        SlidingWindow(size: size, stride: stride, dilation: dilation,
                      padding: SlidingWindow.resolve(padding, input: input, size: size, stride: stride, dilation: dilation))
    }

    /// conv: F filters of C/groups × KH × KW shared by every position.
    ///
    ///     parameters   = F · (C / groups) · KH · KW  (+ F biases)
    ///     multiply-adds = OH · OW · F · (C / groups) · KH · KW
    func convFacts(input: Shape, layer: Layer, diagnostics: inout [Diagnostic]) throws(ShapeError) -> LayerFacts {
        guard input.channels % groups == 0, filters % groups == 0 else {
            throw .groupsMismatch(layer: layer.name, channels: input.channels, filters: filters, groups: groups, at: layer.location)
        }
        let window = window(input: input)
        let (oh, ow) = try window.outputExtent(input: input, layer: layer, diagnostics: &diagnostics)
        let count = Count(layer: layer)
        let perFilter = try count.product(input.channels / groups, size.height, size.width, what: "the weight count")
        let weights = try count.product(filters, perFilter, what: "the weight count")
        return LayerFacts(output: Shape(channels: filters, height: oh, width: ow),
                          trainable: try count.sum(weights, bias ? filters : 0, what: "the parameter count"),
                          multiplyAdds: try count.product(oh, ow, weights, what: "the multiply-add count"),
                          window: window)
    }

    /// local: like conv, but every output position has its own filters (no weight sharing).
    ///
    ///     parameters    = OH · OW · F · C · KH · KW  (+ OH · OW · F biases)
    ///     multiply-adds = OH · OW · F · C · KH · KW
    func localFacts(input: Shape, layer: Layer, diagnostics: inout [Diagnostic]) throws(ShapeError) -> LayerFacts {
        let window = window(input: input)
        let (oh, ow) = try window.outputExtent(input: input, layer: layer, diagnostics: &diagnostics)
        let count = Count(layer: layer)
        let weights = try count.product(oh, ow, filters, input.channels, size.height, size.width, what: "the weight count")
        let biases = bias ? try count.product(oh, ow, filters, what: "the bias count") : 0
        return LayerFacts(output: Shape(channels: filters, height: oh, width: ow),
                          trainable: try count.sum(weights, biases, what: "the parameter count"),
                          multiplyAdds: weights, window: window)
    }
}
