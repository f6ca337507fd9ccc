import CKernels

/// A conv's weights in their two layouts: stored `[F][C][K]` (PyTorch's, K = KH·KW taps; per group) and the kernels'
/// `[K][C][F]` (each tap's channels a row of filters). A training step repacks the weights once and unpacks their
/// gradient once per conv (`CKernels/filter_layout.c`, 8×8 AVX2 transposes); the threads split the filters, so every
/// element's arithmetic is the same whatever the split.
public enum FilterLayout {
    /// `kernels[(k·C + c)·F + f] = stored[(f·C + c)·K + k] · scale[f]` (scale nil: 1), for each group's `F` filters.
    public static func pack(_ stored: UnsafePointer<Float>, groups: Int, filters: Int, channels: Int, taps: Int,
                            scale: UnsafePointer<Float>?, into kernels: UnsafeMutablePointer<Float>, threads: Int) {
        let size = filters * channels * taps
        for g in 0..<groups {
            forEachFilterRange(filters: filters, weights: size, threads: threads) { first, last in
                cnnc_pack_filters(stored + g * size, Int32(filters), Int32(channels), Int32(taps), scale.map { $0 + g * filters },
                                  Int32(first), Int32(last), kernels + g * size)
            }
        }
    }

    /// `stored[(f·C + c)·K + k] += ((parts[0][i] + parts[1][i]) + …)` with `i = (k·C + c)·F + f`: the threads' gradient
    /// accumulators in the kernel layout, summed in thread order, added to the stored layout's gradient.
    public static func addGradient(_ parts: [UnsafePointer<Float>], groups: Int, filters: Int, channels: Int, taps: Int,
                                   into stored: UnsafeMutablePointer<Float>, threads: Int) {
        let size = filters * channels * taps
        for g in 0..<groups {
            let offsets: [UnsafePointer<Float>?] = parts.map { $0 + g * size }
            offsets.withUnsafeBufferPointer { pointers in
                forEachFilterRange(filters: filters, weights: size, threads: threads) { first, last in
                    cnnc_unpack_filter_gradient(pointers.baseAddress!, Int32(parts.count), Int32(filters), Int32(channels), Int32(taps),
                                                Int32(first), Int32(last), stored + g * size)
                }
            }
        }
    }

    /// `flipped[(k·F + f)·C + c] = stored[(f·C + c)·K + K − 1 − k]`: the filters rotated 180° and transposed (`[K][F][C]`,
    /// ungrouped), the weights of the input gradient as a convolution of the output gradient.
    public static func flip(_ stored: UnsafePointer<Float>, filters: Int, channels: Int, taps: Int, into flipped: UnsafeMutablePointer<Float>,
                            threads: Int) {
        forEachFilterRange(filters: filters, weights: filters * channels * taps, threads: threads) { first, last in
            cnnc_flip_filters(stored, Int32(filters), Int32(channels), Int32(taps), Int32(first), Int32(last), flipped)
        }
    }

    /// Splits the filters over the threads in blocks of 16 (the kernels' block); below 2^16 weights, one thread.
    private static func forEachFilterRange(filters: Int, weights: Int, threads: Int, _ body: (Int, Int) -> Void) {
        let blocks = (filters + 15) / 16
        Parallel.forEachChunk(count: blocks, chunks: weights < 1 << 16 ? 1 : threads) { _, range in
            body(range.lowerBound * 16, min(range.upperBound * 16, filters))
        }
    }
}
