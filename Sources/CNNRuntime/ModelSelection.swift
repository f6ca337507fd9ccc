import CNNIR

/// Which epoch is "best" and when a run stops early, from the finished epochs: by `train.early_stop`'s metric when it
/// is set, else by validation accuracy, else by test accuracy.
public struct ModelSelection: Sendable {
    public let earlyStop: EarlyStop?

    public init(_ config: TrainingConfig) { earlyStop = config.earlyStop }

    public enum Criterion: String, Sendable {
        case validationLoss = "validation loss", validationAccuracy = "validation accuracy", testAccuracy = "test accuracy"
    }

    /// What "best" is chosen by.
    public func criterion(hasValidation: Bool) -> Criterion {
        switch earlyStop?.metric {
        case .validationLoss: .validationLoss
        case .validationAccuracy: .validationAccuracy
        case nil: hasValidation ? .validationAccuracy : .testAccuracy
        }
    }

    /// Larger is better.
    public func score(_ m: EpochMetrics) -> Double {
        switch earlyStop?.metric {
        case .validationLoss: -(m.validationLoss ?? .infinity)
        case .validationAccuracy: m.validationAccuracy ?? -1
        case nil: m.validationAccuracy ?? m.testAccuracy
        }
    }

    /// Whether `m` beats the best score so far: by more than `min_delta` when early stopping sets one (Keras'
    /// rule, so "best" and "did not improve" agree).
    public func improves(_ m: EpochMetrics, on best: Double?) -> Bool {
        guard let best else { return true }
        return score(m) > best + (earlyStop?.minDelta ?? 0)
    }

    /// The best epoch so far (the first of equals), as `best.safetensors` holds it.
    public func best(_ history: [EpochMetrics]) -> EpochMetrics? {
        var best: EpochMetrics?
        for m in history where improves(m, on: best.map(score)) { best = m }
        return best
    }

    /// Whether the last `patience` epochs all failed to beat the best before them by more than `min_delta`.
    public func shouldStop(_ history: [EpochMetrics]) -> Bool {
        guard let earlyStop, history.count > earlyStop.patience else { return false }
        var best: Double?, sinceBest = 0
        for m in history {
            if improves(m, on: best) {
                best = score(m)
                sinceBest = 0
            } else {
                sinceBest += 1
            }
        }
        return sinceBest >= earlyStop.patience
    }
}
