import CNNKernels

/// `Conv2D`'s GEMM paths (OpenBLAS), for the passes the direct and Winograd kernels do not take: grouped convs, filter
/// counts not a multiple of 8, filters of more than 2^17 weights (2^18 with AVX-512) except the forward pass and input
/// gradient of 3×3 stride-1 convs of up to 2^22 (Winograd), and 1×1 stride-1 convs.
///
/// A thread's images go through in runs: a 1×1 conv's channels-last pixels are already the rows of its column
/// matrix, so a run is every image of the thread (one GEMM); otherwise each image of a run is unrolled (im2col)
/// into its rows of one stacked column matrix, enough images for ~256 rows, since OpenBLAS runs a 49-row GEMM
/// (a 7×7 map) at two thirds of a 392-row one.
///
/// A 1×1 conv's stored weights `[F, C/groups]` are already its GEMMs' B, read transposed (`gemmWeights`): its passes
/// use them in place, and its weight gradient accumulates in their order, so a training step neither repacks them nor
/// unpacks their gradient (ResNet-50's 1×1 convs hold 12 of its 26 M weights).
extension Conv2D {
    /// Whether the GEMMs read the stored weights and accumulate the weight gradient in their order (1×1 convs, any
    /// stride: their columns' taps are the input channels, in the stored order).
    var gemmReadsStoredWeights: Bool { kernelArea == 1 }

    /// Images unrolled into one column matrix: 1 when the forward pass and weight gradient are direct (`direct`), since
    /// then only an input gradient may come here, one image at a time.
    static func stackedImages(positions: Int, direct: Bool) -> Int {
        direct ? 1 : max(1, min(8, 256 / max(positions, 1)))
    }

    /// The thread's images in runs of one GEMM each (rows within OpenBLAS's 32-bit sizes).
    func gemmRuns(_ images: Range<Int>) -> [Range<Int>] {
        let step = isPointwise ? max(1, (1 << 24) / max(positions, 1)) : stackedImages
        return stride(from: images.lowerBound, to: images.upperBound, by: step).map { $0..<min($0 + step, images.upperBound) }
    }

    /// Group g's column matrix `[run·OH·OW, taps]` of a run of images and its row stride: the images themselves for a
    /// 1×1 conv, else each image unrolled into the thread's scratch.
    func gemmColumns(_ input: UnsafePointer<Float>, run: Range<Int>, group g: Int, thread: Int) -> (UnsafePointer<Float>, Int) {
        if isPointwise { return (input + run.lowerBound * facts.input.count + g * channelsPerGroup, channels) }
        let cols = scratch[thread] + scratchLayout.padded + scratchLayout.paddedGradient
        for (j, n) in run.enumerated() {
            Im2ColChannelsLast.forward(geometry, image: input + n * facts.input.count, channelOffset: g * channelsPerGroup,
                                       groupChannels: channelsPerGroup, columns: cols + j * positions * tapsPerGroup)
        }
        return (UnsafePointer(cols), tapsPerGroup)
    }

    /// Group g's weights `[taps, Fg]` from filter `first` on, as the GEMMs' B: the stored `[F, C/groups]` rows of a 1×1
    /// conv read transposed (`stored`), or `packed`.
    func gemmWeights(group g: Int, first: Int = 0, stored: Bool) -> (b: UnsafePointer<Float>, ldb: Int, transposed: Bool) {
        if stored {
            let row: Int = (g * filtersPerGroup + first) * channelsPerGroup
            return (UnsafePointer(weight + row), channelsPerGroup, true)
        }
        let offset: Int = g * tapsPerGroup * filtersPerGroup + first
        return (UnsafePointer(packed + offset), filtersPerGroup, false)
    }

    /// y = cols · w (+ bias, then a fused activation), for the thread's images; `stored`: w is a 1×1 conv's stored
    /// weights (`gemmWeights`).
    func gemmForward(input: UnsafePointer<Float>, output: UnsafeMutablePointer<Float>, images: Range<Int>, thread: Int,
                     bias: UnsafeMutablePointer<Float>?, activation: FusedActivation, stored: Bool) {
        for run in gemmRuns(images) {
            let rows = run.count * positions, y = output + run.lowerBound * facts.output.count
            for g in 0..<groups {
                let (cols, lda) = gemmColumns(input, run: run, group: g, thread: thread)
                // y_g[rows, Fg] = cols_g[rows, taps] · w_g[taps, Fg], written into the group's columns of y[rows, F].
                let w = gemmWeights(group: g, stored: stored)
                BLAS.gemm(transposeB: w.transposed, m: rows, n: filtersPerGroup, k: tapsPerGroup, a: cols, lda: lda,
                          b: w.b, ldb: w.ldb, c: y + g * filtersPerGroup, ldc: filters)
            }
            if let bias {
                for p in 0..<rows {
                    let row = y + p * filters
                    for f in 0..<filters { row[f] += bias[f] }
                }
            }
            activation.apply(y, count: rows * filters)
        }
    }

    /// Too few images for the threads (batch-1 inference): each image's columns are made once and the threads split the
    /// GEMM's larger side, its rows (output pixels) or its filters (in blocks of 16), each computing its own block of the
    /// output. The split depends on the thread count only (a run is reproducible), and agrees with the one-thread pass
    /// to rounding (`KernelAgreementTests`).
    func gemmForwardSplitting(input: UnsafePointer<Float>, output: UnsafeMutablePointer<Float>, batch: Int, threads: Int,
                              bias: UnsafeMutablePointer<Float>?, activation: FusedActivation, stored: Bool) {
        for run in gemmRuns(0..<batch) {
            let rows = run.count * positions, y = output + run.lowerBound * facts.output.count
            let splitsRows = rows >= filtersPerGroup
            let blocks = splitsRows ? rows : (filtersPerGroup + 15) / 16
            for g in 0..<groups {
                let (cols, lda) = gemmColumns(input, run: run, group: g, thread: 0)
                Parallel.forEachChunk(count: blocks, chunks: threads) { _, range in
                    let rowRange = splitsRows ? range : 0..<rows
                    let filterRange = splitsRows ? 0..<filtersPerGroup : (range.lowerBound * 16)..<min(range.upperBound * 16, filtersPerGroup)
                    let first = g * filtersPerGroup + filterRange.lowerBound
                    let block = y + rowRange.lowerBound * filters + first
                    let w = gemmWeights(group: g, first: filterRange.lowerBound, stored: stored)
                    BLAS.gemm(transposeB: w.transposed, m: rowRange.count, n: filterRange.count, k: tapsPerGroup,
                              a: cols + rowRange.lowerBound * lda, lda: lda, b: w.b, ldb: w.ldb, c: block, ldc: filters)
                    for p in 0..<rowRange.count {
                        let row = block + p * filters
                        if let bias { for f in 0..<filterRange.count { row[f] += bias[first + f] } }
                        activation.apply(row, count: filterRange.count)
                    }
                }
            }
        }
    }

    /// dw += colsᵀ · dy and db += Σ dy (when `weights` is given), dx = col2im(dy · wᵀ) (when `inputGradient` is), for the
    /// thread's images; dy is already masked by a fused activation. A 1×1 conv reads its stored weights and accumulates
    /// dw in their order `[F, C/groups]`; other convs, in the kernel layout.
    func gemmBackward(input: UnsafePointer<Float>, outputGradient: UnsafePointer<Float>, inputGradient: UnsafeMutablePointer<Float>?,
                      images: Range<Int>, thread: Int, weights acc: UnsafeMutablePointer<Float>?, bias biasAcc: UnsafeMutablePointer<Float>?) {
        let dcols = scratch[thread] + scratchLayout.padded + scratchLayout.paddedGradient + scratchLayout.columns
        for run in gemmRuns(images) {
            let rows = run.count * positions, dy = outputGradient + run.lowerBound * facts.output.count
            if let inputGradient, !isPointwise {
                inputGradient.advanced(by: run.lowerBound * facts.input.count).update(repeating: 0, count: run.count * facts.input.count)
            }
            for g in 0..<groups {
                if let acc {
                    let (cols, lda) = gemmColumns(input, run: run, group: g, thread: thread)
                    if gemmReadsStoredWeights {
                        // dw_g[Fg, Cg] += dy_gᵀ · cols_g
                        BLAS.gemm(transposeA: true, m: filtersPerGroup, n: tapsPerGroup, k: rows, a: dy + g * filtersPerGroup, lda: filters,
                                  b: cols, ldb: lda, beta: 1, c: acc + g * tapsPerGroup * filtersPerGroup, ldc: tapsPerGroup)
                    } else {
                        // dw_g[taps, Fg] += cols_gᵀ · dy_g
                        BLAS.gemm(transposeA: true, m: tapsPerGroup, n: filtersPerGroup, k: rows, a: cols, lda: lda,
                                  b: dy + g * filtersPerGroup, ldb: filters,
                                  beta: 1, c: acc + g * tapsPerGroup * filtersPerGroup, ldc: filtersPerGroup)
                    }
                }
                guard let inputGradient else { continue }
                // dcols_g[rows, taps] = dy_g · w_gᵀ; a 1×1 conv writes straight into dx's group columns.
                let dx = inputGradient + run.lowerBound * facts.input.count
                let (target, ldc) = isPointwise ? (dx + g * channelsPerGroup, channels) : (dcols, tapsPerGroup)
                let w = gemmWeights(group: g, stored: gemmReadsStoredWeights)
                BLAS.gemm(transposeB: !w.transposed, m: rows, n: tapsPerGroup, k: filtersPerGroup, a: dy + g * filtersPerGroup,
                          lda: filters, b: w.b, ldb: w.ldb, c: target, ldc: ldc)
                if isPointwise { continue }
                for j in 0..<run.count {
                    Im2ColChannelsLast.backward(geometry, columns: dcols + j * positions * tapsPerGroup, image: dx + j * facts.input.count,
                                                channelOffset: g * channelsPerGroup, groupChannels: channelsPerGroup)
                }
            }
            if let biasAcc {
                for p in 0..<rows {
                    let row = dy + p * filters
                    for f in 0..<filters { biasAcc[f] += row[f] }
                }
            }
        }
    }
}
