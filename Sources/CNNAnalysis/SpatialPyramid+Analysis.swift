import CNNIR

extension SpatialPyramid {
    /// spp: C·Σ l² outputs whatever the input's height and width; no parameters and, like the other
    /// pooling layers, no multiply-adds counted.
    func facts(input: Shape, layer: Layer) throws(ShapeError) -> LayerFacts {
        for level in levels where level > input.height || level > input.width {
            throw .pyramidTooFine(layer: layer.name, level: level, input: input, at: layer.location)
        }
        let count = Count(layer: layer)
        return LayerFacts(output: Shape(channels: try count.product(input.channels, binsPerChannel, what: "the output count"), height: 1, width: 1),
                          seesWholeInput: true)
    }

    /// Bin i of a level with `bins` bins over `extent` pixels: ⌊i·extent/bins⌋ ..< ⌈(i+1)·extent/bins⌉ (PyTorch's adaptive pooling).
    public static func bin(_ i: Int, of bins: Int, extent: Int) -> Range<Int> {
        (i * extent / bins)..<(((i + 1) * extent + bins - 1) / bins)
    }
}
