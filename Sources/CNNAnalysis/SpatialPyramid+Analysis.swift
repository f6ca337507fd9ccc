import CNNIR

extension SpatialPyramid {
    /// spp: C·Σ l² outputs whatever the input's height and width; no parameters and, like the other
    /// pooling layers, no multiply-adds counted.
    func facts(input: Shape, layer: Layer) throws(ShapeError) -> LayerFacts {
        for level in levels where level > input.height || level > input.width {
            throw .pyramidTooFine(layer: layer.name, level: level, input: input, at: layer.location)
        }
        // Each level is at most H and W, so l² ≤ H·W; their sum and C·Σl² are still checked.
        let count = Count(layer: layer)
        var bins = 0
        for level in levels { bins = try count.sum(bins, level * level, what: "the bins per channel Σl²") }
        let outputs = try count.elements(input.channels, bins, what: "the output count C·Σl² = \(Count.formula(input.channels, bins))")
        return LayerFacts(output: Shape(channels: outputs, height: 1, width: 1), seesWholeInput: true)
    }
}
