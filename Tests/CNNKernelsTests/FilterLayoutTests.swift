import CNNData
import CNNKernels
import Testing

/// The weight repacking `[F][C][K]` → `[K][C][F]`, the gradient unpacking back and the flip `[K][F][C]`, against the
/// index formulas, on shapes that fill the 16-filter × 8-column AVX2 blocks, shapes that leave tails on both sides,
/// groups, and 1–3 threads (split from 2^16 weights on: the last three shapes, two of them with tails; the result must
/// not depend on the split).
struct FilterLayoutTests {
    /// (groups, filters per group, channels per group, taps)
    static let shapes: [(Int, Int, Int, Int)] = [(1, 64, 32, 9), (1, 17, 3, 49), (2, 40, 5, 1), (1, 16, 1, 9), (3, 8, 7, 9),
                                                (1, 33, 13, 25), (1, 1, 1, 1), (1, 128, 128, 9), (1, 40, 200, 9), (2, 33, 250, 9)]

    @Test(arguments: shapes.indices, [1, 2, 3])
    func flipRotatesAndTransposesEveryFilter(shape: Int, threads: Int) {
        let (groups, filters, channels, taps) = Self.shapes[shape]
        guard groups == 1 else { return }  // the flip is for ungrouped convs
        let count = filters * channels * taps
        let stored = Self.values(count, seed: 6)
        var flipped = [Float](repeating: .nan, count: count)
        FilterLayout.flip(stored, filters: filters, channels: channels, taps: taps, into: &flipped, threads: threads)
        var wrong = 0
        for f in 0..<filters {
            for c in 0..<channels {
                for k in 0..<taps where flipped[(k * filters + f) * channels + c] != stored[(f * channels + c) * taps + taps - 1 - k] {
                    wrong += 1
                }
            }
        }
        #expect(wrong == 0, "shape \(Self.shapes[shape]): \(wrong) of \(count) weights wrong")
    }

    static func values(_ n: Int, seed: UInt64) -> [Float] {
        var random = SeededGenerator(seed: seed)
        return (0..<n).map { _ in random.nextUnitFloat() * 2 - 1 }
    }

    @Test(arguments: shapes.indices, [1, 2, 3])
    func packMovesEveryWeightAndScalesItsFilter(shape: Int, threads: Int) {
        let (groups, filters, channels, taps) = Self.shapes[shape]
        let size = filters * channels * taps, count = groups * size
        let stored = Self.values(count, seed: 3), scale = Self.values(groups * filters, seed: 4)
        for scaled in [false, true] {
            var packed = [Float](repeating: .nan, count: count)
            scale.withUnsafeBufferPointer { s in
                FilterLayout.pack(stored, groups: groups, filters: filters, channels: channels, taps: taps,
                                  scale: scaled ? s.baseAddress : nil, into: &packed, threads: threads)
            }
            var wrong = 0
            for g in 0..<groups {
                for f in 0..<filters {
                    for c in 0..<channels {
                        for k in 0..<taps {
                            let w = stored[g * size + (f * channels + c) * taps + k] * (scaled ? scale[g * filters + f] : 1)
                            if packed[g * size + (k * channels + c) * filters + f] != w { wrong += 1 }
                        }
                    }
                }
            }
            #expect(wrong == 0, "shape \(Self.shapes[shape]), scaled \(scaled): \(wrong) of \(count) weights wrong")
        }
    }

    @Test(arguments: shapes.indices, [1, 2, 3])
    func gradientAddsThePartsInOrderIntoTheStoredLayout(shape: Int, threads: Int) {
        let (groups, filters, channels, taps) = Self.shapes[shape]
        let size = filters * channels * taps, count = groups * size
        for partCount in [1, 2, 3] {
            let parts = (0..<partCount).map { Self.values(count, seed: 10 + UInt64($0)) }
            let before = Self.values(count, seed: 20)
            var gradient = before
            let pointers = parts.map { part in
                let p = UnsafeMutablePointer<Float>.allocate(capacity: count)
                p.initialize(from: part, count: count)
                return p
            }
            defer { pointers.forEach { $0.deallocate() } }
            FilterLayout.addGradient(pointers.map { UnsafePointer($0) }, groups: groups, filters: filters, channels: channels,
                                     taps: taps, into: &gradient, threads: threads)
            var wrong = 0
            for g in 0..<groups {
                for f in 0..<filters {
                    for c in 0..<channels {
                        for k in 0..<taps {
                            let i = g * size + (k * channels + c) * filters + f, s = g * size + (f * channels + c) * taps + k
                            var sum = parts[0][i]
                            for t in 1..<partCount { sum += parts[t][i] }
                            if gradient[s] != before[s] + sum { wrong += 1 }
                        }
                    }
                }
            }
            #expect(wrong == 0, "shape \(Self.shapes[shape]), \(partCount) parts: \(wrong) of \(count) wrong")
        }
    }
}
