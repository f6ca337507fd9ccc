import CNNIR
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
    let buffers: [String: UnsafeMutableBufferPointer<Float>]
    let trainable: [ParameterStore.Entry]

    public init(_ config: OptimizerConfig, parameters: ParameterStore) {
        self.config = config
        trainable = parameters.entries.filter(\.spec.isTrainable)
        let names: [String] = switch config.kind {
        case .sgd: []
        case .momentum, .nesterov: ["velocity"]
        case .adagrad: ["sum_squares"]
        case .rmsprop: ["mean_square"]
        case .adam: ["m", "v"]
        }
        buffers = Dictionary(uniqueKeysWithValues: names.map { name in
            let buffer = UnsafeMutableBufferPointer<Float>.allocate(capacity: max(parameters.count, 1))
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
    public func step(_ parameters: ParameterStore, learningRate: Double) {
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

        for entry in trainable {
            let range = entry.offset..<(entry.offset + entry.count)
            let lambda = entry.spec.decays ? decay : 0
            switch config.kind {
            case .sgd:
                for i in range { w[i] -= lr * (g[i] + lambda * w[i]) }
            case .momentum:
                let v = buffers["velocity"]!
                for i in range { v[i] = mu * v[i] + g[i] + lambda * w[i]; w[i] -= lr * v[i] }
            case .nesterov:
                let v = buffers["velocity"]!
                for i in range {
                    let grad = g[i] + lambda * w[i]
                    v[i] = mu * v[i] + grad
                    w[i] -= lr * (grad + mu * v[i])
                }
            case .adagrad:
                let s = buffers["sum_squares"]!
                for i in range {
                    let grad = g[i] + lambda * w[i]
                    s[i] += grad * grad
                    w[i] -= lr * grad / (s[i].squareRoot() + eps)
                }
            case .rmsprop:
                let s = buffers["mean_square"]!
                for i in range {
                    let grad = g[i] + lambda * w[i]
                    s[i] = rho * s[i] + oneMinusRho * grad * grad
                    w[i] -= lr * grad / (s[i].squareRoot() + eps)
                }
            case .adam:
                let m = buffers["m"]!, v = buffers["v"]!
                for i in range {
                    let grad = g[i] + lambda * w[i]
                    m[i] = b1 * m[i] + oneMinusB1 * grad
                    v[i] = b2 * v[i] + oneMinusB2 * grad * grad
                    w[i] -= adamRate * m[i] / (v[i].squareRoot() + adamEps)
                }
            }
        }
    }
}
