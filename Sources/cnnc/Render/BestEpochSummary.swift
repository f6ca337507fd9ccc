import CNNRuntime

/// "best: epoch 7 by validation loss (0.0712), test accuracy 97.91%".
enum BestEpochSummary {
    static func render(_ best: EpochMetrics?, criterion: ModelSelection.Criterion) -> String {
        guard let best else { return "no epoch finished" }
        let value: String = switch criterion {
        case .validationLoss: best.validationLoss.map { Format.decimal($0, places: 4) } ?? "—"
        case .validationAccuracy: best.validationAccuracy.map(Format.percent) ?? "—"
        case .testAccuracy: Format.percent(best.testAccuracy)
        }
        let test = criterion == .testAccuracy ? "" : ", test accuracy \(Format.percent(best.testAccuracy))"
        return "best: epoch \(best.epoch) by \(criterion.rawValue) (\(value))\(test)"
    }
}
