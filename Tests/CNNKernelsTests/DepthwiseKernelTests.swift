import CNNData
import CNNKernels
import Testing

/// The depthwise forward kernel (`CKernels/depthwise_conv.c`, its 3×3 tiles in `depthwise_tiles.h`) gives the bits of a
/// naive loop that adds the bias, then each tap inside the image in the order kh, kw with one fused multiply-add: on
/// the 3×3 tiles (stride 1 and 2, every tile width, images narrower than a tile or than the window, windows wholly
/// outside it), the general tiles (5×5, dilation 2, channels not a multiple of 8) and the clipped border pixels, with
/// and without a bias, each fused activation, for whole images and for bands of rows. A multiple of 16 channels takes
/// the AVX-512 build where the CPU has it (`AVX512KernelTests` compares the two builds on a network).
struct DepthwiseKernelTests {
    struct Shape: CustomTestStringConvertible, Sendable {
        var channels: Int, height: Int, width: Int, kernel: Int, stride: Int, pad: Int, dilation: Int = 1
        var bias = true
        var testDescription: String {
            "\(channels) channels \(height)×\(width), \(kernel)×\(kernel) stride \(stride) pad \(pad) dilation \(dilation)"
                + (bias ? "" : ", no bias")
        }
    }

    static let shapes: [Shape] = [
        Shape(channels: 32, height: 9, width: 17, kernel: 3, stride: 1, pad: 1),   // AVX-512 tiles of 8, 4, 2 and 1
        Shape(channels: 32, height: 9, width: 23, kernel: 3, stride: 1, pad: 1),   // AVX-512 tiles of 8, 8, 4 and 1
        Shape(channels: 48, height: 8, width: 30, kernel: 3, stride: 2, pad: 1),   // stride 2
        Shape(channels: 32, height: 7, width: 29, kernel: 3, stride: 2, pad: 1),   // AVX-512 stride 2, clipped right column
        Shape(channels: 16, height: 5, width: 2, kernel: 3, stride: 1, pad: 1),    // no column inside the image
        Shape(channels: 24, height: 4, width: 2, kernel: 3, stride: 1, pad: 1),    // the same on the AVX2 build
        Shape(channels: 16, height: 4, width: 3, kernel: 3, stride: 2, pad: 0),    // no padding: every pixel inside
        Shape(channels: 24, height: 7, width: 13, kernel: 3, stride: 1, pad: 2),   // AVX2 tiles; clipped columns two deep
        Shape(channels: 24, height: 7, width: 15, kernel: 3, stride: 2, pad: 1),   // AVX2 stride 2, tiles of 4, 2 and 1
        Shape(channels: 24, height: 6, width: 13, kernel: 3, stride: 2, pad: 1, bias: false),  // AVX2 stride 2, no bias
        Shape(channels: 16, height: 4, width: 5, kernel: 3, stride: 1, pad: 3),    // windows wholly outside the image
        Shape(channels: 8, height: 6, width: 11, kernel: 3, stride: 2, pad: 1),    // one 8-channel vector
        Shape(channels: 12, height: 6, width: 9, kernel: 3, stride: 1, pad: 1),    // the general tiles (8 + a scalar tail)
        Shape(channels: 16, height: 9, width: 10, kernel: 5, stride: 1, pad: 2),   // 5×5: the general tiles
        Shape(channels: 16, height: 9, width: 10, kernel: 3, stride: 1, pad: 2, dilation: 2),
    ]

    @Test(arguments: shapes, [FusedActivation.none, .relu, .relu6])
    func givesTheBitsOfTheNaiveLoop(shape s: Shape, activation: FusedActivation) {
        let extent = (s.kernel - 1) * s.dilation + 1
        let oh = (s.height + 2 * s.pad - extent) / s.stride + 1, ow = (s.width + 2 * s.pad - extent) / s.stride + 1
        let c = s.channels
        let g = WindowGeometry(channels: c, height: s.height, width: s.width, kernelHeight: s.kernel, kernelWidth: s.kernel,
                               strideHeight: s.stride, strideWidth: s.stride, dilationHeight: s.dilation, dilationWidth: s.dilation,
                               padTop: s.pad, padLeft: s.pad, outputHeight: oh, outputWidth: ow)
        var random = SeededGenerator(seed: 3)
        let x = (0..<(s.height * s.width * c)).map { _ in random.nextUnitFloat() * 8 - 4 }
        let w = (0..<(s.kernel * s.kernel * c)).map { _ in random.nextUnitFloat() * 2 - 1 }
        let bias = s.bias ? (0..<c).map { _ in random.nextUnitFloat() - 0.5 } : [Float](repeating: 0, count: c)

        var expected = [Float](repeating: 0, count: oh * ow * c)
        for i in 0..<oh { for j in 0..<ow { for k in 0..<c {
            var sum = bias[k]
            for kh in 0..<s.kernel {
                let y = i * s.stride - s.pad + kh * s.dilation
                guard y >= 0 && y < s.height else { continue }
                for kw in 0..<s.kernel {
                    let xx = j * s.stride - s.pad + kw * s.dilation
                    guard xx >= 0 && xx < s.width else { continue }
                    sum = sum.addingProduct(x[(y * s.width + xx) * c + k], w[(kh * s.kernel + kw) * c + k])
                }
            }
            switch activation {
            case .none: break
            case .relu: sum = max(sum, 0)
            case .relu6: sum = min(max(sum, 0), 6)
            }
            expected[(i * ow + j) * c + k] = sum
        } } }

        let kernel = DepthwiseConvolution(g)
        bias.withUnsafeBufferPointer { biasBuffer in
            let b = s.bias ? biasBuffer.baseAddress : nil
            var whole = [Float](repeating: .nan, count: expected.count)
            kernel.forward(x, weights: w, bias: b, output: &whole, rows: 0..<oh, activation: activation)
            #expect(differing(whole, expected) == 0, "whole image")

            // Bands of output rows, each from only the input rows its windows read (as a fused block's band buffers).
            for band in stride(from: 0, to: oh, by: 2).map({ $0..<min($0 + 2, oh) }) {
                let rows = kernel.inputRows(for: band)
                let slice = Array(x[(rows.lowerBound * s.width * c)..<(rows.upperBound * s.width * c)])
                var out = [Float](repeating: .nan, count: band.count * ow * c)
                kernel.forward(slice, weights: w, bias: b, output: &out, rows: band, activation: activation,
                               inputRow: rows.lowerBound, outputRow: band.lowerBound)
                let want = Array(expected[(band.lowerBound * ow * c)..<(band.upperBound * ow * c)])
                #expect(differing(out, want) == 0, "rows \(band)")
            }
        }
    }

    func differing(_ a: [Float], _ b: [Float]) -> Int {
        a.count == b.count ? zip(a, b).filter { $0.bitPattern != $1.bitPattern }.count : max(a.count, b.count)
    }
}
