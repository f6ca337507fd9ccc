import CNNAnalysis
import CNNIR
import CNNRuntime
import Foundation

/// Keeps a run's per-epoch metrics in `metrics.csv` and redraws `curves.svg` after every epoch.
final class MetricsRecorder {
    struct Row {
        var epoch: Int, learningRate: Double, trainLoss: Double, trainAccuracy: Double
        var validationAccuracy: Double?, testLoss: Double, testAccuracy: Double, seconds: Double, imagesPerSecond: Double
        var validationLoss: Double? = nil
    }

    /// validation_loss came last, after the columns of earlier versions, whose positions stay.
    static let header = "epoch,learning_rate,train_loss,train_accuracy,validation_accuracy,test_loss,test_accuracy,seconds,images_per_second,validation_loss"
    let folder: String
    /// The loss panel's name for the training loss, which is measured in training mode: "train", with what makes it
    /// differ from the test loss beyond the data (`trainLossLabel`).
    let trainLossLabel: String
    private(set) var rows: [Row] = []

    /// `history`: the epochs already finished (a resumed run's, from its resume point). metrics.csv and
    /// curves.svg are rewritten from it at once, so they hold each finished epoch exactly once.
    init(folder: String, history: [EpochMetrics], trainLossLabel: String = "train") {
        self.folder = folder
        self.trainLossLabel = trainLossLabel
        rows = history.map(Self.row)
        if !rows.isEmpty { write() }
    }

    func record(_ m: EpochMetrics) {
        rows.removeAll { $0.epoch >= m.epoch }
        rows.append(Self.row(m))
        write()
    }

    /// "train", plus "dropout on" when the network has dropout and "label-smoothed" when the loss is, the two ways the
    /// training loss is computed differently from the test loss.
    static func trainLossLabel(_ analysis: NetworkAnalysis, _ config: TrainingConfig) -> String {
        var notes: [String] = []
        if analysis.allLayers.contains(where: { if case .dropout = $0.layer.kind { true } else { false } }) { notes.append("dropout on") }
        if config.labelSmoothing > 0 { notes.append("label-smoothed") }
        return notes.isEmpty ? "train" : "train (\(notes.joined(separator: ", ")))"
    }

    static func row(_ m: EpochMetrics) -> Row {
        Row(epoch: m.epoch, learningRate: m.learningRate, trainLoss: m.trainLoss, trainAccuracy: m.trainAccuracy,
            validationAccuracy: m.validationAccuracy, testLoss: m.testLoss, testAccuracy: m.testAccuracy,
            seconds: m.seconds, imagesPerSecond: m.imagesPerSecond, validationLoss: m.validationLoss)
    }

    private func write() {
        let csv = ([Self.header] + rows.map { r in
            ["\(r.epoch)", "\(r.learningRate)", "\(r.trainLoss)", "\(r.trainAccuracy)", r.validationAccuracy.map { "\($0)" } ?? "",
             "\(r.testLoss)", "\(r.testAccuracy)", Format.decimal(r.seconds, places: 3), Format.decimal(r.imagesPerSecond, places: 1),
             r.validationLoss.map { "\($0)" } ?? ""]
                .joined(separator: ",")
        }).joined(separator: "\n") + "\n"
        try? AtomicFile.write(Data(csv.utf8), to: folder + "/metrics.csv")
        try? AtomicFile.write(Data(CurvesSVG.render(rows, trainLossLabel: trainLossLabel).utf8), to: folder + "/curves.svg")
    }

    static func parse(_ line: Substring) -> Row? {
        let f = line.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
        guard f.count == 9 || f.count == 10, let epoch = Int(f[0]) else { return nil }
        return Row(epoch: epoch, learningRate: Double(f[1]) ?? 0, trainLoss: Double(f[2]) ?? 0, trainAccuracy: Double(f[3]) ?? 0,
                   validationAccuracy: Double(f[4]), testLoss: Double(f[5]) ?? 0, testAccuracy: Double(f[6]) ?? 0,
                   seconds: Double(f[7]) ?? 0, imagesPerSecond: Double(f[8]) ?? 0, validationLoss: f.count == 10 ? Double(f[9]) : nil)
    }
}

/// Loss and accuracy by epoch as an SVG a person can open in a browser: ticks at round values and at whole
/// epochs, train, validation (when the run has a split) and test curves, and the legend under each panel, where it
/// covers no line.
enum CurvesSVG {
    static func render(_ rows: [MetricsRecorder.Row], trainLossLabel: String = "train") -> String {
        let panelWidth = 420.0, panelHeight = 260.0, margin = 60.0, top = 40.0, bottom = 70.0
        var svg = """
            <svg xmlns="http://www.w3.org/2000/svg" width="\(Int(2 * panelWidth + 3 * margin))" height="\(Int(panelHeight + top + bottom))" font-family="sans-serif" font-size="12">
            <rect width="100%" height="100%" fill="white"/>

            """
        let epochs = rows.map { Double($0.epoch) }
        let maxEpoch = max(epochs.max() ?? 1, 1)
        let losses = rows.flatMap { [$0.trainLoss, $0.testLoss] + ($0.validationLoss.map { [$0] } ?? []) }.filter(\.isFinite)
        let accuracies = rows.flatMap { [$0.trainAccuracy, $0.testAccuracy] + ($0.validationAccuracy.map { [$0] } ?? []) }.filter(\.isFinite)
        let lossTicks = Self.ticks(from: 0, to: max(losses.max() ?? 1, 1e-6))
        let accuracyTicks = Self.ticks(from: min(accuracies.min() ?? 0, 0.99), to: 1)
        let epochTicks = Self.epochTicks(Int(maxEpoch))
        func panel(x0: Double, title: String, ticks: [Double], series: [(String, String, [Double?])], percent: Bool) {
            let (yMin, yMax) = (ticks.first ?? 0, ticks.last ?? 1)
            let y0 = top
            func x(_ epoch: Double) -> Double { x0 + (maxEpoch == 1 ? panelWidth / 2 : panelWidth * (epoch - 1) / (maxEpoch - 1)) }
            func y(_ v: Double) -> Double { y0 + panelHeight - panelHeight * (min(max(v, yMin), yMax) - yMin) / max(yMax - yMin, 1e-12) }
            svg += "<text x=\"\(x0 + panelWidth / 2)\" y=\"\(y0 - 15)\" text-anchor=\"middle\" font-size=\"14\">\(title)</text>\n"
            for v in ticks {
                let label = percent ? Self.label(v * 100) + "%" : Self.label(v)
                svg += "<line x1=\"\(x0)\" y1=\"\(y(v))\" x2=\"\(x0 + panelWidth)\" y2=\"\(y(v))\" stroke=\"#eee\"/>\n"
                svg += "<text x=\"\(x0 - 6)\" y=\"\(y(v) + 4)\" text-anchor=\"end\">\(label)</text>\n"
            }
            for e in epochTicks {
                svg += "<line x1=\"\(x(Double(e)))\" y1=\"\(y0 + panelHeight)\" x2=\"\(x(Double(e)))\" y2=\"\(y0 + panelHeight + 5)\" stroke=\"#888\"/>\n"
                svg += "<text x=\"\(x(Double(e)))\" y=\"\(y0 + panelHeight + 18)\" text-anchor=\"middle\">\(e)</text>\n"
            }
            svg += "<rect x=\"\(x0)\" y=\"\(y0)\" width=\"\(panelWidth)\" height=\"\(panelHeight)\" fill=\"none\" stroke=\"#888\"/>\n"
            svg += "<text x=\"\(x0 + panelWidth / 2)\" y=\"\(y0 + panelHeight + 36)\" text-anchor=\"middle\">epoch</text>\n"
            var legendX = x0
            for (name, color, values) in series {
                let points = zip(epochs, values).compactMap { e, v -> (Double, Double)? in
                    guard let v, v.isFinite else { return nil }
                    return (x(e), y(v))
                }
                guard !points.isEmpty else { continue }
                let text = points.map { "\(Format.decimal($0.0, places: 1)),\(Format.decimal($0.1, places: 1))" }.joined(separator: " ")
                svg += "<polyline fill=\"none\" stroke=\"\(color)\" stroke-width=\"2\" points=\"\(text)\"/>\n"
                for p in points {
                    svg += "<circle cx=\"\(Format.decimal(p.0, places: 1))\" cy=\"\(Format.decimal(p.1, places: 1))\" r=\"2.5\" fill=\"\(color)\"/>\n"
                }
                // Under the panel, in one row, in the order train, validation, test.
                let ly = y0 + panelHeight + 58
                svg += "<line x1=\"\(legendX)\" y1=\"\(ly - 4)\" x2=\"\(legendX + 20)\" y2=\"\(ly - 4)\" stroke=\"\(color)\" stroke-width=\"2\"/>"
                svg += "<text x=\"\(legendX + 25)\" y=\"\(ly)\">\(name)</text>\n"
                legendX += 45 + 7 * Double(name.count)
            }
        }
        panel(x0: margin, title: "loss", ticks: lossTicks,
              series: [(trainLossLabel, "#1f77b4", rows.map { $0.trainLoss }), ("validation", "#2ca02c", rows.map { $0.validationLoss }),
                       ("test", "#d62728", rows.map { $0.testLoss })], percent: false)
        panel(x0: 2 * margin + panelWidth, title: "accuracy", ticks: accuracyTicks,
              series: [("train", "#1f77b4", rows.map { $0.trainAccuracy }), ("validation", "#2ca02c", rows.map { $0.validationAccuracy }),
                       ("test", "#d62728", rows.map { $0.testAccuracy })], percent: true)
        return svg + "</svg>\n"
    }

    /// Round tick values covering [low, high]: a step of 1, 2, 2.5 or 5 × 10^k giving at most 6 intervals.
    static func ticks(from low: Double, to high: Double) -> [Double] {
        guard low.isFinite, high.isFinite, high > low else { return low.isFinite ? [low, low + 1] : [0, 1] }
        let span = high - low
        let raw = span / 5
        var magnitude = 1.0
        while magnitude * 10 <= raw { magnitude *= 10 }
        while magnitude > raw { magnitude /= 10 }
        let step = [1.0, 2, 2.5, 5, 10].map { $0 * magnitude }.first { span / $0 <= 6 } ?? 10 * magnitude
        let first = Int((low / step + 1e-9).rounded(.down)), last = Int((high / step - 1e-9).rounded(.up))
        // k·step, with the float noise of the product rounded away (0.6, not 0.6000000000000001).
        return (first...max(last, first + 1)).map { k in (Double(k) * step * 1e9).rounded() / 1e9 }
    }

    /// Whole epochs to mark: every one up to 10, else every 2, 5, 10, 20, … from 1, so that at most ~10 show.
    static func epochTicks(_ epochs: Int) -> [Int] {
        guard epochs > 10 else { return Array(1...max(epochs, 1)) }
        let step = [2, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1000].first { epochs / $0 <= 10 } ?? epochs / 10
        return [1] + stride(from: step, through: epochs, by: step).map { $0 }
    }

    /// 0.5 -> "0.5", 2 -> "2", 0.25 -> "0.25", 97.5 -> "97.5".
    static func label(_ value: Double) -> String {
        for places in 0...4 {
            let text = Format.decimal(value, places: places)
            if abs((Double(text) ?? value) - value) < 1e-9 * max(1, abs(value)) { return text }
        }
        return Format.decimal(value, places: 4)
    }
}
