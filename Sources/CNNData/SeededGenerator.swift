/// xoshiro256** seeded through SplitMix64: fast, small state, and the same stream on every platform,
/// so a `--seed` reproduces init, shuffling, dropout and augmentation exactly.
public struct SeededGenerator: RandomNumberGenerator, Sendable {
    private var s: (UInt64, UInt64, UInt64, UInt64)

    public init(seed: UInt64) {
        var x = seed
        func splitMix() -> UInt64 {
            x &+= 0x9E37_79B9_7F4A_7C15
            var z = x
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        s = (splitMix(), splitMix(), splitMix(), splitMix())
    }

    /// An independent stream for a purpose (init, shuffle, dropout…) derived from one user seed.
    public init(seed: UInt64, stream: UInt64) {
        self.init(seed: seed ^ (stream &* 0xD1B5_4A32_D192_ED03))
    }

    /// One stream number for a tuple of parts (purpose tag, step, layer, image…), hashed so that
    /// different tuples practically never share a stream.
    public static func streamID(_ parts: UInt64...) -> UInt64 {
        var generator = SeededGenerator(seed: 0x6A09_E667_F3BC_C908)
        var id: UInt64 = 0
        for part in parts {
            id = (id ^ part) &* 0x9E37_79B9_7F4A_7C15
            id ^= generator.next()
        }
        return id
    }

    public mutating func next() -> UInt64 {
        let result = ((s.1 &* 5) << 7 | (s.1 &* 5) >> 57) &* 9
        let t = s.1 << 17
        s.2 ^= s.0
        s.3 ^= s.1
        s.1 ^= s.2
        s.0 ^= s.3
        s.2 ^= t
        s.3 = (s.3 << 45) | (s.3 >> 19)
        return result
    }

    /// Uniform in [0, 1) with 24 bits, the resolution of a Float.
    public mutating func nextUnitFloat() -> Float {
        Float(next() >> 40) * (1.0 / 16_777_216.0)
    }

    /// Standard normal by Box–Muller.
    public mutating func nextNormal() -> Double {
        let u1 = Double(next() >> 11) * (1.0 / 9_007_199_254_740_992.0)
        let u2 = Double(next() >> 11) * (1.0 / 9_007_199_254_740_992.0)
        return (-2 * log(max(u1, 1e-300))).squareRoot() * cos(2 * Double.pi * u2)
    }

    /// The state, for checkpoints that must resume the exact stream.
    public var state: [UInt64] { [s.0, s.1, s.2, s.3] }

    public init(state: [UInt64]) {
        precondition(state.count == 4)
        s = (state[0], state[1], state[2], state[3])
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
