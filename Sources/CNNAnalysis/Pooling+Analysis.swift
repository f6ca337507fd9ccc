import CNNIR

extension Pooling {
    /// maxpool and avgpool: the sliding-window rule (rounded up with `ceil`), channels unchanged, no parameters.
    /// Multiply-adds are counted as 0: pooling compares or sums, it does not multiply.
    func facts(input: Shape, layer: Layer, diagnostics: inout [Diagnostic]) throws(ShapeError) -> LayerFacts {
        let one = Size2(square: 1)
        let resolved = try SlidingWindow.resolve(padding, input: input, size: size, stride: stride, dilation: one, layer: layer)
        // Each side's padding below the window keeps every window on at least one real pixel.
        guard resolved.top < size.height, resolved.bottom < size.height,
              resolved.left < size.width, resolved.right < size.width else {
            throw .poolPaddingTooLarge(layer: layer.name, padding: resolved, window: size, at: layer.location)
        }
        let window = SlidingWindow(size: size, stride: stride, dilation: one, padding: resolved, ceil: ceil)
        let (oh, ow) = try window.outputExtent(input: input, layer: layer, diagnostics: &diagnostics)
        return LayerFacts(output: Shape(channels: input.channels, height: oh, width: ow), window: window)
    }
}
