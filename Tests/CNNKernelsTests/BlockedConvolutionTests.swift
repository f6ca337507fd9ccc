import CNNData
import CNNKernels
import Testing

/// The blocked forward kernel (`DirectConvolution.forwardBlocked`, batch-1 passes of the GEMM convs) against the direct
/// kernel, bit for bit, and against the naive reference to rounding: on shapes whose taps go through in several
/// chunks (within a window row, and several rows at a time), a dilated width (taps outside the inner run), stride 2,
/// filter counts with a narrower last block, maps whose pixels leave tiles of 1–5, and the filters split into two or
/// three ranges as the threads split them.
struct BlockedConvolutionTests {
    struct Shape: CustomTestStringConvertible, Sendable {
        var channels: Int, height: Int, width: Int, kernel: Int, stride: Int, dilation: Int, pad: Int, filters: Int
        var bias: Bool, activation: FusedActivation
        var testDescription: String {
            "\(channels)→\(filters) \(kernel)×\(kernel) s\(stride) d\(dilation) p\(pad) on \(height)×\(width)"
        }
    }

    static let shapes: [Shape] = [
        // 3·520 = 1,560 taps per window row: a 16-filter block's row is cut into chunks of 1,024 (64 KiB); 40 filters
        // leave an 8-filter block; 7×7 = 49 pixels.
        Shape(channels: 520, height: 7, width: 7, kernel: 3, stride: 1, dilation: 1, pad: 1, filters: 40, bias: true, activation: .relu),
        // 360 taps per row: two window rows per chunk, then one.
        Shape(channels: 120, height: 6, width: 5, kernel: 3, stride: 1, dilation: 1, pad: 1, filters: 32, bias: false, activation: .none),
        // Dilation 2 along the width: each tap of a row is its own run.
        Shape(channels: 24, height: 9, width: 9, kernel: 3, stride: 1, dilation: 2, pad: 2, filters: 16, bias: true, activation: .relu6),
        // Stride 2, 96 filters (AVX-512: a 64-filter block and a 32-filter one).
        Shape(channels: 64, height: 8, width: 9, kernel: 3, stride: 2, dilation: 1, pad: 1, filters: 96, bias: true, activation: .none),
        // A 1×1 conv of 1,100 channels at 3×3, one pixel, and a 7×7 stem-like conv of 3 channels (21 taps per row).
        Shape(channels: 1100, height: 3, width: 3, kernel: 1, stride: 1, dilation: 1, pad: 0, filters: 24, bias: false, activation: .relu),
        Shape(channels: 1100, height: 1, width: 1, kernel: 1, stride: 1, dilation: 1, pad: 0, filters: 16, bias: true, activation: .none),
        Shape(channels: 3, height: 13, width: 11, kernel: 7, stride: 2, dilation: 1, pad: 3, filters: 64, bias: true, activation: .relu),
    ]

    @Test(arguments: shapes)
    func matchesTheDirectKernelAndTheReference(shape s: Shape) {
        let extent = (s.kernel - 1) * s.dilation + 1
        let (oh, ow) = ((s.height + 2 * s.pad - extent) / s.stride + 1, (s.width + 2 * s.pad - extent) / s.stride + 1)
        let (hp, wp) = (s.height + 2 * s.pad, s.width + 2 * s.pad)
        let taps = s.kernel * s.kernel
        var random = SeededGenerator(seed: 31)
        let image = (0..<(s.channels * s.height * s.width)).map { _ in random.nextUnitFloat() * 2 - 1 }  // [C, H, W]
        let stored = (0..<(s.filters * s.channels * taps)).map { _ in random.nextUnitFloat() * 2 - 1 }  // [F, C, KH, KW]
        let bias = s.bias ? (0..<s.filters).map { _ in random.nextUnitFloat() - 0.5 } : nil

        var channelsLast = [Float](repeating: 0, count: image.count), padded = [Float](repeating: 0, count: hp * wp * s.channels)
        image.withUnsafeBufferPointer { ChannelsLast.fromChannelsFirst($0.baseAddress!, &channelsLast, channels: s.channels, height: s.height, width: s.width) }
        ChannelsLast.pad(channelsLast, height: s.height, width: s.width, channels: s.channels, top: s.pad, left: s.pad, into: &padded,
                         paddedHeight: hp, paddedWidth: wp)
        var packed = [Float](repeating: 0, count: stored.count), panels = packed, blocks = packed
        FilterLayout.pack(stored, groups: 1, filters: s.filters, channels: s.channels, taps: taps, scale: nil, into: &packed, threads: 1)
        DirectConvolution.panels(packed, taps: taps, channels: s.channels, filters: s.filters, into: &panels)
        DirectConvolution.blocks(packed, taps: taps, channels: s.channels, filters: s.filters, into: &blocks)

        func run(_ weights: [Float], ranges: [Range<Int>]?) -> [Float] {
            var y = [Float](repeating: .nan, count: oh * ow * s.filters)
            bias.withOptionalPointer { b in
                y.withUnsafeMutableBufferPointer { out in
                    guard let ranges else {
                        return DirectConvolution.forward(padded: padded, paddedWidth: wp, channels: s.channels, weights: weights, bias: b,
                                                         output: out.baseAddress!, outputHeight: oh, outputWidth: ow, filters: s.filters,
                                                         kernelHeight: s.kernel, kernelWidth: s.kernel, strideHeight: s.stride,
                                                         strideWidth: s.stride, dilationHeight: s.dilation, dilationWidth: s.dilation,
                                                         activation: s.activation)
                    }
                    for range in ranges {
                        DirectConvolution.forwardBlocked(padded: padded, paddedWidth: wp, channels: s.channels, weights: weights, bias: b,
                                                         output: out.baseAddress!, outputHeight: oh, outputWidth: ow, filters: s.filters,
                                                         range: range, kernelHeight: s.kernel, kernelWidth: s.kernel, strideHeight: s.stride,
                                                         strideWidth: s.stride, dilationHeight: s.dilation, dilationWidth: s.dilation,
                                                         activation: s.activation)
                    }
                }
            }
            return y
        }
        let direct = run(s.filters > DirectConvolution.panelWidth ? panels : packed, ranges: nil)
        let width = DirectConvolution.blockWidth(filters: s.filters), blockCount = (s.filters + width - 1) / width
        for parts in [1, 2, 3] where parts <= blockCount {
            // The threads' split: whole blocks, the last range ending at F.
            let ranges = (0..<parts).map { k in (k * blockCount / parts * width)..<min((k + 1) * blockCount / parts * width, s.filters) }
            let blocked = run(blocks, ranges: ranges)
            let differing = zip(direct, blocked).filter { $0.bitPattern != $1.bitPattern }.count
            #expect(differing == 0, "\(parts) ranges \(ranges): \(differing) of \(direct.count) outputs differ from the direct kernel's")
        }

        let g = WindowGeometry(channels: s.channels, height: s.height, width: s.width, kernelHeight: s.kernel, kernelWidth: s.kernel,
                               strideHeight: s.stride, strideWidth: s.stride, dilationHeight: s.dilation, dilationWidth: s.dilation,
                               padTop: s.pad, padLeft: s.pad, outputHeight: oh, outputWidth: ow)
        var expected = ReferenceConvolution.forward(g, groups: 1, filters: s.filters, batch: 1, input: image, weights: stored, bias: bias)
        expected = expected.map { s.activation == .none ? $0 : min(max($0, 0), s.activation == .relu6 ? 6 : .infinity) }
        var worst: Float = 0
        for p in 0..<(oh * ow) {
            for f in 0..<s.filters { worst = max(worst, abs(direct[p * s.filters + f] - expected[f * oh * ow + p])) }
        }
        // Sums of up to ~10,000 products of values in [-1, 1], in another order.
        #expect(worst <= 1e-3, "largest difference from the reference \(worst)")
    }
}

private extension Optional where Wrapped == [Float] {
    func withOptionalPointer<R>(_ body: (UnsafePointer<Float>?) -> R) -> R {
        guard let self else { return body(nil) }
        return self.withUnsafeBufferPointer { body($0.baseAddress) }
    }
}
