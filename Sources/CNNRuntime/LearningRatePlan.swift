import CNNIR
import Foundation

/// The learning rate of every step: the schedule (by epoch, by step for one-cycle, or replayed over the finished
/// epochs for plateau), times the linear warm-up. A function of the configuration, the position and the history
/// alone, so a resumed run follows exactly the rates of an uninterrupted one with no state of its own.
public struct LearningRatePlan: Sendable {
    public let config: TrainingConfig
    public let stepsPerEpoch: Int

    public init(_ config: TrainingConfig, stepsPerEpoch: Int) {
        self.config = config
        self.stepsPerEpoch = max(stepsPerEpoch, 1)
    }

    /// The rate of step `step` (0-based) of epoch `epoch` (0-based), `history` holding the finished epochs.
    public func rate(epoch: Int, step: Int, history: [EpochMetrics]) -> Double {
        let base = config.optimizer.learningRate
        let global = epoch * stepsPerEpoch + step
        var rate: Double
        switch config.schedule {
        case .plateau(let factor, let patience, let threshold, let minimum):
            rate = Self.plateau(base: base, factor: factor, patience: patience, threshold: threshold, minimum: minimum,
                                monitored: history.prefix(epoch).map { $0.validationLoss ?? $0.trainLoss })
        case .oneCycle(let fraction, let div, let finalDiv):
            rate = Self.oneCycle(peak: base, step: global, total: config.epochs * stepsPerEpoch, fraction: fraction, div: div, finalDiv: finalDiv)
        default:
            rate = config.schedule.learningRate(base: base, epoch: epoch, epochs: config.epochs)
        }
        if config.warmupEpochs > 0 {
            let warmupSteps = max(1, Int((config.warmupEpochs * Double(stepsPerEpoch)).rounded(.up)))
            if global < warmupSteps { rate *= Double(global + 1) / Double(warmupSteps) }
        }
        return rate
    }

    /// ReduceLROnPlateau(mode: min, threshold_mode: rel, cooldown: 0) stepped once per finished epoch.
    static func plateau(base: Double, factor: Double, patience: Int, threshold: Double, minimum: Double, monitored: [Double]) -> Double {
        var rate = base, best = Double.infinity, bad = 0
        for value in monitored {
            if value < best * (1 - threshold) {
                best = value
                bad = 0
            } else {
                bad += 1
            }
            if bad > patience {
                rate = max(rate * factor, minimum)
                bad = 0
            }
        }
        return rate
    }

    /// OneCycleLR(anneal_strategy: cos, three_phase: false) at step `step` of `total`.
    static func oneCycle(peak: Double, step: Int, total: Int, fraction: Double, div: Double, finalDiv: Double) -> Double {
        let initial = peak / div, minimum = initial / finalDiv
        let up = max(fraction * Double(total) - 1, 1), end = Double(max(total - 1, 1))
        func anneal(_ start: Double, _ stop: Double, _ pct: Double) -> Double { stop + (start - stop) / 2 * (cos(Double.pi * pct) + 1) }
        let t = Double(step)
        if t <= up { return anneal(initial, peak, t / up) }
        return anneal(peak, minimum, min((t - up) / max(end - up, 1), 1))
    }
}
