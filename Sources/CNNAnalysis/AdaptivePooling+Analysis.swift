import CNNIR

extension AdaptivePooling {
    /// adaptiveavgpool and adaptivemaxpool: [C, oh, ow] whatever the input's height and width; no
    /// parameters and, like the other pooling layers, no multiply-adds counted.
    ///
    /// The bins are not one sliding window (their starts are ⌊i·H/oh⌋, not a multiple of a stride), so
    /// for the receptive field the layer counts as a window the size of its largest bin
    /// (`AdaptiveBins.largest`) with stride ⌊H/oh⌋ (at least 1) and no padding: exact when oh divides H
    /// (size = stride = H/oh); when oh is 1, the whole input with stride 1, as `globalavgpool`. The layer's
    /// `window` stays nil.
    func facts(input: Shape, layer: Layer) throws(ShapeError) -> LayerFacts {
        let output = Shape(channels: input.channels, height: size.height, width: size.width)
        // Checked here, before the bins' arithmetic uses oh and ow (each then at most 2^40).
        _ = try Count(layer: layer).elements(output.channels, output.height, output.width,
                                             what: "the output C·H·W = \(Count.formula(output.channels, output.height, output.width))")
        let field = SlidingWindow(size: Size2(AdaptiveBins.largest(of: size.height, extent: input.height),
                                              AdaptiveBins.largest(of: size.width, extent: input.width)),
                                  stride: Size2(Self.fieldStride(input.height, size.height), Self.fieldStride(input.width, size.width)),
                                  dilation: Size2(square: 1), padding: ResolvedPadding(top: 0, bottom: 0, left: 0, right: 0))
        return LayerFacts(output: output, fieldWindow: field)
    }

    /// ⌊extent/bins⌋, at least 1; 1 for a single bin (the whole axis, as `globalavgpool`).
    static func fieldStride(_ extent: Int, _ bins: Int) -> Int {
        bins == 1 ? 1 : max(1, extent / bins)
    }
}
