/// Overflow-checked arithmetic on sizes and counts, and the limits cnnc puts on them, so that an
/// absurd spec is an error rather than a trap (Swift traps on integer overflow) or a huge allocation.
///
/// The limits (docs/spec.md, "Limits"):
///
/// - a tensor holds at most `maximumElements` = 2^40 values per image: the input, every layer's
///   output, every weight tensor, and every padded axis or dilated window. 2^40 floats are 4 TiB,
///   far beyond any machine, so no network that could run is refused; and the runtime's products
///   stay checkable: batch · 2^40 fits an `Int` for batches up to 2^23, and byte offsets
///   (4 · elements) never come near 2^63.
/// - counts (parameters, multiply-adds, their totals, bytes, receptive fields) must fit an `Int`.
public enum CheckedSize {
    /// Largest number of values in one tensor for one image, and the largest extent of any axis: 2^40.
    public static let maximumElements = 1 << 40

    /// The product of `factors`, or nil when it overflows an `Int`.
    public static func product(_ factors: Int...) -> Int? { product(factors) }

    public static func product(_ factors: [Int]) -> Int? {
        var result = 1
        for factor in factors {
            let (value, overflow) = result.multipliedReportingOverflow(by: factor)
            if overflow { return nil }
            result = value
        }
        return result
    }

    /// The sum of `terms`, or nil when it overflows an `Int`.
    public static func sum(_ terms: Int...) -> Int? { sum(terms) }

    public static func sum(_ terms: [Int]) -> Int? {
        var result = 0
        for term in terms {
            let (value, overflow) = result.addingReportingOverflow(term)
            if overflow { return nil }
            result = value
        }
        return result
    }

    /// `a − b`, or nil when it overflows an `Int`.
    public static func difference(_ a: Int, _ b: Int) -> Int? {
        let (value, overflow) = a.subtractingReportingOverflow(b)
        return overflow ? nil : value
    }

    /// The product of `factors` when it is at most `maximumElements`, else nil.
    public static func elements(_ factors: Int...) -> Int? {
        guard let count = product(factors), count <= maximumElements else { return nil }
        return count
    }
}
