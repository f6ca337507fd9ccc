import CNNKernels
import Glibc

/// MobileNet's inverted bottleneck (Sandler et al., 2018) as one pass, in inference that folds batchnorms: a 1×1
/// expansion conv (optional), a depthwise conv and a 1×1 projection conv, each with the batchnorm after it folded in
/// and its activation fused, run band by band of output rows. For each band the expansion computes the input rows the
/// depthwise windows read, the depthwise conv filters them, and the projection writes the band's output, so the
/// expanded activations (t = 6 times the block's channels) live in a small per-thread buffer in the L2 cache instead of
/// going to memory and back twice: at 56×56 with 144 expanded channels, 7.2 MB of traffic per image becomes ~0.6 MB.
/// Rows shared by consecutive bands (the window's overlap) are moved to the front of the buffer, not recomputed.
///
/// Found by the layer stack (`LayerStack`) in its layers: a pointwise conv, its batchnorm and activation, a depthwise
/// conv (one filter per channel), its batchnorm and activation, a pointwise conv and its batchnorm; the convs run their
/// own kernels (`Conv2D.pointwiseBands`, `DepthwiseConv2D.rowBands`), and a block runs fused only at batches where its
/// layers' own passes run those kernels too (`runs`), so every output is the same bits (`BottleneckFusionTests`).
/// Threads take whole images, or, with fewer images than threads (batch 1), each image's output rows split between
/// them: one synchronisation per block and image instead of three.
final class BottleneckFusion {
    let expansion: Conv2D?
    let depthwise: DepthwiseConv2D
    let projection: Conv2D
    /// The stack's layers the block computes: from its first conv to the projection's batchnorm (and its fused activation).
    let layers: ClosedRange<Int>
    /// Output rows per band.
    let bandRows: Int
    /// Per thread: the expanded input rows of a band, then the depthwise conv's output rows of a band.
    let scratch: ThreadScratch
    private let expandedFloats: Int

    /// Bytes of one thread's band buffers: well within the L2 cache of the machines cnnc runs on (512 KiB–2 MiB per core),
    /// leaving room for the block's input and output rows and the weights (64–384 KiB measured, Benchmarks/NOTES.md, change 34).
    static let bandBytes = 192 << 10

    /// The block whose first layer is `layers[start]`, if the layers there form one and every conv can run on bands.
    /// `foldsIntoPrevious[i]`: layer i is a batchnorm folded into layer i − 1 (`LayerStack`).
    init?(_ layers: [RuntimeLayer], foldsIntoPrevious: [Bool], start: Int, scratch arena: ScratchArena) {
        var i = start
        /// The layer at `i` as `T`, if a folded batchnorm follows it; moves `i` past the batchnorm and a relu fused into it.
        func take<T>(_: T.Type) -> T? {
            guard i + 1 < layers.count, let layer = layers[i] as? T, foldsIntoPrevious[i + 1] else { return nil }
            i += 2
            if i < layers.count, let relu = layers[i] as? ReLU, relu.fusedIntoPrevious { i += 1 }
            return layer
        }
        func pointwise() -> Conv2D? {
            let saved = i
            if let conv = take(Conv2D.self), conv.runsPointwiseBandsAtSmallBatches { return conv }
            i = saved
            return nil
        }
        expansion = pointwise()
        guard let depthwise = take(DepthwiseConv2D.self), depthwise.multiplier == 1, let projection = pointwise() else { return nil }
        self.depthwise = depthwise
        self.projection = projection
        self.layers = start...(i - 1)

        let input = depthwise.facts.input, output = depthwise.facts.output
        let expandedRowFloats = expansion == nil ? 0 : input.width * input.channels, filteredRowFloats = output.width * output.channels
        let window = depthwise.facts.window!
        func inputRows(_ bandRows: Int) -> Int { (bandRows - 1) * window.stride.height + (window.size.height - 1) * window.dilation.height + 1 }
        var rows = 1
        while rows < output.height
                && (inputRows(rows + 1) * expandedRowFloats + (rows + 1) * filteredRowFloats) * MemoryLayout<Float>.stride <= Self.bandBytes {
            rows += 1
        }
        bandRows = rows
        // At most the depthwise conv's input and output: within its scratch in `MemoryBudget`'s count.
        expandedFloats = ScratchArena.aligned(min(inputRows(rows), input.height) * expandedRowFloats)
        scratch = ThreadScratch(arena: arena, offset: 0, floatsPerThread: expandedFloats + rows * filteredRowFloats)
        for member in [depthwise as FusedBlockMember, projection] where member !== layers[start] { member.fusedBlock = self }
    }

    /// Whether the block runs fused at a batch of `batch` images on `threads` threads: where each of its 1×1 convs runs
    /// the direct kernel in its own pass (so the outputs are the same bits); else the stack runs its layers one by one.
    func runs(batch: Int, threads: Int) -> Bool {
        [expansion, projection].allSatisfy { $0?.runsPointwiseBands(batch: batch, threads: threads) ?? true }
    }

    /// The block's output (the projection's batchnorm's) from its input, for `batch` images. With `adding`, a residual
    /// block's identity shortcut: output = `activation`(block(input) + input), each band added while it is in cache.
    func forward(input: UnsafePointer<Float>, output: UnsafeMutablePointer<Float>, batch: Int, context: StepContext,
                 adding activation: FusedActivation? = nil) {
        let passes = (expansion: expansion?.pointwiseBands(context: context), depthwise: depthwise.rowBands(context: context),
                      projection: projection.pointwiseBands(context: context))
        let (inSize, outSize, height) = (depthwise.facts.input.count, projection.facts.output.count, projection.facts.output.height)
        let blockInput = expansion?.facts.input.count ?? inSize
        if batch < context.threads {
            for n in 0..<batch {
                Parallel.forEachChunk(count: height, chunks: context.threads) { thread, rows in
                    run(passes, input: input + n * blockInput, output: output + n * outSize, rows: rows, thread: thread, adding: activation)
                }
            }
            return
        }
        Parallel.forEachChunk(count: batch, chunks: context.threads) { thread, images in
            for n in images {
                run(passes, input: input + n * blockInput, output: output + n * outSize, rows: 0..<height, thread: thread, adding: activation)
            }
        }
    }

    /// Output rows `rows` of one image, band by band, in thread `thread`'s buffers.
    private func run(_ passes: (expansion: PointwiseBands?, depthwise: DepthwiseRowBands, projection: PointwiseBands),
                     input x: UnsafePointer<Float>, output y: UnsafeMutablePointer<Float>, rows: Range<Int>, thread: Int,
                     adding activation: FusedActivation?) {
        let expanded = scratch[thread], filtered = scratch[thread] + expandedFloats
        let width = depthwise.facts.input.width, outputWidth = depthwise.facts.output.width
        let expandedRowFloats = width * depthwise.facts.input.channels
        let blockInputRowFloats = width * (expansion?.facts.input.channels ?? 0)
        let blockOutputRowFloats = outputWidth * projection.facts.output.channels
        var held = 0..<0 // the input rows of the expansion's output in `expanded`, from its start
        var first = rows.lowerBound
        while first < rows.upperBound {
            let band = first..<min(first + bandRows, rows.upperBound)
            var source = x, sourceRow = 0
            if let expansion = passes.expansion {
                let needed = passes.depthwise.kernel.inputRows(for: band)
                // Both ends of `needed` only move down the image from band to band: the rows it shares with `held` are
                // held's last ones, moved to the front.
                let kept = max(0, held.upperBound - needed.lowerBound)
                if kept > 0 && needed.lowerBound > held.lowerBound {
                    memmove(expanded, expanded + (needed.lowerBound - held.lowerBound) * expandedRowFloats,
                            kept * expandedRowFloats * MemoryLayout<Float>.stride)
                }
                let computed = (needed.lowerBound + kept)..<needed.upperBound
                if !computed.isEmpty {
                    expansion.run(x + computed.lowerBound * blockInputRowFloats, into: expanded + kept * expandedRowFloats,
                                  pixels: computed.count * width)
                }
                held = needed
                source = UnsafePointer(expanded)
                sourceRow = needed.lowerBound
            }
            passes.depthwise.run(source, inputRow: sourceRow, into: filtered, rows: band)
            let target = y + band.lowerBound * blockOutputRowFloats
            passes.projection.run(filtered, into: target, pixels: band.count * outputWidth)
            if let activation {
                activation.add(target, x + band.lowerBound * blockOutputRowFloats, into: target, count: band.count * blockOutputRowFloats)
            }
            first = band.upperBound
        }
    }
}

/// A conv that a fused block (`BottleneckFusion`) can compute: when it is not the block's first layer and the block runs,
/// the benchmark's breakdown marks it fused (its time is the first layer's).
protocol FusedBlockMember: AnyObject {
    /// Set by the block.
    var fusedBlock: BottleneckFusion? { get set }
}
