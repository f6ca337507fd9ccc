/// Sizes computed from numbers read out of files: `nil` on overflow instead of a trap, so a hostile
/// header becomes an error value rather than a crash (`&*` would wrap and hide it).
public enum CheckedArithmetic {
    /// The product of `factors`, or `nil` if it overflows `Int`; 1 for no factors.
    public static func product(_ factors: [Int]) -> Int? {
        var result = 1
        for factor in factors {
            let (value, overflow) = result.multipliedReportingOverflow(by: factor)
            if overflow { return nil }
            result = value
        }
        return result
    }

    /// `a + b`, or `nil` if it overflows `Int`.
    public static func sum(_ a: Int, _ b: Int) -> Int? {
        let (value, overflow) = a.addingReportingOverflow(b)
        return overflow ? nil : value
    }
}
