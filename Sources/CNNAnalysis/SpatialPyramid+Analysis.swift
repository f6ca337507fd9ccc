import CNNIR

extension SpatialPyramid {
    /// spp: C·Σ l² outputs whatever the input's height and width; no parameters and, like the other
    /// pooling layers, no multiply-adds (its compares or adds are other operations).
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

    /// Bin i of a level with `bins` bins over `extent` pixels: ⌊i·extent/bins⌋ ..< ⌈(i+1)·extent/bins⌉ (PyTorch's adaptive pooling).
    public static func bin(_ i: Int, of bins: Int, extent: Int) -> Range<Int> {
        (i * extent / bins)..<(((i + 1) * extent + bins - 1) / bins)
    }

    /// Σ_i of the extents of a level's `bins` bins over `extent` pixels: extent + bins − gcd(extent, bins).
    /// Bin i spans ⌊i·E/l⌋ ..< ⌈(i+1)·E/l⌉ (`bin(_:of:extent:)`); the sum of the ends minus the sum of
    /// the starts is E plus the number of k in 1...l for which k·E/l is not whole, l − gcd(E, l).
    /// At most 2·extent, so it fits.
    static func binExtents(of bins: Int, extent: Int) -> Int {
        var (a, b) = (extent, bins)
        while b != 0 { (a, b) = (b, a % b) }
        return extent + bins - a
    }
}
