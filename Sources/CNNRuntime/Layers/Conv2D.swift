import CNNAnalysis
import CNNIR
import CNNKernels

/// `conv`: 2-D convolution with stride, per-side padding, dilation and groups, on channels-last images.
///
///     y[n, oh, ow, f] = b[f] + Σ_{kh, kw, c in f's group} x[n, oh·s + kh·d − p, ow·s + kw·d − p, c] · w[f, c, kh, kw]
///
/// Weights are stored `[F, C/groups, KH, KW]` (PyTorch's layout, as in checkpoints) and repacked each
/// forward pass to the kernels' `[groups][KH][KW][C/groups][F/groups]` (a 1×1 conv's GEMMs read them as stored).
/// Three ways to compute each pass:
/// - direct (ungrouped, F a multiple of 8, at most 2^17 filter weights, 2^18 for the AVX-512 build's shapes with
///   `.fastest` kernels; not 1×1, except a 1×1 conv's forward pass in the AVX-512 build or with at most 256 input
///   channels): the kernels of `CKernels`
///   (AVX2, or AVX-512 where the CPU has it and F is a multiple of 16) on a zero-padded copy of the image (or the
///   image itself when no padding is needed); the input gradient is the same kernel run on the padded output gradient
///   with the flipped, transposed filters (stride 1, padding within the window);
/// - Winograd F(2×2, 3×3) for the forward pass and input gradient of 3×3 stride-1 convs with ≥ 16 channels in and out
///   (ungrouped, multiples of 8) of up to 2^22 weights (`CKernels/winograd.c`); the weight gradient of those over the
///   direct line runs in GEMM, and the forward pass of those over 2^20 weights at small batches runs the blocked direct
///   kernel (`blockedForSmallBatches`);
/// - GEMM (`Conv2D+GEMM.swift`): the rest, on OpenBLAS, several images per GEMM (a 1×1 conv reads its input in place);
///   their forward pass at a batch of one image, or fewer images than threads, runs the blocked direct kernel instead
///   (ungrouped, F a multiple of 8; `forwardSplittingFilters`).
/// A conv with one input channel per group (depthwise) is `DepthwiseConv2D` instead.
///
/// Each thread takes a contiguous run of the batch and owns its scratch and gradient accumulators;
/// the accumulators are summed in thread order, so results are reproducible for a given thread count.
public final class Conv2D: WeightedLayer, ReLUFusing, BatchNormFolding, FusedBlockMember {
    public let facts: LayerAnalysis
    let conv: Convolution
    let window: SlidingWindow
    let geometry: WindowGeometry
    let initScheme: InitScheme

    let groups: Int, filters: Int, channels: Int
    let filtersPerGroup: Int, channelsPerGroup: Int, kernelArea: Int
    /// Taps of one filter, KH·KW·C/groups, and output pixels, OH·OW.
    let tapsPerGroup: Int, positions: Int
    /// Kernel choice, fixed from the shapes, the CPU's kernel build and (a 1×1 conv's forward pass) whether a batch has
    /// fewer images than threads, never from timings, so a seed and thread count reproduce a run exactly on a machine.
    /// `directForward`: the forward pass in the direct or Winograd kernels; `directBackward`: the weight gradient in the
    /// direct kernel; `directInputGradient`: the input gradient in the direct or Winograd kernels. The rest run in GEMM.
    let directForward: Bool, directBackward: Bool, directInputGradient: Bool, isPointwise: Bool
    /// A 1×1 conv on the GEMM path whose forward pass takes the direct kernel when a batch is one image, or fewer images
    /// than threads (`forward`); its panels are kept for that (a second copy of its weights, within `MemoryBudget`'s bound).
    let pointwiseDirectForSmallBatches: Bool
    /// The other convs on the GEMM path and the Winograd convs of more than 2^20 weights (ungrouped, F a multiple of 8): their
    /// forward pass takes the blocked direct kernel when a batch is one image, or fewer images than threads, the threads
    /// splitting the filters (`forwardSplittingFilters`).
    let blockedForSmallBatches: Bool
    /// `packed` in the blocked kernel's layout (`DirectConvolution.blocks`), allocated at the first pass that needs it
    /// (one more copy of the weights, counted in `MemoryBudget`), and whether it was made from the current `packed`.
    var blocked: UnsafeMutablePointer<Float>?
    var blockedIsCurrent = false
    /// 3×3 stride-1 passes with at least 16 channels in and out run Winograd F(2×2, 3×3) instead:
    /// 2.25× fewer multiplies, measured 1.1–2× faster than the direct kernel on DeepConvNet's shapes
    /// (Benchmarks/NOTES.md); with fewer channels its transforms cost more than they save.
    let winogradForward: Bool, winogradInputGradient: Bool
    /// Zero-padded input for the direct kernels, and zero-padded output gradient for the direct input gradient.
    let paddedInput: (height: Int, width: Int, top: Int, left: Int)
    let paddedGradient: (height: Int, width: Int, top: Int, left: Int)
    /// Whether the padded copies would equal the image (no padding, every row and column read: a 1×1 conv, or a
    /// window that tiles the image): the kernels then read the image itself.
    let inputIsPadded: Bool, gradientIsPadded: Bool

    /// Set by the layer stack when a `relu` or `relu6` follows: the conv applies it (see `ReLU.fusedIntoPrevious`).
    var fusedActivation = FusedActivation.none
    /// The parameter generation `packed` and `transformed` were made from (nil: unknown), and whether they hold the
    /// weights scaled by `foldedBatchNorm` (then `foldedBias` is the bias of that generation).
    var packedGeneration: Int?, packedFolded = false
    /// Set by the layer stack when a batchnorm follows: inference that folds computes it here.
    weak var foldedBatchNorm: BatchNormLayer?
    /// The fused block that computes this conv inside its first layer's pass, where it runs (`BottleneckFusion`).
    weak var fusedBlock: BottleneckFusion?
    let foldedBias: UnsafeMutablePointer<Float>

    var weight: UnsafeMutablePointer<Float>!, bias: UnsafeMutablePointer<Float>?
    var weightGradient: UnsafeMutablePointer<Float>!, biasGradient: UnsafeMutablePointer<Float>?
    /// The weights in kernel layout `[groups][KH][KW][C/groups][F/groups]`, repacked every forward pass (not a 1×1
    /// conv's on the GEMM path, which reads its stored weights, unless a batchnorm is folded into them).
    let packed: UnsafeMutablePointer<Float>
    /// `[KH][KW][F][C]`, the filters rotated 180° and transposed: the direct input gradient's weights.
    let flipped: UnsafeMutablePointer<Float>
    /// Winograd-transformed `packed` `[16][C][F]` and `flipped` `[16][F][C]`.
    let transformed: UnsafeMutablePointer<Float>, transformedFlipped: UnsafeMutablePointer<Float>
    /// `packed` and `flipped` in the direct kernel's panel layout `[⌈F/64⌉][KH][KW][C][≤ 64]` (flipped: F and C swapped),
    /// where it differs from theirs: more than 64 filters (`panels`) or input channels (`flippedPanels`).
    let panels: UnsafeMutablePointer<Float>?, flippedPanels: UnsafeMutablePointer<Float>?
    /// Images unrolled into one column matrix on the GEMM path (`Conv2D+GEMM.swift`).
    let stackedImages: Int
    /// Per-thread scratch: padded images or column matrices.
    let scratch: ThreadScratch
    let scratchLayout: (padded: Int, paddedGradient: Int, columns: Int, winograd: Int)
    /// Per-thread weight (kernel layout; a 1×1 conv's, storage layout) and bias gradient accumulators.
    let accumulators: ThreadScratch

    init(_ facts: LayerAnalysis, conv: Convolution, initScheme: InitScheme, scratch arena: ScratchArena, kernels: ConvolutionKernels = .fastest) {
        self.facts = facts
        self.conv = conv
        self.initScheme = initScheme
        let w = facts.window!
        window = w
        geometry = WindowGeometry(facts)
        groups = conv.groups
        filters = conv.filters
        channels = facts.input.channels
        filtersPerGroup = filters / groups
        channelsPerGroup = channels / groups
        kernelArea = w.size.height * w.size.width
        tapsPerGroup = channelsPerGroup * kernelArea
        positions = facts.output.height * facts.output.width
        isPointwise = w.size == Size2(square: 1) && w.stride == Size2(square: 1)
            && w.padding == ResolvedPadding(top: 0, bottom: 0, left: 0, right: 0)

        let extent = (height: (w.size.height - 1) * w.dilation.height + 1, width: (w.size.width - 1) * w.dilation.width + 1)
        let (i, o) = (facts.input, facts.output)
        // A 1×1 stride-1 conv is one GEMM over all of a thread's pixels, and filters of more than 2^17 weights (128 → 128
        // channels, 3×3) run im2col + GEMM outside Winograd's passes (below): on those shapes OpenBLAS ran at 53–84
        // GFLOP/s on one core of an AVX2 machine and the direct kernel at 22–60 (Benchmarks/NOTES.md, change 10; Winograd
        // then ran at ~18, before change 29). The AVX-512 build moves the line to 2^18: 128 → 128 3×3 convs ran
        // 1.4–1.6× faster in Winograd than in GEMM; 256 → 256 and 512 → 512 ran 1.3–2× slower in the direct kernels than in
        // GEMM, forward and backward (Benchmarks/NOTES.md, change 16).
        // The higher line holds for the AVX-512 build's shapes only: a pass whose outputs (filters, or channels for the
        // input gradient) are not a multiple of 16 runs the AVX2 build.
        let weightCount = kernelArea * channels * filters
        let avx512 = kernels == .fastest && DirectConvolution.usesAVX512
        func fitsDirect(outputs: Int) -> Bool { weightCount <= (avx512 && outputs % 16 == 0 ? 1 << 18 : 1 << 17) }
        // 1×1 convs: the AVX-512 direct kernel ran their forward pass 1.1–1.9× faster than OpenBLAS, their backward
        // 1.1–1.4× slower (ResNet-50, change 17), so it takes only the forward pass, and only in its own build. The AVX2
        // one takes the forward pass of those with at most 256 input channels, whose 64-filter weight panels (64 KiB) it
        // sweeps with the pixels outside: MobileNetV2's 32 → 16 and 16 → 96 at 112×112 ran 1.3–2.3× faster (change 21),
        // ResNet-50's 64 → 64 and 64 → 256 at 56×56 1.4–1.7×, 256 → 64 and 128 → 512 1.1× (change 33); with 512
        // channels (512 → 128 at 28×28) it ran 1.2× slower, a panel then being swept with the pixels inside.
        let pointwiseDirect = (avx512 && filters % 16 == 0) || channels <= 256
        let directShape = kernels != .im2col && DirectConvolution.isSupported && groups == 1 && filters % 8 == 0
            && (!isPointwise || pointwiseDirect)
        let isWinogradShape = kernels == .fastest && w.size == Size2(square: 3) && w.stride == Size2(square: 1) && w.dilation == Size2(square: 1)
            && channels >= 16 && filters >= 16
        // Winograd's passes (forward and input gradient) go further, to 2^20 weights (256 → 256): with its filter transform
        // split over the threads and no longer walking 25 planes in the same cache sets, ResNet-18's 128 → 128 and 256 → 256
        // convs ran 1.3–1.6× faster forward and 1.1–1.4× backward than in GEMM at batch 8, and faster at batch 1; 512 → 512
        // at 7×7 ran slower (Benchmarks/NOTES.md, change 29). Their weight gradient stays in GEMM. Since Winograd reads its
        // filters once per group of tiles (change 38), 512 → 512 (2.4 M weights, 16 MB transformed) runs ~1.25× faster in
        // it than in GEMM at batch 32, but 2× slower than the blocked kernel at batch 1, which keeps convs over 2^20 weights
        // at small batches (below; change 41). Hence 2^22.
        let fitsWinograd = isWinogradShape && weightCount <= 1 << 22
        winogradForward = directShape && channels % 8 == 0 && isWinogradShape && (fitsDirect(outputs: filters) || fitsWinograd)
        directForward = directShape && (fitsDirect(outputs: filters) || winogradForward)
        directBackward = directShape && !isPointwise && fitsDirect(outputs: filters)
        directInputGradient = directShape && !isPointwise && channels % 8 == 0 && w.stride == Size2(square: 1)
            && max(w.padding.top, w.padding.bottom) < extent.height && max(w.padding.left, w.padding.right) < extent.width
            && (fitsDirect(outputs: channels) || fitsWinograd)
        winogradInputGradient = directInputGradient && isWinogradShape
        // Winograd reads whole 4×4 patches: an odd output size needs one more zero row/column.
        func evenCeiling(_ n: Int) -> Int { (n + 1) / 2 * 2 + 2 }
        paddedInput = (height: max((o.height - 1) * w.stride.height + extent.height, w.padding.top + i.height,
                                   winogradForward ? evenCeiling(o.height) : 0),
                       width: max((o.width - 1) * w.stride.width + extent.width, w.padding.left + i.width,
                                  winogradForward ? evenCeiling(o.width) : 0),
                       top: w.padding.top, left: w.padding.left)
        paddedGradient = (height: max(i.height + extent.height - 1, winogradInputGradient ? evenCeiling(i.height) : 0),
                          width: max(i.width + extent.width - 1, winogradInputGradient ? evenCeiling(i.width) : 0),
                          top: extent.height - 1 - w.padding.top, left: extent.width - 1 - w.padding.left)

        inputIsPadded = paddedInput == (height: i.height, width: i.width, top: 0, left: 0)
        gradientIsPadded = paddedGradient == (height: o.height, width: o.width, top: 0, left: 0)
        // With one image OpenBLAS's GEMM has few rows (196 at 14×14), and MobileNetV2's 1×1 convs ran 1.1–3× faster in
        // the direct kernel at batch 1 on two threads, its pass over all of them 1.2× (Benchmarks/NOTES.md, change 24).
        pointwiseDirectForSmallBatches = isPointwise && !directForward && kernels != .im2col && DirectConvolution.isSupported
            && groups == 1 && filters % 8 == 0 && fitsDirect(outputs: filters) && inputIsPadded
        // The other GEMM convs' forward pass at such batches: OpenBLAS repacked a 512 → 512 3×3 conv's 9.4 MB of weights on
        // every call for 49 pixels at 7×7 (55% of the FMA limit); the blocked kernel, on weights blocked once per parameter
        // generation, ran ResNet-18's 512 → 512s at 1.4–1.5× its speed and MobileNetV2's 1×1s at 7×7 at ~1.4× (Benchmarks/
        // NOTES.md, change 31). It also ran ResNet's 256 → 256 3×3s at 14×14 at 1.1–1.3× Winograd's then; since Winograd reads
        // their filters once per group of tiles, Winograd runs them ~1.15× faster than the blocked kernel (change 38), but
        // 512 → 512s at 7×7 2× slower (their 8 tiles a thread read 16 MB of transformed filters), so Winograd convs of more
        // than 2^20 weights take the blocked kernel at small batches (change 41).
        blockedForSmallBatches = (!directForward || (winogradForward && weightCount > 1 << 20)) && !pointwiseDirectForSmallBatches
            && kernels != .im2col && DirectConvolution.isSupported && groups == 1 && filters % 8 == 0
        let padded = (directForward || blockedForSmallBatches) && !inputIsPadded ? paddedInput.height * paddedInput.width * channels : 0
        let paddedGradientCount = directInputGradient && !gradientIsPadded ? paddedGradient.height * paddedGradient.width * filters : 0
        stackedImages = Self.stackedImages(positions: positions, direct: directForward && directBackward)
        let columns = (directForward && directBackward && directInputGradient) || isPointwise ? 0 : stackedImages * positions * tapsPerGroup
        let winograd = winogradForward || winogradInputGradient
            ? Winograd.scratchFloats(outputHeight: max(o.height, i.height), outputWidth: max(o.width, i.width),
                                     channels: channels, filters: filters) : 0
        scratchLayout = (padded, paddedGradientCount, columns, winograd)
        let scratchFloats = ScratchArena.aligned(padded + paddedGradientCount + 2 * columns + winograd)
        scratch = ThreadScratch(arena: arena, offset: 0, floatsPerThread: scratchFloats)
        accumulators = ThreadScratch(arena: arena, offset: scratchFloats, floatsPerThread: filters * tapsPerGroup + filters)
        packed = .allocate(capacity: filters * tapsPerGroup)
        packed.initialize(repeating: 0, count: filters * tapsPerGroup)
        foldedBias = .allocate(capacity: filters)
        foldedBias.initialize(repeating: 0, count: filters)
        flipped = .allocate(capacity: directInputGradient ? filters * tapsPerGroup : 1)
        flipped.initialize(repeating: 0, count: directInputGradient ? filters * tapsPerGroup : 1)
        transformed = .allocate(capacity: winogradForward ? 16 * channels * filters : 1)
        transformed.initialize(repeating: 0, count: winogradForward ? 16 * channels * filters : 1)
        transformedFlipped = .allocate(capacity: winogradInputGradient ? 16 * channels * filters : 1)
        transformedFlipped.initialize(repeating: 0, count: winogradInputGradient ? 16 * channels * filters : 1)
        func zeroed(_ count: Int) -> UnsafeMutablePointer<Float> {
            let buffer = UnsafeMutablePointer<Float>.allocate(capacity: count)
            buffer.initialize(repeating: 0, count: count)
            return buffer
        }
        panels = (directForward || pointwiseDirectForSmallBatches) && !winogradForward && filters > DirectConvolution.panelWidth
            ? zeroed(weightCount) : nil
        flippedPanels = directInputGradient && !winogradInputGradient && channels > DirectConvolution.panelWidth ? zeroed(weightCount) : nil
    }

    deinit {
        packed.deallocate()
        foldedBias.deallocate()
        flipped.deallocate()
        transformed.deallocate()
        transformedFlipped.deallocate()
        panels?.deallocate()
        blocked?.deallocate()
        flippedPanels?.deallocate()
    }

    /// The floats of the weight copies the kernels keep now (packed, flipped, Winograd-transformed, panels, blocked),
    /// which `MemoryBudget` bounds.
    var weightCopyFloats: Int {
        let weights = filters * tapsPerGroup
        return weights + (directInputGradient ? weights : 1) + (winogradForward ? 16 * channels * filters : 1)
            + (winogradInputGradient ? 16 * channels * filters : 1) + (panels == nil ? 0 : weights)
            + (flippedPanels == nil ? 0 : weights) + (blocked == nil ? 0 : weights)
    }

    /// The thread's Winograd scratch.
    private func winogradScratch(_ thread: Int) -> UnsafeMutablePointer<Float> {
        scratch[thread] + scratchLayout.padded + scratchLayout.paddedGradient + 2 * scratchLayout.columns
    }

    public var parameterSpecs: [ParameterSpec] {
        var specs = [ParameterSpec("weight", shape: [filters, channelsPerGroup, conv.size.height, conv.size.width],
                                   role: .weight(fanIn: tapsPerGroup), initScheme: initScheme)]
        if conv.bias { specs.append(ParameterSpec("bias", shape: [filters], role: .bias)) }
        return specs
    }

    var hasBias: Bool { conv.bias }

    // MARK: - Weight layouts

    /// `packed` (kernel layout) from the stored weights, each filter f scaled by `scale[f]` when given (a folded batchnorm).
    private func packWeights(scale: [Float]? = nil, threads: Int) {
        func pack(_ scale: UnsafePointer<Float>?) {
            FilterLayout.pack(weight, groups: groups, filters: filtersPerGroup, channels: channelsPerGroup, taps: kernelArea,
                              scale: scale, into: packed, threads: threads)
        }
        guard let scale else { return pack(nil) }
        scale.withUnsafeBufferPointer { pack($0.baseAddress) }
    }

    // MARK: - Forward

    public func forward(input: UnsafePointer<Float>, output: UnsafeMutablePointer<Float>, batch: Int, context: StepContext) {
        forward(input: input, output: output, batch: batch, context: context, adding: nil)
    }

    /// Whether this conv's forward pass can add a residual block's shortcut in its epilogue at a batch of `batch` images
    /// (`forward(…, adding:)`): in inference that folds, where it runs the direct or Winograd kernel (not the blocked or
    /// GEMM passes) and applies no activation of its own.
    func addsResidual(batch: Int, context: StepContext) -> Bool {
        context.folds && runsDirect(batch: batch, threads: context.threads)
            && !(blockedForSmallBatches && Self.isSmall(batch: batch, threads: context.threads))
            && (fold(in: context)?.fusedActivation ?? fusedActivation) == .none
    }

    /// The forward pass, with `residual` (a tensor shaped as the output) added to each output and `residual.activation`
    /// applied as the direct or Winograd kernel stores it: the same bits as adding it afterwards (`ResidualBlock`), without that pass's
    /// read of two tensors and write of one. Requires `addsResidual` at this batch when `residual` is given.
    func forward(input: UnsafePointer<Float>, output: UnsafeMutablePointer<Float>, batch: Int, context: StepContext,
                 adding residual: (tensor: UnsafePointer<Float>, activation: FusedActivation)?) {
        precondition(residual == nil || addsResidual(batch: batch, context: context), "\(facts.name) cannot add a residual")
        let fold = fold(in: context)
        let blockedPass = blockedForSmallBatches && Self.isSmall(batch: batch, threads: context.threads)
        let direct = runsDirect(batch: batch, threads: context.threads)
        // A 1×1 conv on the GEMM path reads its stored weights unless a batchnorm is folded into them (`gemmWeights`).
        let stored = gemmReadsStoredWeights && !direct && !blockedPass && fold == nil
        if !stored { prepareWeights(fold: fold, context: context) }
        let bias = fold == nil ? bias : foldedBias, activation = residual?.activation ?? fold?.fusedActivation ?? fusedActivation
        let inSize = facts.input.count, outSize = facts.output.count
        if blockedPass {
            forwardSplittingFilters(input: input, output: output, batch: batch, threads: context.threads, bias: bias, activation: activation)
            return
        }
        if batch < context.threads && direct {
            forwardSplittingRows(input: input, output: output, batch: batch, threads: context.threads, bias: bias,
                                 residual: residual?.tensor, activation: activation)
            return
        }
        // Below ~1 M multiply-adds (~15 µs on one core) a split GEMM loses more to OpenBLAS's per-call packing than the
        // second thread gains. (With Dispatch's sleeping threads the line was 8 M: waking one cost ~0.1 ms.)
        if batch < context.threads && facts.multiplyAdds * batch >= 1 << 20 {
            gemmForwardSplitting(input: input, output: output, batch: batch, threads: context.threads, bias: bias, activation: activation,
                                 stored: stored)
            return
        }
        let streams = batch * outSize * MemoryLayout<Float>.stride > Self.streamingBytes
        Parallel.forEachChunk(count: batch, chunks: context.threads) { thread, images in
            guard direct else {
                gemmForward(input: input, output: output, images: images, thread: thread, bias: bias, activation: activation,
                            stored: stored)
                return
            }
            for n in images {
                convolve(padded: paddedImage(input + n * inSize, thread: thread), paddedWidth: paddedInput.width, channels: channels,
                         weights: winogradForward ? nil : panels ?? packed, transformed: winogradForward ? transformed : nil,
                         bias: bias, residual: residual.map { $0.tensor + n * outSize }, output: output + n * outSize,
                         height: facts.output.height, width: facts.output.width, filters: filters,
                         stride: (window.stride.height, window.stride.width), activation: activation, thread: thread, streaming: streams)
            }
        }
    }

    /// A pass's output above this many bytes is stored with streaming stores (`DirectConvolution.forward`): more than
    /// the L3 cache of one core's complex (32 MiB on Zen 4), so the next layer reads it from memory either way, and the
    /// kernel need not read each line before writing it. ResNet-50 at batch 32: its 7×7 stem and 64 → 256 1×1s ran ~10%
    /// faster, its projection shortcuts ~20% (Benchmarks/NOTES.md, change 40).
    static let streamingBytes = 32 << 20

    /// Packs the weights (scaled by `fold`'s batchnorm when given, with `foldedBias` its bias) into the kernels' layouts,
    /// unless those of the pass's parameter generation are current: in inference they stay valid from pass to pass.
    private func prepareWeights(fold: BatchNormLayer?, context: StepContext) {
        guard context.parameterGeneration == nil || context.parameterGeneration != packedGeneration || packedFolded != (fold != nil) else { return }
        packWeights(scale: fold?.fold(bias: bias, into: foldedBias), threads: context.threads)
        if winogradForward {
            Winograd.transformFilters(packed, channels: channels, filters: filters, into: transformed, threads: context.threads)
        }
        if let panels { DirectConvolution.panels(packed, taps: kernelArea, channels: channels, filters: filters, into: panels) }
        packedGeneration = context.parameterGeneration
        packedFolded = fold != nil
        blockedIsCurrent = false
    }

    /// Whether a fused block (`BottleneckFusion`) can run this conv on bands of pixels at a batch of `batch` images on
    /// `threads` threads: a 1×1 stride-1 conv whose own forward pass runs the direct kernel at that batch (at every batch,
    /// or at a batch of one image or fewer images than threads). On bands of a 576 → 96 1×1 at 14×14 the direct kernel
    /// was slower than the conv's own GEMM at batch 32 (Benchmarks/NOTES.md, change 34).
    func runsPointwiseBands(batch: Int, threads: Int) -> Bool { isPointwise && runsDirect(batch: batch, threads: threads) }

    /// Whether the forward pass runs the direct kernel at this batch: always, or for a 1×1 conv at small batches.
    private func runsDirect(batch: Int, threads: Int) -> Bool {
        directForward || (pointwiseDirectForSmallBatches && Self.isSmall(batch: batch, threads: threads))
    }

    /// A batch of one image, or of fewer images than threads: the forward pass's small-batch kernels and splits.
    private static func isSmall(batch: Int, threads: Int) -> Bool { batch == 1 || batch < threads }
    var runsPointwiseBandsAtSmallBatches: Bool { runsPointwiseBands(batch: 1, threads: 1) }

    /// For a fused block, in inference that folds: this 1×1 conv's forward pass (with the batchnorm after it folded in,
    /// and its activation) over any run of contiguous pixels, in the direct kernel. Packs the weights first when needed,
    /// so it is made once per pass, before the threads start. Requires `runsPointwiseBands` at the pass's batch.
    func pointwiseBands(context: StepContext) -> PointwiseBands {
        precondition(runsPointwiseBandsAtSmallBatches, "\(facts.name) cannot run on bands of pixels")
        let fold = fold(in: context)
        prepareWeights(fold: fold, context: context)
        return PointwiseBands(weights: UnsafePointer(panels ?? packed), bias: (fold == nil ? bias : foldedBias).map { UnsafePointer($0) },
                              activation: fold?.fusedActivation ?? fusedActivation, channels: channels, filters: filters)
    }

    /// Too few images for the threads (batch-1 inference): each image's output rows are split over them, in
    /// whole Winograd tiles (2 rows). The split depends on the thread count only, so a run is still reproducible. Each
    /// thread pads only the input rows its own rows read (`paddedRows`): the layers before split their rows alike, so
    /// these are mostly rows the same thread wrote.
    private func forwardSplittingRows(input: UnsafePointer<Float>, output: UnsafeMutablePointer<Float>, batch: Int, threads: Int,
                                      bias: UnsafeMutablePointer<Float>?, residual: UnsafePointer<Float>?,
                                      activation: FusedActivation) {
        let (height, width) = (facts.output.height, facts.output.width)
        let tile = winogradForward ? 2 : 1
        for n in 0..<batch {
            let x = input + n * facts.input.count, y = output + n * facts.output.count
            let added = residual.map { $0 + n * facts.output.count }
            Parallel.forEachChunk(count: (height + tile - 1) / tile, chunks: threads) { thread, tiles in
                let rows = (tiles.lowerBound * tile)..<min(tiles.upperBound * tile, height)
                convolve(padded: paddedRows(x, for: rows, thread: thread), paddedWidth: paddedInput.width, channels: channels,
                         weights: winogradForward ? nil : panels ?? packed, transformed: winogradForward ? transformed : nil,
                         bias: bias, residual: added.map { $0 + rows.lowerBound * width * filters },
                         output: y + rows.lowerBound * width * filters, height: rows.count, width: width,
                         filters: filters, stride: (window.stride.height, window.stride.width), activation: activation,
                         thread: thread)
            }
        }
    }

    /// Few images and many weights (batch-1 inference of a 512 → 512 3×3 conv at 7×7): each image's filters are split
    /// over the threads in whole blocks of the blocked kernel (`DirectConvolution.forwardBlocked`): each thread streams
    /// only its own blocks of weights, each chunk of them from the L2 cache for every tile of pixels. The blocked copy of
    /// the weights is made at the first such pass, and again after the weights are repacked. Each thread reads the whole
    /// image, so each pads its own copy (rather than one padding it for both before they start).
    private func forwardSplittingFilters(input: UnsafePointer<Float>, output: UnsafeMutablePointer<Float>, batch: Int, threads: Int,
                                         bias: UnsafeMutablePointer<Float>?, activation: FusedActivation) {
        let weightCount = filters * tapsPerGroup
        let blocks: UnsafeMutablePointer<Float>
        if let blocked { blocks = blocked } else {
            blocks = .allocate(capacity: weightCount)
            blocked = blocks
        }
        if !blockedIsCurrent {
            DirectConvolution.blocks(packed, taps: kernelArea, channels: channels, filters: filters, into: blocks)
            blockedIsCurrent = true
        }
        let width = DirectConvolution.blockWidth(filters: filters)
        for n in 0..<batch {
            let x = input + n * facts.input.count, y = output + n * facts.output.count
            Parallel.forEachChunk(count: (filters + width - 1) / width, chunks: threads) { thread, range in
                DirectConvolution.forwardBlocked(padded: paddedImage(x, thread: thread), paddedWidth: paddedInput.width, channels: channels, weights: blocks,
                                                 bias: bias, output: y, outputHeight: facts.output.height, outputWidth: facts.output.width,
                                                 filters: filters, range: (range.lowerBound * width)..<min(range.upperBound * width, filters),
                                                 kernelHeight: window.size.height, kernelWidth: window.size.width,
                                                 strideHeight: window.stride.height, strideWidth: window.stride.width,
                                                 dilationHeight: window.dilation.height, dilationWidth: window.dilation.width,
                                                 activation: activation)
            }
        }
    }

    /// The image as the direct kernels read it: zero-padded into the thread's scratch, or the image itself.
    private func paddedImage(_ x: UnsafePointer<Float>, thread: Int) -> UnsafePointer<Float> {
        if inputIsPadded { return x }
        ChannelsLast.pad(x, height: facts.input.height, width: facts.input.width, channels: channels,
                         top: paddedInput.top, left: paddedInput.left, into: scratch[thread],
                         paddedHeight: paddedInput.height, paddedWidth: paddedInput.width)
        return UnsafePointer(scratch[thread])
    }

    /// The padded input rows that the output rows `rows` read, from the first: padded into the thread's scratch, or
    /// those of the image itself. When the rows the threads write in the layer before are about the rows they read here,
    /// this keeps them in the thread's caches. Where the host runs the two vCPUs on different L3 caches (a cache line's
    /// round trip between them ~340 ns instead of ~60), ResNet-20 at batch 1 ran at ~1,150 images/s with one thread padding
    /// the whole image for both, and at ~2,500 so (Benchmarks/NOTES.md, change 39).
    private func paddedRows(_ x: UnsafePointer<Float>, for rows: Range<Int>, thread: Int) -> UnsafePointer<Float> {
        let first = rows.lowerBound * window.stride.height
        if inputIsPadded { return x + first * paddedInput.width * channels }
        // Winograd reads whole 4-row patches, 2 rows apart; the direct kernel each row's window.
        let extent = (window.size.height - 1) * window.dilation.height + 1
        let reads = winogradForward ? (rows.count + 1) / 2 * 2 + 2 : (rows.count - 1) * window.stride.height + extent
        ChannelsLast.pad(x, height: facts.input.height, width: facts.input.width, channels: channels, top: paddedInput.top,
                         left: paddedInput.left, rows: first..<min(paddedInput.height, first + reads), into: scratch[thread],
                         paddedWidth: paddedInput.width)
        return UnsafePointer(scratch[thread])
    }

    /// One padded channels-last image through the fast kernels: Winograd when `transformed` filters
    /// are given (3×3, stride 1), else the direct kernel with `weights` `[KH][KW][C][F]` (adding `residual` when given).
    private func convolve(padded: UnsafePointer<Float>, paddedWidth: Int, channels: Int, weights: UnsafePointer<Float>?,
                          transformed: UnsafePointer<Float>?, bias: UnsafePointer<Float>?, residual: UnsafePointer<Float>?,
                          output: UnsafeMutablePointer<Float>, height: Int, width: Int, filters: Int, stride: (Int, Int),
                          activation: FusedActivation, thread: Int, streaming: Bool = false) {
        if let transformed {
            Winograd.forward(padded: padded, paddedWidth: paddedWidth, channels: channels, filters: transformed, bias: bias,
                             residual: residual, output: output, outputHeight: height, outputWidth: width, filterCount: filters, activation: activation,
                             scratch: winogradScratch(thread))
            return
        }
        DirectConvolution.forward(padded: padded, paddedWidth: paddedWidth, channels: channels, weights: weights!, bias: bias,
                                  residual: residual, output: output, outputHeight: height, outputWidth: width, filters: filters,
                                  kernelHeight: window.size.height, kernelWidth: window.size.width,
                                  strideHeight: stride.0, strideWidth: stride.1,
                                  dilationHeight: window.dilation.height, dilationWidth: window.dilation.width, activation: activation,
                                  streaming: streaming)
    }

    // MARK: - Backward

    public func backward(input: UnsafePointer<Float>, output: UnsafePointer<Float>, outputGradient: UnsafePointer<Float>,
                         inputGradient: UnsafeMutablePointer<Float>?, batch: Int, context: StepContext) {
        let inSize = facts.input.count, outSize = facts.output.count
        let weightCount = filters * tapsPerGroup
        let threads = min(max(1, context.threads), batch)
        // A frozen layer's tensors get no gradient (`freeze`): only dx, for the layers before it.
        let trainsWeights = facts.layer.freeze == .none
        if directInputGradient && inputGradient != nil {
            // flipped[kh][kw][f][c] = w[f][c][KH−1−kh][KW−1−kw]
            FilterLayout.flip(weight, filters: filters, channels: channels, taps: kernelArea, into: flipped, threads: context.threads)
            if winogradInputGradient {
                Winograd.transformFilters(flipped, channels: filters, filters: channels, into: transformedFlipped, threads: context.threads)
            }
            if let flippedPanels {
                DirectConvolution.panels(flipped, taps: kernelArea, channels: filters, filters: channels, into: flippedPanels)
            }
        }
        Parallel.forEachChunk(count: batch, chunks: threads) { thread, images in
            let acc = accumulators[thread], biasAcc = accumulators[thread] + weightCount
            acc.update(repeating: 0, count: weightCount + filters)
            if fusedActivation != .none {
                // The fused relu's (relu6's) backward: dy = 0 where y was clamped. The buffer is the model's gradient
                // of this layer's (shared) output, so masking it in place is safe.
                for n in images {
                    fusedActivation.mask(output: output + n * outSize, gradient: UnsafeMutablePointer(mutating: outputGradient + n * outSize),
                                          count: outSize)
                }
            }
            if !directBackward {
                // The weight gradient in GEMM, and the input gradient too unless it has a direct (Winograd) pass.
                gemmBackward(input: input, outputGradient: outputGradient, inputGradient: directInputGradient ? nil : inputGradient,
                             images: images, thread: thread, weights: trainsWeights ? acc : nil, bias: trainsWeights && conv.bias ? biasAcc : nil)
                if !directInputGradient { return }
            }
            for n in images {
                let x = input + n * inSize, dy = outputGradient + n * outSize
                if trainsWeights && directBackward {
                    // dw += x ⊗ dy over the image's pixels
                    DirectConvolution.weightGradient(
                        padded: paddedImage(x, thread: thread), paddedWidth: paddedInput.width, channels: channels, outputGradient: dy,
                        outputHeight: facts.output.height, outputWidth: facts.output.width, filters: filters,
                        kernelHeight: window.size.height, kernelWidth: window.size.width,
                        strideHeight: window.stride.height, strideWidth: window.stride.width,
                        dilationHeight: window.dilation.height, dilationWidth: window.dilation.width,
                        weightGradient: acc, biasGradient: conv.bias ? biasAcc : nil)
                }
                guard let inputGradient else { continue }
                guard directInputGradient else {
                    gemmBackward(input: input, outputGradient: outputGradient, inputGradient: inputGradient, images: n..<(n + 1),
                                 thread: thread, weights: nil, bias: nil)
                    continue
                }
                // dx = padded dy ⋆ flipped w: a stride-1 convolution with filters and channels swapped.
                var padded = dy
                if !gradientIsPadded {
                    let target = scratch[thread] + scratchLayout.padded
                    ChannelsLast.pad(dy, height: facts.output.height, width: facts.output.width, channels: filters,
                                     top: paddedGradient.top, left: paddedGradient.left, into: target,
                                     paddedHeight: paddedGradient.height, paddedWidth: paddedGradient.width)
                    padded = UnsafePointer(target)
                }
                convolve(padded: padded, paddedWidth: paddedGradient.width, channels: filters,
                         weights: winogradInputGradient ? nil : flippedPanels ?? flipped, transformed: winogradInputGradient ? transformedFlipped : nil,
                         bias: nil, residual: nil, output: inputGradient + n * inSize, height: facts.input.height, width: facts.input.width,
                         filters: channels, stride: (1, 1), activation: .none, thread: thread)
            }
        }
        guard trainsWeights else { return }
        // Reduce the per-thread accumulators in thread order (deterministic), then unpack to storage layout (a 1×1
        // conv's GEMMs accumulate in it already).
        if gemmReadsStoredWeights && !directBackward {
            accumulators.addInThreadOrder(threads: threads, from: 0, count: weightCount, into: weightGradient, chunks: context.threads)
        } else {
            FilterLayout.addGradient((0..<threads).map { UnsafePointer(accumulators[$0]) }, groups: groups, filters: filtersPerGroup,
                                     channels: channelsPerGroup, taps: kernelArea, into: weightGradient, threads: context.threads)
        }
        if let biasGradient { accumulators.addInThreadOrder(threads: threads, from: weightCount, count: filters, into: biasGradient, chunks: 1) }
    }
}

/// A 1×1 conv's forward pass over bands of contiguous pixels (`Conv2D.pointwiseBands`), on its packed weights.
struct PointwiseBands {
    let weights: UnsafePointer<Float>, bias: UnsafePointer<Float>?
    let activation: FusedActivation
    let channels: Int, filters: Int

    /// y `[pixels, F]` from x `[pixels, C]`.
    func run(_ x: UnsafePointer<Float>, into y: UnsafeMutablePointer<Float>, pixels: Int) {
        DirectConvolution.forward(padded: x, paddedWidth: pixels, channels: channels, weights: weights, bias: bias,
                                  output: y, outputHeight: 1, outputWidth: pixels, filters: filters,
                                  kernelHeight: 1, kernelWidth: 1, strideHeight: 1, strideWidth: 1,
                                  dilationHeight: 1, dilationWidth: 1, activation: activation)
    }
}

/// Which convolution kernels a model may use; the benchmark compares them in one run.
public enum ConvolutionKernels: String, Sendable, CaseIterable {
    /// Winograd where it pays, else the direct kernels, else im2col + GEMM (the default).
    case fastest
    /// The direct kernels where the shapes allow, else im2col + GEMM.
    case direct
    /// im2col + OpenBLAS GEMM everywhere (the textbook formulation, as Caffe).
    case im2col
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
