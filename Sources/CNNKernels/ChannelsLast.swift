import CKernels

/// cnnc's activations are channels-last, `[N, H, W, C]`: the channel vector of a pixel is contiguous,
/// so the direct kernels vectorise over filters and pooling over channels. Checkpoints keep PyTorch's
/// channels-first layouts; these helpers convert where a layer or a file needs them.
public enum ChannelsLast {
    /// `[C, H, W]` -> `[H, W, C]` for one image.
    public static func fromChannelsFirst(_ source: UnsafePointer<Float>, _ destination: UnsafeMutablePointer<Float>,
                                         channels: Int, height: Int, width: Int) {
        let area = height * width
        if channels == 1 { destination.update(from: source, count: area); return }
        for c in 0..<channels {
            let plane = source + c * area
            for p in 0..<area { destination[p * channels + c] = plane[p] }
        }
    }

    /// `[H, W, C]` -> `[C, H, W]` for one image.
    public static func toChannelsFirst(_ source: UnsafePointer<Float>, _ destination: UnsafeMutablePointer<Float>,
                                       channels: Int, height: Int, width: Int) {
        let area = height * width
        if channels == 1 { destination.update(from: source, count: area); return }
        for c in 0..<channels {
            let plane = destination + c * area
            for p in 0..<area { plane[p] = source[p * channels + c] }
        }
    }

    /// Copies `[H, W, C]` into a zero-bordered `[H + top + bottom, W + left + right, C]`.
    public static func pad(_ image: UnsafePointer<Float>, height: Int, width: Int, channels: Int,
                           top: Int, left: Int, into padded: UnsafeMutablePointer<Float>, paddedHeight: Int, paddedWidth: Int) {
        cnnc_pad_nhwc(image, Int32(height), Int32(width), Int32(channels), Int32(top), Int32(left), padded,
                      Int32(paddedHeight), Int32(paddedWidth))
    }

    /// The rows `rows` of that padded image (rows of the padded image, which may start or end in its zero border), into
    /// `[rows.count, W + left + right, C]`.
    public static func pad(_ image: UnsafePointer<Float>, height: Int, width: Int, channels: Int,
                           top: Int, left: Int, rows: Range<Int>, into padded: UnsafeMutablePointer<Float>, paddedWidth: Int) {
        cnnc_pad_nhwc_rows(image, Int32(height), Int32(width), Int32(channels), Int32(top), Int32(left), padded,
                           Int32(rows.lowerBound), Int32(rows.upperBound), Int32(paddedWidth))
    }
}

/// The direct convolution kernels (C, AVX2 + FMA, `Sources/CKernels`) for one channels-last image.
/// Filters (the vectorised dimension) must be a multiple of 8; the input must be padded already.
public enum DirectConvolution {
    /// Whether the running CPU has what the kernels were compiled for.
    public static var isSupported: Bool { cnnc_cpu_has_avx2_fma() != 0 }
    public static var cpuHasAVX512: Bool { cnnc_cpu_has_avx512f() != 0 }
    /// Whether convs whose filter count is a multiple of 16 run the AVX-512 build of the direct and Winograd kernels:
    /// on by default where the CPU has AVX-512F, off with `CNNC_KERNELS=avx2` in the environment. Both builds give the
    /// same bits for the same call (`AVX512KernelTests`); Conv2D reads the setting when a model is built, to choose its
    /// kernels. Setting it on where the CPU lacks AVX-512 leaves it off.
    public static var usesAVX512: Bool {
        get { cnnc_avx512_kernels_enabled() != 0 }
        set { _ = cnnc_set_avx512_kernels(newValue ? 1 : 0) }
    }

    /// Filters per weight panel of `forward`.
    public static let panelWidth = 64

    /// w `[taps, C, F]` -> the panel layout `forward` reads: panels of 64 filters `[taps, C, 64]` one after another (the
    /// last one narrower); for F ≤ 64 it is w itself.
    public static func panels(_ w: UnsafePointer<Float>, taps: Int, channels: Int, filters: Int, into panels: UnsafeMutablePointer<Float>) {
        cnnc_conv_panels(w, Int32(taps), Int32(channels), Int32(filters), panels)
    }

    /// y `[OH, OW, F]` = bias + padded x `[Hp, Wp, C]` ⋆ w (+ `residual` `[OH, OW, F]` when given), then `activation`; w
    /// is `[KH, KW, C, F]` in panel layout (`panels`). `streaming`: store y with non-temporal stores, which neither read
    /// its lines first nor keep them in the caches (for outputs larger than the caches; ignored unless y is 64-byte aligned).
    public static func forward(padded x: UnsafePointer<Float>, paddedWidth: Int, channels: Int,
                               weights: UnsafePointer<Float>, bias: UnsafePointer<Float>?, residual: UnsafePointer<Float>? = nil,
                               output: UnsafeMutablePointer<Float>, outputHeight: Int, outputWidth: Int, filters: Int,
                               kernelHeight: Int, kernelWidth: Int, strideHeight: Int, strideWidth: Int,
                               dilationHeight: Int, dilationWidth: Int, activation: FusedActivation = .none, streaming: Bool = false) {
        cnnc_conv_forward(x, Int32(paddedWidth), Int32(channels), weights, bias, residual, output, Int32(outputHeight), Int32(outputWidth),
                          Int32(filters), Int32(kernelHeight), Int32(kernelWidth), Int32(strideHeight), Int32(strideWidth),
                          Int32(dilationHeight), Int32(dilationWidth), activation.rawValue | (streaming ? Int32(CNNC_STREAM_OUTPUTS) : 0))
    }

    /// Filters per block of `forwardBlocked`'s weights: 16, or 64 where a conv of `filters` filters runs the AVX-512 build.
    public static func blockWidth(filters: Int) -> Int { Int(cnnc_conv_blocked_width(Int32(filters))) }

    /// w `[taps, C, F]` -> the block layout `forwardBlocked` reads: blocks of `blockWidth(filters:)` filters
    /// `[taps, C, width]` one after another (the last one narrower).
    public static func blocks(_ w: UnsafePointer<Float>, taps: Int, channels: Int, filters: Int, into blocks: UnsafeMutablePointer<Float>) {
        cnnc_conv_blocks(w, Int32(taps), Int32(channels), Int32(filters), blocks)
    }

    /// `forward` for the filters `range` only (whole blocks, `blockWidth(filters:)`), with w in block layout (`blocks`):
    /// for few pixels and many weights, where the threads split the filters. The same bits as `forward`.
    public static func forwardBlocked(padded x: UnsafePointer<Float>, paddedWidth: Int, channels: Int,
                                      weights: UnsafePointer<Float>, bias: UnsafePointer<Float>?, output: UnsafeMutablePointer<Float>,
                                      outputHeight: Int, outputWidth: Int, filters: Int, range: Range<Int>,
                                      kernelHeight: Int, kernelWidth: Int, strideHeight: Int, strideWidth: Int,
                                      dilationHeight: Int, dilationWidth: Int, activation: FusedActivation = .none) {
        cnnc_conv_forward_blocked(x, Int32(paddedWidth), Int32(channels), weights, bias, output, Int32(outputHeight), Int32(outputWidth),
                                  Int32(filters), Int32(kernelHeight), Int32(kernelWidth), Int32(strideHeight), Int32(strideWidth),
                                  Int32(dilationHeight), Int32(dilationWidth), activation.rawValue,
                                  Int32(range.lowerBound), Int32(range.upperBound))
    }

    /// dw `[KH, KW, C, F]` += Σ_pixels padded x ⊗ dy, and db `[F]` += Σ_pixels dy.
    public static func weightGradient(padded x: UnsafePointer<Float>, paddedWidth: Int, channels: Int,
                                      outputGradient dy: UnsafePointer<Float>, outputHeight: Int, outputWidth: Int, filters: Int,
                                      kernelHeight: Int, kernelWidth: Int, strideHeight: Int, strideWidth: Int,
                                      dilationHeight: Int, dilationWidth: Int,
                                      weightGradient: UnsafeMutablePointer<Float>, biasGradient: UnsafeMutablePointer<Float>?) {
        cnnc_conv_weight_gradient(x, Int32(paddedWidth), Int32(channels), dy, Int32(outputHeight), Int32(outputWidth), Int32(filters),
                                  Int32(kernelHeight), Int32(kernelWidth), Int32(strideHeight), Int32(strideWidth),
                                  Int32(dilationHeight), Int32(dilationWidth), weightGradient, biasGradient)
    }
}

/// Channels-last pooling kernels (C, `Sources/CKernels/max_pool.c`).
public enum Pooling {
    /// Max pooling of one image `[H, W, C]` -> `[OH, OW, C]`, recording each winner's index in the image.
    public static func maxForward(_ g: WindowGeometry, image: UnsafePointer<Float>, output: UnsafeMutablePointer<Float>,
                                  argmax: UnsafeMutablePointer<Int32>) {
        cnnc_max_pool_forward(image, Int32(g.height), Int32(g.width), Int32(g.channels), output, argmax,
                              Int32(g.outputHeight), Int32(g.outputWidth), Int32(g.kernelHeight), Int32(g.kernelWidth),
                              Int32(g.strideHeight), Int32(g.strideWidth), Int32(g.padTop), Int32(g.padLeft))
    }
}

/// Winograd F(2×2, 3×3) for one channels-last image (C, `Sources/CKernels/winograd.c`).
public enum Winograd {
    public static func scratchFloats(outputHeight: Int, outputWidth: Int, channels: Int, filters: Int) -> Int {
        Int(cnnc_winograd_scratch_floats(Int32(outputHeight), Int32(outputWidth), Int32(channels), Int32(filters)))
    }

    /// `[3][3][C][F]` -> `[16][C][F]`, the (c, f) pairs split over `threads` from 2^16 pairs on.
    public static func transformFilters(_ weights: UnsafePointer<Float>, channels: Int, filters: Int, into transformed: UnsafeMutablePointer<Float>,
                                        threads: Int = 1) {
        Parallel.forEachElementRange(count: channels * filters, chunks: threads, minimum: 1 << 16) { range in
            cnnc_winograd_filters(weights, Int32(channels), Int32(filters), range.lowerBound, range.upperBound, transformed)
        }
    }

    /// y `[OH, OW, F]` = bias + padded x ⋆ w (3×3, stride 1) (+ `residual` `[OH, OW, F]` when given), then `activation`.
    public static func forward(padded x: UnsafePointer<Float>, paddedWidth: Int, channels: Int, filters transformed: UnsafePointer<Float>,
                               bias: UnsafePointer<Float>?, residual: UnsafePointer<Float>? = nil, output: UnsafeMutablePointer<Float>,
                               outputHeight: Int, outputWidth: Int, filterCount: Int, activation: FusedActivation,
                               scratch: UnsafeMutablePointer<Float>) {
        cnnc_winograd_forward(x, Int32(paddedWidth), Int32(channels), transformed, bias, residual, output, Int32(outputHeight), Int32(outputWidth),
                              Int32(filterCount), activation.rawValue, scratch)
    }
}

/// Channels-last batch-normalisation loops (C, `Sources/CKernels/batch_norm.c`); rows are pixels of C channels.
/// Nothing stores the normalised input x̂ = (x − mean)·inverseStd: each loop recomputes it from x, bit for bit as the
/// forward pass computes it.
public enum BatchNormKernels {
    /// sum[c] += Σ x[r][c], in Float over `rows` rows.
    public static func channelSum(_ x: UnsafePointer<Float>, rows: Int, channels: Int, into sum: UnsafeMutablePointer<Float>) {
        cnnc_channel_sum(x, Int32(rows), Int32(channels), sum)
    }

    /// out[c] += Σ (x[r][c] − mean[c])², in Float over `rows` rows.
    public static func centeredSquares(_ x: UnsafePointer<Float>, rows: Int, channels: Int, mean: UnsafePointer<Float>,
                                       into out: UnsafeMutablePointer<Float>) {
        cnnc_centered_squares(x, Int32(rows), Int32(channels), mean, out)
    }

    /// sum[c] += Σ dy[r][c]; product[c] += Σ dy[r][c]·x̂[r][c], in Float over `rows` rows.
    public static func gradientSums(_ dy: UnsafePointer<Float>, input x: UnsafePointer<Float>, rows: Int, channels: Int,
                                    mean: UnsafePointer<Float>, inverseStd: UnsafePointer<Float>,
                                    sum: UnsafeMutablePointer<Float>, product: UnsafeMutablePointer<Float>) {
        cnnc_normalized_gradient_sums(dy, x, Int32(rows), Int32(channels), mean, inverseStd, sum, product)
    }

    /// γ·x̂ + β into `output`, then `activation` (a fused relu or relu6).
    public static func forward(_ x: UnsafePointer<Float>, rows: Int, channels: Int, mean: UnsafePointer<Float>,
                               inverseStd: UnsafePointer<Float>, gamma: UnsafePointer<Float>, beta: UnsafePointer<Float>,
                               activation: FusedActivation = .none, output: UnsafeMutablePointer<Float>) {
        cnnc_batch_norm_forward(x, Int32(rows), Int32(channels), mean, inverseStd, gamma, beta, activation.rawValue, output)
    }

    /// dx = scale·dy − shift − x̂·slope.
    public static func backward(_ dy: UnsafePointer<Float>, input x: UnsafePointer<Float>, rows: Int, channels: Int,
                                mean: UnsafePointer<Float>, inverseStd: UnsafePointer<Float>,
                                scale: UnsafePointer<Float>, shift: UnsafePointer<Float>, slope: UnsafePointer<Float>,
                                inputGradient: UnsafeMutablePointer<Float>) {
        cnnc_batch_norm_backward(dy, x, Int32(rows), Int32(channels), mean, inverseStd, scale, shift, slope, inputGradient)
    }
}
