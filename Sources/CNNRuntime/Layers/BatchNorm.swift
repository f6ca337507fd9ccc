import CNNAnalysis
import CNNIR
import CNNKernels

/// `batchnorm`: per channel c, over the N·H·W values of a batch,
///
///     x̂ = (x − μ_c) / √(σ²_c + ε),   y = γ_c · x̂ + β_c
///
/// Training uses the batch's μ and (biased) σ² and updates the running statistics
/// (running ← (1 − momentum)·running + momentum·batch, with the unbiased variance, as PyTorch);
/// inference uses the running statistics. Tensors: `weight` (γ), `bias` (β), `running_mean`, `running_var`.
///
/// A `relu` or `relu6` right after runs inside this layer, as after a conv (`ReLU.fusedIntoPrevious`): the forward pass
/// stores the clamped y, the backward pass zeroes the gradient where it clamped, one image at a time before the sums.
public final class BatchNormLayer: RuntimeLayer, ReLUFusing {
    public let facts: LayerAnalysis
    let config: BatchNorm
    let channels: Int, area: Int
    var gamma: UnsafeMutablePointer<Float>!, beta: UnsafeMutablePointer<Float>!
    var runningMean: UnsafeMutablePointer<Float>!, runningVariance: UnsafeMutablePointer<Float>!
    var gammaGradient: UnsafeMutablePointer<Float>!, betaGradient: UnsafeMutablePointer<Float>!
    /// `[C]` μ and 1 / √(σ² + ε) of the last forward pass (the batch's in training, the running statistics in
    /// inference). The backward pass recomputes x̂ = (x − μ)·(1 / √(σ² + ε)) from the input, as PyTorch does,
    /// instead of keeping a normalised copy of every input.
    let mean: UnsafeMutablePointer<Float>, inverseStd: UnsafeMutablePointer<Float>
    /// Working memory of the sums, allocated once (and grown only if a later call splits over more threads), so a
    /// step allocates nothing: per thread, `2C` Double partial sums and `2C` Float per-image sums; `2C` Double totals;
    /// `3C` Float coefficients of the input gradient.
    private var partialSums: UnsafeMutablePointer<Double>, imageSums: UnsafeMutablePointer<Float>
    private var scratchChunks = 1
    private let totals: UnsafeMutablePointer<Double>, coefficients: UnsafeMutablePointer<Float>
    /// Set by the layer stack when a `relu` or `relu6` follows (see the type's comment).
    var fusedActivation = FusedActivation.none
    /// Set by the layer stack when a conv comes right before: inference that folds computes this layer there.
    var foldsIntoPrevious = false
    /// `freeze: {statistics: true}`: training normalises with the running statistics and leaves them as they are.
    var frozenStatistics: Bool { facts.layer.freeze == .statistics }

    init(_ facts: LayerAnalysis, config: BatchNorm, batchCapacity: Int) {
        self.facts = facts
        self.config = config
        channels = facts.input.channels
        area = facts.input.height * facts.input.width
        mean = .allocate(capacity: channels)
        mean.initialize(repeating: 0, count: channels)
        inverseStd = .allocate(capacity: channels)
        inverseStd.initialize(repeating: 1, count: channels)
        partialSums = .allocate(capacity: 2 * channels)
        imageSums = .allocate(capacity: 2 * channels)
        totals = .allocate(capacity: 2 * channels)
        coefficients = .allocate(capacity: 3 * channels)
    }

    deinit {
        for buffer in [mean, inverseStd, imageSums, coefficients] { buffer.deallocate() }
        partialSums.deallocate()
        totals.deallocate()
    }

    /// The number of threads a batch's sums split over, with the scratch grown to hold them.
    private func sumChunks(batch: Int, threads: Int) -> Int {
        let chunks = max(1, min(threads, batch))
        if chunks > scratchChunks {
            partialSums.deallocate()
            imageSums.deallocate()
            partialSums = .allocate(capacity: chunks * 2 * channels)
            imageSums = .allocate(capacity: chunks * 2 * channels)
            scratchChunks = chunks
        }
        return chunks
    }

    public var parameterSpecs: [ParameterSpec] {
        [ParameterSpec("weight", shape: [channels], role: .scale), ParameterSpec("bias", shape: [channels], role: .bias),
         ParameterSpec("running_mean", shape: [channels], role: .runningMean),
         ParameterSpec("running_var", shape: [channels], role: .runningVariance)]
    }

    public func bind(values: [UnsafeMutablePointer<Float>], gradients: [UnsafeMutablePointer<Float>]) {
        (gamma, beta, runningMean, runningVariance) = (values[0], values[1], values[2], values[3])
        (gammaGradient, betaGradient) = (gradients[0], gradients[1])
    }

    /// Per channel over every pixel of the batch (channels-last rows of C): Σ x in forward, or Σ dy and Σ dy·x̂ in
    /// backward (`gradientOf`: x, the layer's input; x̂ recomputed from it), into `totals[0..<C]` and `totals[C..<2C]`.
    /// Per image in Float (≤ H·W terms), across images in Double, split over threads by images and reduced in thread
    /// order. With `reluOutput`, each image of dy (a gradient this layer owns) is first masked by the fused
    /// activation's backward, while in cache.
    private func channelSums(_ values: UnsafePointer<Float>, gradientOf input: UnsafePointer<Float>? = nil,
                             maskedBy reluOutput: UnsafePointer<Float>? = nil, batch: Int, threads: Int) {
        let chunks = sumChunks(batch: batch, threads: threads)
        let (partialSums, imageSums, channels, area) = (partialSums, imageSums, channels, area)
        let (mean, inverseStd, fusedActivation) = (mean, inverseStd, fusedActivation)
        Parallel.forEachChunk(count: batch, chunks: chunks) { chunk, images in
            let sums = partialSums + chunk * 2 * channels, products = sums + channels
            let rowSum = imageSums + chunk * 2 * channels, rowProduct = rowSum + channels
            sums.update(repeating: 0, count: 2 * channels)
            for n in images {
                rowSum.update(repeating: 0, count: 2 * channels)
                let offset = n * area * channels
                if let reluOutput {
                    fusedActivation.mask(output: reluOutput + offset, gradient: UnsafeMutablePointer(mutating: values + offset),
                                          count: area * channels)
                }
                if let input {
                    BatchNormKernels.gradientSums(values + offset, input: input + offset, rows: area, channels: channels,
                                                  mean: mean, inverseStd: inverseStd, sum: rowSum, product: rowProduct)
                } else {
                    BatchNormKernels.channelSum(values + offset, rows: area, channels: channels, into: rowSum)
                }
                for c in 0..<channels { sums[c] += Double(rowSum[c]); products[c] += Double(rowProduct[c]) }
            }
        }
        reduce(chunks: chunks, width: 2 * channels)
    }

    /// Σ (x − μ_c)² per channel over every pixel of the batch, into `totals[0..<C]`: per image in Float (≤ H·W terms,
    /// from the Float μ in `mean`, the one the normalisation uses), across images in Double, reduced in thread order.
    private func centeredSquares(_ values: UnsafePointer<Float>, batch: Int, threads: Int) {
        let chunks = sumChunks(batch: batch, threads: threads)
        let (partialSums, imageSums, channels, area, mean) = (partialSums, imageSums, channels, area, mean)
        Parallel.forEachChunk(count: batch, chunks: chunks) { chunk, images in
            let sums = partialSums + chunk * channels, row = imageSums + chunk * channels
            sums.update(repeating: 0, count: channels)
            for n in images {
                row.update(repeating: 0, count: channels)
                BatchNormKernels.centeredSquares(values + n * area * channels, rows: area, channels: channels, mean: mean, into: row)
                for c in 0..<channels { sums[c] += Double(row[c]) }
            }
        }
        reduce(chunks: chunks, width: channels)
    }

    /// `totals[i] = Σ_chunk partialSums[chunk·width + i]`, in chunk order (the same figures for any thread timing).
    private func reduce(chunks: Int, width: Int) {
        totals.update(repeating: 0, count: width)
        for chunk in 0..<chunks {
            for i in 0..<width { totals[i] += partialSums[chunk * width + i] }
        }
    }

    /// Inference's y = γ·(x − μ)/√(σ² + ε) + β as y = s·x + t per channel, from the running statistics, folded into
    /// the layer before (`BatchNormFolding`): returns s, by which that layer scales its weights, and writes its bias
    /// `b` (nil: none) merged with this affine, s·b + t, into `foldedBias` (`channels` floats).
    func fold(bias: UnsafePointer<Float>?, into foldedBias: UnsafeMutablePointer<Float>) -> [Float] {
        let eps = Float(config.epsilon)
        let scale = (0..<channels).map { gamma[$0] / (runningVariance[$0] + eps).squareRoot() }
        for c in 0..<channels { foldedBias[c] = ((bias?[c] ?? 0) - runningMean[c]) * scale[c] + beta[c] }
        return scale
    }

    public func forward(input: UnsafePointer<Float>, output: UnsafeMutablePointer<Float>, batch: Int, context: StepContext) {
        let eps = Float(config.epsilon), momentum = Float(config.momentum)
        let count = batch * area
        if context.training && !frozenStatistics {
            // Two passes, the mean and then Σ(x − μ)², as PyTorch: the one-pass E[x²] − μ² cancels when
            // |μ| ≫ σ (float32 sums of squares lose the variance's digits), which a deep network's gradients amplify.
            channelSums(input, batch: batch, threads: context.threads)
            for c in 0..<channels { mean[c] = Float(totals[c] / Double(count)) }
            centeredSquares(input, batch: batch, threads: context.threads)
            for c in 0..<channels {
                let variance = totals[c] / Double(count)
                inverseStd[c] = 1 / (Float(variance) + eps).squareRoot()
                let unbiased = count > 1 ? variance * Double(count) / Double(count - 1) : variance
                runningMean[c] = (1 - momentum) * runningMean[c] + momentum * mean[c]
                runningVariance[c] = (1 - momentum) * runningVariance[c] + momentum * Float(unbiased)
            }
        } else {
            for c in 0..<channels {
                mean[c] = runningMean[c]
                inverseStd[c] = 1 / (runningVariance[c] + eps).squareRoot()
            }
        }
        Parallel.forEachChunk(count: batch, chunks: context.threads) { _, images in
            let offset = images.lowerBound * area * channels
            BatchNormKernels.forward(input + offset, rows: images.count * area, channels: channels, mean: mean,
                                     inverseStd: inverseStd, gamma: gamma, beta: beta, activation: fusedActivation, output: output + offset)
        }
    }

    public func backward(input: UnsafePointer<Float>, output: UnsafePointer<Float>, outputGradient: UnsafePointer<Float>,
                         inputGradient: UnsafeMutablePointer<Float>?, batch: Int, context: StepContext) {
        let count = Float(batch * area)
        // With a fused relu, the sums read the gradient after its mask (dy = 0 where the output was clamped); the
        // buffer is the relu's output gradient, which nothing else reads.
        channelSums(outputGradient, gradientOf: input, maskedBy: fusedActivation != .none ? output : nil, batch: batch,
                    threads: context.threads)
        let sumDy = totals, sumDyXhat = totals + channels
        for c in 0..<channels {
            gammaGradient[c] += Float(sumDyXhat[c])
            betaGradient[c] += Float(sumDy[c])
        }
        guard let inputGradient else { return }
        // Training: dx = γ/(M·σ) · (M·dy − Σdy − x̂·Σ(dy·x̂)). Inference (running statistics are constants): dx = γ/σ · dy.
        let scale = coefficients, shift = coefficients + channels, slope = coefficients + 2 * channels
        for c in 0..<channels {
            if context.training && !frozenStatistics {
                let s = gamma[c] * inverseStd[c] / count
                scale[c] = s * count
                shift[c] = s * Float(sumDy[c])
                slope[c] = s * Float(sumDyXhat[c])
            } else {
                (scale[c], shift[c], slope[c]) = (gamma[c] * inverseStd[c], 0, 0)
            }
        }
        let (channels, area, mean, inverseStd) = (channels, area, mean, inverseStd)
        Parallel.forEachChunk(count: batch, chunks: context.threads) { _, images in
            let offset = images.lowerBound * area * channels
            BatchNormKernels.backward(outputGradient + offset, input: input + offset, rows: images.count * area, channels: channels,
                                      mean: mean, inverseStd: inverseStd, scale: scale, shift: shift, slope: slope,
                                      inputGradient: inputGradient + offset)
        }
    }
}
