import CNNData
import CNNKernels
import CNNTestSupport
import Testing

/// The im2col + GEMM convolution path against the direct reference, to a stated tolerance.
struct Im2ColGemmTests {
    /// Float sums of up to a few hundred products of values in [-1, 1]: 1e-4 absolute covers reordering.
    static let tolerance: Float = 1e-4

    @Test(arguments: [
        (3, 9, 9, 3, 3, 1, 1, 1, 1, 1, 4),   // plain, padded
        (4, 8, 7, 3, 2, 2, 1, 0, 1, 2, 6),   // strided, asymmetric kernel, grouped
        (2, 10, 10, 3, 3, 1, 2, 2, 2, 1, 3), // dilated
        (6, 5, 5, 1, 1, 1, 1, 0, 0, 3, 3),   // pointwise, grouped
    ])
    func matchesReference(c: Int, h: Int, w: Int, kh: Int, kw: Int, stride: Int, dilation: Int,
                          padTop: Int, padLeft: Int, groups: Int, filters: Int) {
        let oh = (h + 2 * padTop - dilation * (kh - 1) - 1) / stride + 1
        let ow = (w + 2 * padLeft - dilation * (kw - 1) - 1) / stride + 1
        let g = WindowGeometry(channels: c, height: h, width: w, kernelHeight: kh, kernelWidth: kw,
                               strideHeight: stride, strideWidth: stride, dilationHeight: dilation, dilationWidth: dilation,
                               padTop: padTop, padLeft: padLeft, outputHeight: oh, outputWidth: ow)
        var random = SeededGenerator(seed: 5)
        let input = (0..<(c * h * w)).map { _ in random.nextUnitFloat() * 2 - 1 }
        let weights = (0..<(filters * c / groups * kh * kw)).map { _ in random.nextUnitFloat() * 2 - 1 }
        let expected = ReferenceConvolution.forward(g, groups: groups, filters: filters, batch: 1, input: input, weights: weights, bias: nil)

        // im2col, then one GEMM per group.
        let taps = c / groups * kh * kw, fpg = filters / groups
        var columns = [Float](repeating: .nan, count: g.columnRows * g.columnCount)
        var output = [Float](repeating: .nan, count: filters * oh * ow)
        input.withUnsafeBufferPointer { x in
            columns.withUnsafeMutableBufferPointer { Im2Col.forward(g, image: x.baseAddress!, columns: $0.baseAddress!) }
        }
        weights.withUnsafeBufferPointer { wp in
            columns.withUnsafeBufferPointer { cp in
                output.withUnsafeMutableBufferPointer { op in
                    for group in 0..<groups {
                        BLAS.gemm(m: fpg, n: oh * ow, k: taps, a: wp.baseAddress! + group * fpg * taps, lda: taps,
                                  b: cp.baseAddress! + group * taps * oh * ow, ldb: oh * ow,
                                  c: op.baseAddress! + group * fpg * oh * ow, ldc: oh * ow)
                    }
                }
            }
        }
        let worst = zip(output, expected).map { abs($0 - $1) }.max() ?? .infinity
        #expect(worst <= Self.tolerance, "max difference \(worst)")
    }

    @Test func col2imIsTheAdjointOfIm2col() {
        // <im2col(x), y> == <x, col2im(y)> for any x, y: the defining property of the backward pass.
        let g = WindowGeometry(channels: 2, height: 6, width: 5, kernelHeight: 3, kernelWidth: 2, strideHeight: 2, strideWidth: 1,
                               dilationHeight: 1, dilationWidth: 2, padTop: 1, padLeft: 1, outputHeight: 3, outputWidth: 4)
        var random = SeededGenerator(seed: 9)
        let x = (0..<(2 * 6 * 5)).map { _ in Double(random.nextUnitFloat()) }
        let y = (0..<(g.columnRows * g.columnCount)).map { _ in Double(random.nextUnitFloat()) }
        var columns = [Float](repeating: 0, count: y.count)
        var image = [Float](repeating: 0, count: x.count)
        x.map(Float.init).withUnsafeBufferPointer { xp in
            columns.withUnsafeMutableBufferPointer { Im2Col.forward(g, image: xp.baseAddress!, columns: $0.baseAddress!) }
        }
        y.map(Float.init).withUnsafeBufferPointer { yp in
            image.withUnsafeMutableBufferPointer { Im2Col.backward(g, columns: yp.baseAddress!, image: $0.baseAddress!) }
        }
        let left = zip(columns, y).reduce(0.0) { $0 + Double($1.0) * $1.1 }
        let right = zip(image, x).reduce(0.0) { $0 + Double($1.0) * $1.1 }
        #expect(abs(left - right) < 1e-4)
    }

    @Test func chunksCoverTheRangeOnce() {
        for count in [0, 1, 7, 100] {
            for chunks in 1...5 {
                let ranges = (0..<max(1, min(chunks, count))).map { Parallel.chunkRange($0, of: max(1, min(chunks, count)), count: count) }
                #expect(ranges.flatMap { Array($0) } == Array(0..<count))
            }
        }
    }
}
