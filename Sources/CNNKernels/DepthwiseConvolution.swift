import CKernels

/// The depthwise convolution kernels (C, AVX2 + FMA, `Sources/CKernels/depthwise_conv.c`) for one channels-last
/// image whose channel c is convolved with filter c alone. The input is not padded: the kernels clip each window
/// to the image. Weights are `[KH, KW, C]`; any channel count works (8 per register, a scalar loop for the rest; 3×3
/// windows of dilation 1 and stride 1 or 2 on a multiple of 16 channels take 16 per register in the AVX-512 build,
/// same bits: `DirectConvolution.usesAVX512`).
public struct DepthwiseConvolution: Sendable {
    private var window: cnnc_depthwise_window

    public init(_ g: WindowGeometry) {
        window = cnnc_depthwise_window(H: Int32(g.height), W: Int32(g.width), C: Int32(g.channels),
                                       OH: Int32(g.outputHeight), OW: Int32(g.outputWidth),
                                       KH: Int32(g.kernelHeight), KW: Int32(g.kernelWidth),
                                       sh: Int32(g.strideHeight), sw: Int32(g.strideWidth),
                                       dh: Int32(g.dilationHeight), dw: Int32(g.dilationWidth),
                                       pt: Int32(g.padTop), pl: Int32(g.padLeft))
    }

    /// Output rows `rows` of y `[OH, OW, C]` = bias + Σ_taps x · w, then `activation`. `x` may hold only a band of the
    /// input's rows, from row `inputRow` on, and `output` only a band of y's, from row `outputRow` on: the band of x must
    /// hold the rows that the windows of `rows` read.
    public func forward(_ x: UnsafePointer<Float>, weights: UnsafePointer<Float>, bias: UnsafePointer<Float>?,
                        output: UnsafeMutablePointer<Float>, rows: Range<Int>, activation: FusedActivation,
                        inputRow: Int = 0, outputRow: Int = 0) {
        withUnsafePointer(to: window) {
            cnnc_depthwise_forward($0, x, Int32(inputRow), weights, bias, output, Int32(outputRow),
                                   Int32(rows.lowerBound), Int32(rows.upperBound), activation.rawValue)
        }
    }

    /// The span of input rows the windows of output rows `rows` read, clipped to the image (with a stride or dilation it
    /// also holds rows between the ones read).
    public func inputRows(for rows: Range<Int>) -> Range<Int> {
        guard !rows.isEmpty else { return 0..<0 }
        let first = rows.lowerBound * Int(window.sh) - Int(window.pt)
        let last = (rows.upperBound - 1) * Int(window.sh) - Int(window.pt) + (Int(window.KH) - 1) * Int(window.dh)
        let lower = min(max(first, 0), Int(window.H))
        return lower..<max(lower, min(last + 1, Int(window.H)))
    }

    /// dw `[KH, KW, C]` += Σ_pixels x · dy, and db `[C]` += Σ_pixels dy, in a fixed order.
    public func weightGradient(_ x: UnsafePointer<Float>, outputGradient dy: UnsafePointer<Float>,
                               weightGradient: UnsafeMutablePointer<Float>, biasGradient: UnsafeMutablePointer<Float>?) {
        withUnsafePointer(to: window) { cnnc_depthwise_weight_gradient($0, x, dy, weightGradient, biasGradient) }
    }

    /// dx += dy scattered back through the window; the caller zeroes dx first.
    public func inputGradient(outputGradient dy: UnsafePointer<Float>, weights: UnsafePointer<Float>,
                              into dx: UnsafeMutablePointer<Float>) {
        withUnsafePointer(to: window) { cnnc_depthwise_input_gradient($0, dy, weights, dx) }
    }
}
