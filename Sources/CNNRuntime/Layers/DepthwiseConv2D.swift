import CNNAnalysis
import CNNIR
import CNNKernels

/// A `conv` with one group per input channel (`depthwise`, or `conv` with `groups` = C): filter f reads
/// channel f / M alone, M = F / C filters per channel (the multiplier).
///
///     y[n, oh, ow, f] = b[f] + Σ_{kh, kw} x[n, oh·s + kh·d − p, ow·s + kw·d − p, f / M] · w[f, 0, kh, kw]
///
/// The same function and tensors as `Conv2D` with those groups (checkpoints cannot tell them apart), on
/// kernels vectorised over channels that clip each window to the image (`CKernels/depthwise_conv.c`), where
/// `Conv2D`'s im2col + GEMM would run one single-column GEMM per channel. With M > 1 each image's channels are
/// first repeated M times, so the kernels always see one filter per channel; the input gradient is then summed
/// over each channel's M filters.
///
/// Each thread takes a contiguous run of the batch and owns its scratch and gradient accumulators, summed in
/// thread order, so results are reproducible for a given thread count. A batch smaller than the thread count
/// (batch-1 inference) splits each image's output rows over the threads instead.
public final class DepthwiseConv2D: WeightedLayer, ReLUFusing, BatchNormFolding, FusedBlockMember {
    public let facts: LayerAnalysis
    let conv: Convolution
    let initScheme: InitScheme
    let channels: Int, filters: Int, multiplier: Int, kernelArea: Int
    let kernel: DepthwiseConvolution

    var fusedActivation = FusedActivation.none
    /// The parameter generation `packed` was made from (nil: unknown), and whether it holds the weights scaled by
    /// `foldedBatchNorm` (then `foldedBias` is the bias of that generation).
    var packedGeneration: Int?, packedFolded = false
    /// Set by the layer stack when a batchnorm follows: inference that folds computes it here.
    weak var foldedBatchNorm: BatchNormLayer?
    /// The fused block that computes this conv inside its first layer's pass, where it runs (`BottleneckFusion`).
    weak var fusedBlock: BottleneckFusion?
    let foldedBias: UnsafeMutablePointer<Float>

    var weight: UnsafeMutablePointer<Float>!, bias: UnsafeMutablePointer<Float>?
    var weightGradient: UnsafeMutablePointer<Float>!, biasGradient: UnsafeMutablePointer<Float>?
    /// The weights as the kernels read them, `[KH][KW][F]`.
    let packed: UnsafeMutablePointer<Float>
    /// Per thread, with M > 1 only: the image with its channels repeated, then its gradient (`[H, W, F]` each).
    let scratch: ThreadScratch
    /// Per thread: weight gradient `[KH][KW][F]` then bias gradient `[F]`.
    let accumulators: ThreadScratch

    /// Whether `DepthwiseConv2D` computes a conv layer: one input channel per group, on a CPU with the kernels. A conv
    /// of a 1-channel image is one group too, but an ordinary conv: its filters would all repeat the one channel.
    static func computes(_ facts: LayerAnalysis, conv: Convolution, kernels: ConvolutionKernels) -> Bool {
        kernels != .im2col && DirectConvolution.isSupported && conv.groups == facts.input.channels && facts.input.channels > 1
    }

    init(_ facts: LayerAnalysis, conv: Convolution, initScheme: InitScheme, scratch arena: ScratchArena) {
        self.facts = facts
        self.conv = conv
        self.initScheme = initScheme
        channels = facts.input.channels
        filters = conv.filters
        multiplier = filters / channels
        let geometry = WindowGeometry(facts)
        kernelArea = geometry.kernelHeight * geometry.kernelWidth
        var expanded = geometry
        expanded.channels = filters
        kernel = DepthwiseConvolution(expanded)
        let scratchFloats = ScratchArena.aligned(multiplier == 1 ? 0 : 2 * facts.input.count * multiplier)
        scratch = ThreadScratch(arena: arena, offset: 0, floatsPerThread: scratchFloats)
        accumulators = ThreadScratch(arena: arena, offset: scratchFloats, floatsPerThread: (kernelArea + 1) * filters)
        packed = .allocate(capacity: kernelArea * filters)
        packed.initialize(repeating: 0, count: kernelArea * filters)
        foldedBias = .allocate(capacity: filters)
        foldedBias.initialize(repeating: 0, count: filters)
    }

    deinit {
        packed.deallocate()
        foldedBias.deallocate()
    }

    public var parameterSpecs: [ParameterSpec] {
        var specs = [ParameterSpec("weight", shape: [filters, 1, conv.size.height, conv.size.width],
                                   role: .weight(fanIn: kernelArea), initScheme: initScheme)]
        if conv.bias { specs.append(ParameterSpec("bias", shape: [filters], role: .bias)) }
        return specs
    }

    var hasBias: Bool { conv.bias }

    /// `[F, 1, KH, KW]` (storage) -> `[KH][KW][F]`, each filter f scaled by `scale[f]` when given (a folded batchnorm).
    private func packWeights(scale: [Float]? = nil) {
        for f in 0..<filters {
            let s = scale?[f] ?? 1
            for k in 0..<kernelArea { packed[k * filters + f] = weight[f * kernelArea + k] * s } // × 1 is exact
        }
    }

    /// The image the kernels read: x itself, or (M > 1) x with each channel repeated M times in the thread's scratch.
    private func kernelInput(_ x: UnsafePointer<Float>, thread: Int) -> UnsafePointer<Float> {
        if multiplier == 1 { return x }
        let target = scratch[thread]
        for p in 0..<(facts.input.height * facts.input.width) {
            let source = x + p * channels, destination = target + p * filters
            for f in 0..<filters { destination[f] = source[f / multiplier] }
        }
        return UnsafePointer(target)
    }

    // MARK: - Forward

    /// Packs the weights (scaled by `fold`'s batchnorm when given, with `foldedBias` its bias) unless those of the pass's
    /// parameter generation are current: in inference they stay valid from pass to pass.
    private func prepareWeights(fold: BatchNormLayer?, context: StepContext) {
        guard context.parameterGeneration == nil || context.parameterGeneration != packedGeneration || packedFolded != (fold != nil) else { return }
        packWeights(scale: fold?.fold(bias: bias, into: foldedBias))
        packedGeneration = context.parameterGeneration
        packedFolded = fold != nil
    }

    /// For a fused block (`BottleneckFusion`), in inference that folds: the forward pass (with the batchnorm after it
    /// folded in, and its activation) of any band of output rows, from a band of input rows. Packs the weights first when
    /// needed, so it is made once per pass, before the threads start. Requires one filter per channel (multiplier 1).
    func rowBands(context: StepContext) -> DepthwiseRowBands {
        precondition(multiplier == 1, "\(facts.name) repeats its channels: no row bands")
        let fold = fold(in: context)
        prepareWeights(fold: fold, context: context)
        return DepthwiseRowBands(kernel: kernel, weights: UnsafePointer(packed), bias: (fold == nil ? bias : foldedBias).map { UnsafePointer($0) },
                                 activation: fold?.fusedActivation ?? fusedActivation)
    }

    public func forward(input: UnsafePointer<Float>, output: UnsafeMutablePointer<Float>, batch: Int, context: StepContext) {
        let fold = fold(in: context)
        prepareWeights(fold: fold, context: context)
        let bias = fold == nil ? bias : foldedBias, activation = fold?.fusedActivation ?? fusedActivation
        let inSize = facts.input.count, outSize = facts.output.count, rows = facts.output.height
        if batch < context.threads {
            // Too few images for the threads: every image's rows are split over them.
            for n in 0..<batch {
                let x = kernelInput(input + n * inSize, thread: 0)
                Parallel.forEachChunk(count: rows, chunks: context.threads) { _, rows in
                    kernel.forward(x, weights: packed, bias: bias, output: output + n * outSize, rows: rows, activation: activation)
                }
            }
            return
        }
        Parallel.forEachChunk(count: batch, chunks: context.threads) { thread, images in
            for n in images {
                kernel.forward(kernelInput(input + n * inSize, thread: thread), weights: packed, bias: bias,
                               output: output + n * outSize, rows: 0..<rows, activation: activation)
            }
        }
    }

    // MARK: - Backward

    public func backward(input: UnsafePointer<Float>, output: UnsafePointer<Float>, outputGradient: UnsafePointer<Float>,
                         inputGradient: UnsafeMutablePointer<Float>?, batch: Int, context: StepContext) {
        let inSize = facts.input.count, outSize = facts.output.count
        let weightCount = kernelArea * filters
        let threads = min(max(1, context.threads), batch)
        // A frozen layer's tensors get no gradient (`freeze`): only dx, for the layers before it.
        let trainsWeights = facts.layer.freeze == .none
        Parallel.forEachChunk(count: batch, chunks: threads) { thread, images in
            let acc = accumulators[thread], biasAcc = accumulators[thread] + weightCount
            acc.update(repeating: 0, count: weightCount + filters)
            for n in images {
                let dy = outputGradient + n * outSize
                if fusedActivation != .none {
                    // The fused relu's (relu6's) backward, in place on the model's gradient of this layer's (shared) output.
                    fusedActivation.mask(output: output + n * outSize, gradient: UnsafeMutablePointer(mutating: dy), count: outSize)
                }
                if trainsWeights {
                    kernel.weightGradient(kernelInput(input + n * inSize, thread: thread), outputGradient: dy,
                                          weightGradient: acc, biasGradient: conv.bias ? biasAcc : nil)
                }
                guard let inputGradient else { continue }
                let dx = inputGradient + n * inSize
                if multiplier == 1 {
                    dx.update(repeating: 0, count: inSize)
                    kernel.inputGradient(outputGradient: dy, weights: packed, into: dx)
                    continue
                }
                // The repeated channels' gradient, then each channel's M filters summed.
                let expanded = scratch[thread] + inSize * multiplier
                expanded.update(repeating: 0, count: inSize * multiplier)
                kernel.inputGradient(outputGradient: dy, weights: packed, into: expanded)
                for p in 0..<(facts.input.height * facts.input.width) {
                    for c in 0..<channels {
                        var sum: Float = 0
                        for j in 0..<multiplier { sum += expanded[(p * channels + c) * multiplier + j] }
                        dx[p * channels + c] = sum
                    }
                }
            }
        }
        guard trainsWeights else { return }
        // Reduce the per-thread accumulators in thread order (deterministic), then unpack to storage layout.
        let total = accumulators.sumInThreadOrder(threads: threads, count: weightCount + filters)
        for f in 0..<filters {
            for k in 0..<kernelArea { weightGradient[f * kernelArea + k] += total[k * filters + f] }
        }
        if let biasGradient { for f in 0..<filters { biasGradient[f] += total[weightCount + f] } }
    }
}

/// A depthwise conv's forward pass over bands of rows (`DepthwiseConv2D.rowBands`), on its packed weights.
struct DepthwiseRowBands {
    let kernel: DepthwiseConvolution
    let weights: UnsafePointer<Float>, bias: UnsafePointer<Float>?
    let activation: FusedActivation

    /// Output rows `rows` into `y`, which holds them alone, from `x`, which holds the input's rows from `inputRow` on
    /// (at least `kernel.inputRows(for: rows)`).
    func run(_ x: UnsafePointer<Float>, inputRow: Int, into y: UnsafeMutablePointer<Float>, rows: Range<Int>) {
        kernel.forward(x, weights: weights, bias: bias, output: y, rows: rows, activation: activation,
                       inputRow: inputRow, outputRow: rows.lowerBound)
    }
}
