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

/// Loss and accuracy by epoch as an SVG a person can open in a browser.
enum CurvesSVG {
    static func render(_ rows: [MetricsRecorder.Row], trainLossLabel: String = "train") -> String {
        let panelWidth = 420.0, panelHeight = 260.0, margin = 50.0
        var svg = """
            <svg xmlns="http://www.w3.org/2000/svg" width="\(Int(2 * panelWidth + 3 * margin))" height="\(Int(panelHeight + 2 * margin))" font-family="sans-serif" font-size="12">
            <rect width="100%" height="100%" fill="white"/>

            """
        let epochs = rows.map { Double($0.epoch) }
        let maxEpoch = max(epochs.max() ?? 1, 1)
        let losses = rows.flatMap { [$0.trainLoss, $0.testLoss] + ($0.validationLoss.map { [$0] } ?? []) }.filter(\.isFinite)
        let accuracies = rows.flatMap { [$0.trainAccuracy, $0.testAccuracy] + ($0.validationAccuracy.map { [$0] } ?? []) }
        let lossMax = max(losses.max() ?? 1, 1e-6) * 1.05
        let accMin = max(0, ((accuracies.min() ?? 0) * 100 - 1).rounded(.down) / 100)
        func panel(x0: Double, title: String, yMin: Double, yMax: Double, series: [(String, String, [Double?])], percent: Bool,
                   legendAtBottom: Bool) {
            var legendRow = 0
            let y0 = margin
            // Wide enough for the longest name (~7 px a character at 12 px sans-serif), so it stays inside the panel.
            let legendWidth = max(150, 35 + 7 * Double(series.map(\.0.count).max() ?? 0))
            svg += "<text x=\"\(x0 + panelWidth / 2)\" y=\"\(y0 - 15)\" text-anchor=\"middle\" font-size=\"14\">\(title)</text>\n"
            svg += "<rect x=\"\(x0)\" y=\"\(y0)\" width=\"\(panelWidth)\" height=\"\(panelHeight)\" fill=\"none\" stroke=\"#888\"/>\n"
            for i in 0...4 {
                let v = yMin + (yMax - yMin) * Double(i) / 4
                let y = y0 + panelHeight - panelHeight * Double(i) / 4
                let label = percent ? Format.decimal(v * 100, places: 1) + "%" : Format.decimal(v, places: 3)
                svg += "<line x1=\"\(x0)\" y1=\"\(y)\" x2=\"\(x0 + panelWidth)\" y2=\"\(y)\" stroke=\"#eee\"/>\n"
                svg += "<text x=\"\(x0 - 5)\" y=\"\(y + 4)\" text-anchor=\"end\">\(label)</text>\n"
            }
            svg += "<text x=\"\(x0 + panelWidth / 2)\" y=\"\(y0 + panelHeight + 30)\" text-anchor=\"middle\">epoch (1–\(Int(maxEpoch)))</text>\n"
            for (name, color, values) in series {
                let points = zip(epochs, values).compactMap { e, v -> String? in
                    guard let v, v.isFinite else { return nil }
                    let x = x0 + (maxEpoch == 1 ? panelWidth / 2 : panelWidth * (e - 1) / (maxEpoch - 1))
                    let y = y0 + panelHeight - panelHeight * (min(max(v, yMin), yMax) - yMin) / max(yMax - yMin, 1e-9)
                    return "\(Format.decimal(x, places: 1)),\(Format.decimal(y, places: 1))"
                }
                guard !points.isEmpty else { continue }
                svg += "<polyline fill=\"none\" stroke=\"\(color)\" stroke-width=\"2\" points=\"\(points.joined(separator: " "))\"/>\n"
                for p in points { svg += "<circle cx=\"\(p.split(separator: ",")[0])\" cy=\"\(p.split(separator: ",")[1])\" r=\"2.5\" fill=\"\(color)\"/>\n" }
                let ly = legendAtBottom ? y0 + panelHeight - 12 - 16 * Double(legendRow) : y0 + 15 + 16 * Double(legendRow)
                legendRow += 1
                let legendX = x0 + panelWidth - legendWidth
                svg += "<line x1=\"\(legendX)\" y1=\"\(ly - 4)\" x2=\"\(legendX + 20)\" y2=\"\(ly - 4)\" stroke=\"\(color)\" stroke-width=\"2\"/>"
                svg += "<text x=\"\(legendX + 25)\" y=\"\(ly)\">\(name)</text>\n"
            }
        }
        panel(x0: margin, title: "loss", yMin: 0, yMax: lossMax,
              series: [(trainLossLabel, "#1f77b4", rows.map { $0.trainLoss }), ("validation", "#2ca02c", rows.map { $0.validationLoss }),
                       ("test", "#d62728", rows.map { $0.testLoss })],
              percent: false, legendAtBottom: false)
        panel(x0: 2 * margin + panelWidth, title: "accuracy", yMin: accMin, yMax: 1,
              series: [("train", "#1f77b4", rows.map { $0.trainAccuracy }), ("validation", "#2ca02c", rows.map { $0.validationAccuracy }),
                       ("test", "#d62728", rows.map { $0.testAccuracy })], percent: true, legendAtBottom: true)
        return svg + "</svg>\n"
    }
}
