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
public final class BatchNormLayer: RuntimeLayer {
    public let facts: LayerAnalysis
    let config: BatchNorm
    let channels: Int, area: Int
    var gamma: UnsafeMutablePointer<Float>!, beta: UnsafeMutablePointer<Float>!
    var runningMean: UnsafeMutablePointer<Float>!, runningVariance: UnsafeMutablePointer<Float>!
    var gammaGradient: UnsafeMutablePointer<Float>!, betaGradient: UnsafeMutablePointer<Float>!
    /// `[N, C, H, W]` normalised inputs x̂ of the last forward pass.
    let normalized: UnsafeMutablePointer<Float>
    /// `[C]` 1 / √(σ² + ε) of the last forward pass (batch σ² in training, running σ² in inference).
    let inverseStd: UnsafeMutablePointer<Float>

    init(_ facts: LayerAnalysis, config: BatchNorm, batchCapacity: Int) {
        self.facts = facts
        self.config = config
        channels = facts.input.channels
        area = facts.input.height * facts.input.width
        normalized = .allocate(capacity: batchCapacity * facts.input.count)
        normalized.initialize(repeating: 0, count: batchCapacity * facts.input.count)
        inverseStd = .allocate(capacity: channels)
        inverseStd.initialize(repeating: 1, count: channels)
    }

    deinit {
        normalized.deallocate()
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

    public func forward(input: UnsafePointer<Float>, output: UnsafeMutablePointer<Float>, batch: Int, context: StepContext) {
        let eps = Float(config.epsilon), momentum = Float(config.momentum)
        let count = batch * area
        Parallel.forEachChunk(count: channels, chunks: context.threads) { _, range in
            for c in range {
                let mean: Float, invStd: Float
                if context.training {
                    var sum: Double = 0, squares: Double = 0
                    for n in 0..<batch {
                        let x = input + (n * channels + c) * area
                        for k in 0..<area { sum += Double(x[k]); squares += Double(x[k]) * Double(x[k]) }
                    }
                    let mu = sum / Double(count)
                    let variance = max(squares / Double(count) - mu * mu, 0)
                    mean = Float(mu)
                    invStd = 1 / (Float(variance) + eps).squareRoot()
                    inverseStd[c] = invStd
                    let unbiased = count > 1 ? variance * Double(count) / Double(count - 1) : variance
                    runningMean[c] = (1 - momentum) * runningMean[c] + momentum * mean
                    runningVariance[c] = (1 - momentum) * runningVariance[c] + momentum * Float(unbiased)
                } else {
                    mean = runningMean[c]
                    invStd = 1 / (runningVariance[c] + eps).squareRoot()
                    inverseStd[c] = invStd
                }
                let g = gamma[c], b = beta[c]
                for n in 0..<batch {
                    let offset = (n * channels + c) * area
                    let x = input + offset, y = output + offset, xhat = normalized + offset
                    for k in 0..<area {
                        let v = (x[k] - mean) * invStd
                        xhat[k] = v
                        y[k] = g * v + b
                    }
                }
            }
        }
    }

    public func backward(input: UnsafePointer<Float>, output: UnsafePointer<Float>, outputGradient: UnsafePointer<Float>,
                         inputGradient: UnsafeMutablePointer<Float>?, batch: Int, context: StepContext) {
        let count = Float(batch * area)
        Parallel.forEachChunk(count: channels, chunks: context.threads) { _, range in
            for c in range {
                var sumDy: Float = 0, sumDyXhat: Float = 0
                for n in 0..<batch {
                    let offset = (n * channels + c) * area
                    let dy = outputGradient + offset, xhat = normalized + offset
                    for k in 0..<area { sumDy += dy[k]; sumDyXhat += dy[k] * xhat[k] }
                }
                gammaGradient[c] += sumDyXhat
                betaGradient[c] += sumDy
                guard let inputGradient else { continue }
                if !context.training {
                    // Running statistics are constants: dx = γ/σ · dy.
                    let scale = gamma[c] * inverseStd[c]
                    for n in 0..<batch {
                        let offset = (n * channels + c) * area
                        for k in 0..<area { inputGradient[offset + k] = scale * outputGradient[offset + k] }
                    }
                    continue
                }
                // dx = γ/(M·σ) · (M·dy − Σdy − x̂·Σ(dy·x̂))
                let scale = gamma[c] * inverseStd[c] / count
                for n in 0..<batch {
                    let offset = (n * channels + c) * area
                    let dy = outputGradient + offset, xhat = normalized + offset, dx = inputGradient + offset
                    for k in 0..<area { dx[k] = scale * (count * dy[k] - sumDy - xhat[k] * sumDyXhat) }
                }
            }
        }
    }
}
