/// The bins of PyTorch's adaptive pooling (`adaptive_avg_pool2d`, `adaptive_max_pool2d`), shared by
/// `adaptiveavgpool`, `adaptivemaxpool` and `spp`: `bins` bins over an axis of `extent` pixels, bin i
/// spanning ⌊i·extent/bins⌋ ..< ⌈(i+1)·extent/bins⌉. When extent < bins the bins overlap and repeat pixels.
public enum AdaptiveBins {
    /// Bin i of `bins` over `extent` pixels. Products are taken in full width, so any i < bins and
    /// extent that the analysis allows (each at most `CheckedSize.maximumElements`) are exact.
    public static func bin(_ i: Int, of bins: Int, extent: Int) -> Range<Int> {
        let start = bins.dividingFullWidth(i.multipliedFullWidth(by: extent)).quotient
        let (q, r) = bins.dividingFullWidth((i + 1).multipliedFullWidth(by: extent))
        return start..<(r == 0 ? q : q + 1)
    }

    /// The largest bin's length, ⌈(bins − g + extent)/bins⌉ with g = gcd(extent, bins): writing
    /// i·extent = q·bins + r, bin i holds ⌈(r + extent)/bins⌉ pixels, and r runs over the multiples of g below bins.
    public static func largest(of bins: Int, extent: Int) -> Int {
        var (a, b) = (extent, bins)
        while b != 0 { (a, b) = (b, a % b) }
        return (bins - a + extent - 1) / bins + 1
    }

    /// Σ_i of the lengths of the `bins` bins over `extent` pixels: extent + bins − gcd(extent, bins).
    /// The sum of the ends minus the sum of the starts is extent plus the number of k in 1...bins for which
    /// k·extent/bins is not whole, bins − gcd(extent, bins). At most 2·extent, so it fits.
    public static func lengthSum(of bins: Int, extent: Int) -> Int {
        var (a, b) = (extent, bins)
        while b != 0 { (a, b) = (b, a % b) }
        return extent + bins - a
    }
}
