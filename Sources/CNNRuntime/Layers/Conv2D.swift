import CNNAnalysis
import CNNIR
import CNNKernels

/// `conv`: 2-D convolution by im2col + GEMM (OpenBLAS), with stride, per-side padding, dilation and groups.
///
///     y[n, f] = b[f] + Σ_{c in f's group} w[f, c] ⋆ x[n, c]
///
/// Weights `[F, C/groups, KH, KW]` (PyTorch's layout), bias `[F]`. Each thread takes a contiguous
/// run of the batch's images and owns its column buffer and gradient accumulators; the accumulators
/// are summed in thread order, so results are reproducible for a given thread count.
public final class Conv2D: WeightedLayer {
    public let facts: LayerAnalysis
    let conv: Convolution
    let geometry: WindowGeometry
    let initScheme: InitScheme

    /// Per group: F/groups filters, C/groups·KH·KW taps, OH·OW positions.
    let filtersPerGroup: Int, tapsPerGroup: Int, positions: Int
    /// A 1×1, stride-1, unpadded conv reads its input as the column matrix directly.
    let isPointwise: Bool

    var weight: UnsafeMutablePointer<Float>!, bias: UnsafeMutablePointer<Float>?
    var weightGradient: UnsafeMutablePointer<Float>!, biasGradient: UnsafeMutablePointer<Float>?
    /// Per-thread scratch: a column matrix and its gradient, `[C·KH·KW, OH·OW]` each.
    let scratch: ThreadScratch
    /// Per-thread weight+bias gradient accumulators.
    let accumulators: ThreadScratch

    init(_ facts: LayerAnalysis, conv: Convolution, initScheme: InitScheme, maxThreads: Int) {
        self.facts = facts
        self.conv = conv
        self.initScheme = initScheme
        let w = facts.window!
        geometry = WindowGeometry(facts)
        filtersPerGroup = conv.filters / conv.groups
        tapsPerGroup = facts.input.channels / conv.groups * w.size.height * w.size.width
        positions = facts.output.height * facts.output.width
        isPointwise = w.size == Size2(square: 1) && w.stride == Size2(square: 1) && w.padding == ResolvedPadding(top: 0, bottom: 0, left: 0, right: 0)
        scratch = ThreadScratch(threads: maxThreads, floatsPerThread: isPointwise ? 0 : 2 * geometry.columnRows * positions)
        accumulators = ThreadScratch(threads: maxThreads, floatsPerThread: conv.filters * tapsPerGroup + conv.filters)
    }

    public var parameterSpecs: [ParameterSpec] {
        let fanIn = tapsPerGroup
        var specs = [ParameterSpec("weight", shape: [conv.filters, facts.input.channels / conv.groups, conv.size.height, conv.size.width],
                                   role: .weight(fanIn: fanIn), initScheme: initScheme)]
        if conv.bias { specs.append(ParameterSpec("bias", shape: [conv.filters], role: .bias)) }
        return specs
    }

    var hasBias: Bool { conv.bias }

    /// One image's column matrix `[C·KH·KW, OH·OW]`: im2col into the thread's scratch, or the image itself for a pointwise conv.
    private func columnMatrix(of image: UnsafePointer<Float>, thread: Int) -> UnsafePointer<Float> {
        guard !isPointwise else { return image }
        Im2Col.forward(geometry, image: image, columns: scratch[thread])
        return UnsafePointer(scratch[thread])
    }

    // MARK: - Forward

    public func forward(input: UnsafePointer<Float>, output: UnsafeMutablePointer<Float>, batch: Int, context: StepContext) {
        let inSize = facts.input.count, outSize = facts.output.count
        Parallel.forEachChunk(count: batch, chunks: context.threads) { thread, images in
            for n in images {
                let cols = columnMatrix(of: input + n * inSize, thread: thread), y = output + n * outSize
                for g in 0..<conv.groups {
                    // y_g[F/g, OH·OW] = w_g[F/g, taps] · cols_g[taps, OH·OW]
                    BLAS.gemm(m: filtersPerGroup, n: positions, k: tapsPerGroup,
                              a: weight + g * filtersPerGroup * tapsPerGroup, lda: tapsPerGroup,
                              b: cols + g * tapsPerGroup * positions, ldb: positions,
                              c: y + g * filtersPerGroup * positions, ldc: positions)
                }
                if let bias {
                    for f in 0..<conv.filters {
                        let row = y + f * positions, b = bias[f]
                        for p in 0..<positions { row[p] += b }
                    }
                }
            }
        }
    }

    // MARK: - Backward

    public func backward(input: UnsafePointer<Float>, output: UnsafePointer<Float>, outputGradient: UnsafePointer<Float>,
                         inputGradient: UnsafeMutablePointer<Float>?, batch: Int, context: StepContext) {
        let inSize = facts.input.count, outSize = facts.output.count
        let weightCount = conv.filters * tapsPerGroup
        let threads = min(max(1, context.threads), batch)
        Parallel.forEachChunk(count: batch, chunks: threads) { thread, images in
            let acc = accumulators[thread]
            acc.update(repeating: 0, count: weightCount + conv.filters)
            let columnGradient = isPointwise ? nil : scratch[thread] + geometry.columnRows * positions
            for n in images {
                let cols = columnMatrix(of: input + n * inSize, thread: thread), dy = outputGradient + n * outSize
                for g in 0..<conv.groups {
                    // dw_g[F/g, taps] += dy_g[F/g, OH·OW] · cols_gᵀ
                    BLAS.gemm(transposeB: true, m: filtersPerGroup, n: tapsPerGroup, k: positions,
                              a: dy + g * filtersPerGroup * positions, lda: positions,
                              b: cols + g * tapsPerGroup * positions, ldb: positions,
                              beta: 1, c: acc + g * filtersPerGroup * tapsPerGroup, ldc: tapsPerGroup)
                }
                if conv.bias {
                    for f in 0..<conv.filters {
                        let row = dy + f * positions
                        var s: Float = 0
                        for p in 0..<positions { s += row[p] }
                        acc[weightCount + f] += s
                    }
                }
                guard let inputGradient else { continue }
                let dx = inputGradient + n * inSize
                // dcols_g[taps, OH·OW] = w_gᵀ · dy_g, then scattered back to the image.
                let dcols = columnGradient ?? dx
                for g in 0..<conv.groups {
                    BLAS.gemm(transposeA: true, m: tapsPerGroup, n: positions, k: filtersPerGroup,
                              a: weight + g * filtersPerGroup * tapsPerGroup, lda: tapsPerGroup,
                              b: dy + g * filtersPerGroup * positions, ldb: positions,
                              c: dcols + g * tapsPerGroup * positions, ldc: positions)
                }
                if let columnGradient {
                    dx.update(repeating: 0, count: inSize)
                    Im2Col.backward(geometry, columns: columnGradient, image: dx)
                }
            }
        }
        // Reduce the per-thread accumulators in thread order (deterministic).
        for t in 0..<threads {
            let acc = accumulators[t]
            for i in 0..<weightCount { weightGradient[i] += acc[i] }
            if let biasGradient { for f in 0..<conv.filters { biasGradient[f] += acc[weightCount + f] } }
        }
    }
}

extension WindowGeometry {
    /// The geometry of a conv or local layer's window, from its analysis (padding already resolved).
    init(_ facts: LayerAnalysis) {
        let w = facts.window!
        self.init(channels: facts.input.channels, height: facts.input.height, width: facts.input.width,
                  kernelHeight: w.size.height, kernelWidth: w.size.width,
                  strideHeight: w.stride.height, strideWidth: w.stride.width,
                  dilationHeight: w.dilation.height, dilationWidth: w.dilation.width,
                  padTop: w.padding.top, padLeft: w.padding.left,
                  outputHeight: facts.output.height, outputWidth: facts.output.width)
    }
}

/// Per-thread scratch memory, allocated once at model build time (no allocation in forward/backward).
final class ThreadScratch {
    let floatsPerThread: Int
    let storage: UnsafeMutablePointer<Float>

    init(threads: Int, floatsPerThread: Int) {
        self.floatsPerThread = floatsPerThread
        storage = .allocate(capacity: max(1, threads * floatsPerThread))
        storage.initialize(repeating: 0, count: max(1, threads * floatsPerThread))
    }

    deinit { storage.deallocate() }

    subscript(thread: Int) -> UnsafeMutablePointer<Float> { storage + thread * floatsPerThread }
}
