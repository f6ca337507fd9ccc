/// bfloat16: a float's sign, its 8 exponent bits and the top 7 of its 23 fraction bits. It keeps float's range
/// (no gradient underflows, unlike IEEE half) at about 3 significant digits: the compressed gradient allreduce
/// (`--allreduce-precision bf16`) sends these, half the bytes of floats.
public enum BFloat16 {
    /// Rounded to nearest, ties to even; NaN stays NaN, infinities stay infinite.
    @inline(__always) public static func rounded(_ x: Float) -> UInt16 {
        let bits = x.bitPattern
        if x.isNaN { return UInt16(truncatingIfNeeded: bits >> 16) | 0x40 }
        let rounding: UInt32 = 0x7FFF + ((bits >> 16) & 1)
        return UInt16(truncatingIfNeeded: (bits &+ rounding) >> 16)
    }

    @inline(__always) public static func float(_ value: UInt16) -> Float { Float(bitPattern: UInt32(value) << 16) }
}

/// The precision of the gradients on the wire in a data-parallel run; the weights and the optimizer stay float.
public enum AllreducePrecision: String, Sendable, CaseIterable, Codable {
    case fp32, bf16
}
