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
    /// Set by the layer stack when a `relu` or `relu6` follows (see the type's comment).
    var fusedActivation = FusedActivation.none
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
    }

    deinit {
        mean.deallocate()
        inverseStd.deallocate()
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
    /// backward (`gradientOf`: x, the layer's input; x̂ recomputed from it). Per image in Float (≤ H·W terms), across
    /// images in Double, split over threads by images and reduced in thread order. With `reluOutput`, each image of
    /// dy (a gradient this layer owns) is first masked by the fused activation's backward, while in cache.
    private func channelSums(_ values: UnsafePointer<Float>, gradientOf input: UnsafePointer<Float>? = nil,
                             maskedBy reluOutput: UnsafePointer<Float>? = nil, batch: Int,
                             threads: Int) -> (first: [Double], second: [Double]) {
        let chunks = max(1, min(threads, batch))
        var partial = [Double](repeating: 0, count: chunks * 2 * channels)
        partial.withUnsafeMutableBufferPointer { partial in
            let base = partial.baseAddress!
            Parallel.forEachChunk(count: batch, chunks: chunks) { chunk, images in
                let sums = base + chunk * 2 * channels, products = sums + channels
                let rowSum = UnsafeMutablePointer<Float>.allocate(capacity: 2 * channels), rowProduct = rowSum + channels
                defer { rowSum.deallocate() }
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
        }
        var first = [Double](repeating: 0, count: channels), second = [Double](repeating: 0, count: channels)
        for chunk in 0..<chunks {
            for c in 0..<channels {
                first[c] += partial[chunk * 2 * channels + c]
                second[c] += partial[chunk * 2 * channels + channels + c]
            }
        }
        return (first, second)
    }

    /// Σ (x − μ_c)² per channel over every pixel of the batch: per image in Float (≤ H·W terms, from the
    /// Float μ the normalisation uses), across images in Double, reduced in thread order.
    private func centeredSquares(_ values: UnsafePointer<Float>, means: [Double], batch: Int, threads: Int) -> [Double] {
        let chunks = max(1, min(threads, batch))
        let mean = means.map { Float($0) }
        var partial = [Double](repeating: 0, count: chunks * channels)
        partial.withUnsafeMutableBufferPointer { partial in
            let base = partial.baseAddress!
            mean.withUnsafeBufferPointer { mean in
                let mean = mean.baseAddress!
                Parallel.forEachChunk(count: batch, chunks: chunks) { chunk, images in
                    let sums = base + chunk * channels
                    let row = UnsafeMutablePointer<Float>.allocate(capacity: channels)
                    defer { row.deallocate() }
                    for n in images {
                        row.update(repeating: 0, count: channels)
                        BatchNormKernels.centeredSquares(values + n * area * channels, rows: area, channels: channels, mean: mean,
                                                         into: row)
                        for c in 0..<channels { sums[c] += Double(row[c]) }
                    }
                }
            }
        }
        var total = [Double](repeating: 0, count: channels)
        for chunk in 0..<chunks {
            for c in 0..<channels { total[c] += partial[chunk * channels + c] }
        }
        return total
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
            let (sums, _) = channelSums(input, batch: batch, threads: context.threads)
            let means = sums.map { $0 / Double(count) }
            let squares = centeredSquares(input, means: means, batch: batch, threads: context.threads)
            for c in 0..<channels {
                let mu = means[c]
                let variance = squares[c] / Double(count)
                mean[c] = Float(mu)
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
        let (sumDy, sumDyXhat) = channelSums(outputGradient, gradientOf: input, maskedBy: fusedActivation != .none ? output : nil,
                                             batch: batch, threads: context.threads)
        for c in 0..<channels {
            gammaGradient[c] += Float(sumDyXhat[c])
            betaGradient[c] += Float(sumDy[c])
        }
        guard let inputGradient else { return }
        // Training: dx = γ/(M·σ) · (M·dy − Σdy − x̂·Σ(dy·x̂)). Inference (running statistics are constants): dx = γ/σ · dy.
        var scale = [Float](repeating: 0, count: channels), shift = [Float](repeating: 0, count: channels)
        var slope = [Float](repeating: 0, count: channels)
        for c in 0..<channels {
            if context.training && !frozenStatistics {
                let s = gamma[c] * inverseStd[c] / count
                scale[c] = s * count
                shift[c] = s * Float(sumDy[c])
                slope[c] = s * Float(sumDyXhat[c])
            } else {
                scale[c] = gamma[c] * inverseStd[c]
            }
        }
        scale.withUnsafeBufferPointer { scale in
            shift.withUnsafeBufferPointer { shift in
                slope.withUnsafeBufferPointer { slope in
                    let (a, b, k) = (scale.baseAddress!, shift.baseAddress!, slope.baseAddress!)
                    Parallel.forEachChunk(count: batch, chunks: context.threads) { _, images in
                        let offset = images.lowerBound * area * channels
                        BatchNormKernels.backward(outputGradient + offset, input: input + offset, rows: images.count * area,
                                                  channels: channels, mean: mean, inverseStd: inverseStd, scale: a, shift: b, slope: k,
                                                  inputGradient: inputGradient + offset)
                    }
                }
            }
        }
    }
}
