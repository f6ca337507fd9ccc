import CNNIR
import CNNKernels
#if canImport(Glibc)
import Glibc
#endif

/// Updates trainable parameters from their gradients. Optimizers live outside layers and walk the
/// arena; their state (moments, velocities) is arena-shaped so it can be checkpointed as tensors.
public final class Optimizer {
    public let config: OptimizerConfig
    /// Steps taken so far (Adam's bias correction needs it).
    public private(set) var steps: Int = 0
    /// Named state buffers, each `parameters.count` floats: "velocity", "m", "v", "sum_squares", "mean_square".
    /// Frozen layers' tensors have no slots: the state is the arena without them (the arena itself when nothing is frozen).
    let buffers: [String: UnsafeMutableBufferPointer<Float>]
    /// The entries updated (trainable, not frozen), each with the offset of its state.
    let updated: [(entry: ParameterStore.Entry, state: Int)]

    public init(_ config: OptimizerConfig, parameters: ParameterStore) {
        self.config = config
        var updated: [(entry: ParameterStore.Entry, state: Int)] = []
        var skipped = 0
        for entry in parameters.entries {
            if entry.frozen { skipped += entry.count; continue }
            if entry.spec.isTrainable { updated.append((entry, entry.offset - skipped)) }
        }
        self.updated = updated
        let stateCount = parameters.count - skipped
        let names: [String] = switch config.kind {
        case .sgd: []
        case .momentum, .nesterov: ["velocity"]
        case .adagrad: ["sum_squares"]
        case .rmsprop: ["mean_square"]
        case .adam, .adamw: ["m", "v"]
        }
        buffers = Dictionary(uniqueKeysWithValues: names.map { name in
            let buffer = UnsafeMutableBufferPointer<Float>.allocate(capacity: max(stateCount, 1))
            buffer.initialize(repeating: 0)
            return (name, buffer)
        })
    }

    deinit { buffers.values.forEach { $0.deallocate() } }

    /// A copy of the state tensors, for checkpoints.
    public var state: [String: [Float]] { buffers.mapValues { Array($0) } }

    /// Restores `steps` and state tensors saved by `checkpointState`.
    public func restore(steps: Int, state: [String: [Float]]) throws(CheckpointError) {
        for (name, buffer) in buffers {
            guard let saved = state[name], saved.count == buffer.count else {
                throw .mismatch(what: "optimizer state '\(name)'", reason: "missing or of the wrong size")
            }
        }
        for (name, buffer) in buffers { _ = buffer.update(from: state[name]!) }
        self.steps = steps
    }

    /// One update with learning rate `lr`. Weight decay adds λ·w to the gradient of weights (not biases).
    public func step(_ parameters: ParameterStore, learningRate: Double, threads: Int = 1) {
        steps += 1
        parameters.markChanged()
        let w = parameters.values.baseAddress!, g = parameters.gradients.baseAddress!
        let decay = Float(config.weightDecay)
        let lr = Float(learningRate), eps = Float(config.epsilon)
        let mu = Float(config.momentum), rho = Float(config.rho)
        // The coefficients 1 − β are computed in Double and then rounded, as PyTorch does: Float(1 − 0.999)
        // is 0.001, whereas 1 − Float(0.999) is 0.00099998713, which would no longer match the bias
        // correction 1 − β₂ᵗ below and make every early Adam step 6.7e-6 too long.
        let b1 = Float(config.beta1), b2 = Float(config.beta2)
        let oneMinusB1 = Float(1 - config.beta1), oneMinusB2 = Float(1 - config.beta2), oneMinusRho = Float(1 - config.rho)
        // Adam's bias corrections folded into the step size.
        let correction1 = 1 - pow(config.beta1, Double(steps)), correction2 = 1 - pow(config.beta2, Double(steps))
        let adamRate = Float(learningRate * correction2.squareRoot() / correction1)
        let adamEps = Float(config.epsilon * correction2.squareRoot())

        for (entry, stateOffset) in updated {
            // `lr_scale`: this layer's step is scaled (1 leaves the arithmetic exactly as without it).
            let scale = entry.learningRateScale
            let lr = scale == 1 ? lr : Float(learningRate * scale)
            let adamRate = scale == 1 ? adamRate : Float(learningRate * scale * correction2.squareRoot() / correction1)
            let (w, g) = (w + entry.offset, g + entry.offset)
            let n = entry.count
            func state(_ name: String) -> UnsafeMutablePointer<Float> { buffers[name]!.baseAddress! + stateOffset }
            let lambda = entry.spec.decays ? decay : 0
            // Every element is updated on its own: any split over the threads gives the same values.
            Parallel.forEachElementRange(count: n, chunks: threads) { range in
                switch config.kind {
                case .sgd:
                    for i in range { w[i] -= lr * (g[i] + lambda * w[i]) }
                case .momentum:
                    let v = state("velocity")
                    for i in range { v[i] = mu * v[i] + g[i] + lambda * w[i]; w[i] -= lr * v[i] }
                case .nesterov:
                    let v = state("velocity")
                    for i in range {
                        let grad = g[i] + lambda * w[i]
                        v[i] = mu * v[i] + grad
                        w[i] -= lr * (grad + mu * v[i])
                    }
                case .adagrad:
                    let s = state("sum_squares")
                    for i in range {
                        let grad = g[i] + lambda * w[i]
                        s[i] += grad * grad
                        w[i] -= lr * grad / (s[i].squareRoot() + eps)
                    }
                case .rmsprop:
                    let s = state("mean_square")
                    for i in range {
                        let grad = g[i] + lambda * w[i]
                        s[i] = rho * s[i] + oneMinusRho * grad * grad
                        w[i] -= lr * grad / (s[i].squareRoot() + eps)
                    }
                case .adam:
                    let m = state("m"), v = state("v")
                    for i in range {
                        let grad = g[i] + lambda * w[i]
                        m[i] = b1 * m[i] + oneMinusB1 * grad
                        v[i] = b2 * v[i] + oneMinusB2 * grad * grad
                        w[i] -= adamRate * m[i] / (v[i].squareRoot() + adamEps)
                    }
                case .adamw:
                    // Decoupled weight decay (Loshchilov & Hutter; PyTorch's AdamW): the weights shrink by lr·λ
                    // before the Adam step, and the decay never enters the moments.
                    let m = state("m"), v = state("v")
                    let shrink = 1 - lr * lambda
                    for i in range {
                        w[i] *= shrink
                        m[i] = b1 * m[i] + oneMinusB1 * g[i]
                        v[i] = b2 * v[i] + oneMinusB2 * g[i] * g[i]
                        w[i] -= adamRate * m[i] / (v[i].squareRoot() + adamEps)
                    }
                }
            }
        }
    }
}
