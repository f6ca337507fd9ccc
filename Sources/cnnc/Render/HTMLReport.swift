import CNNAnalysis
import CNNData
import CNNIR
import CNNRuntime
import Foundation

/// `cnnc report`: one self-contained HTML page about a run (no script, no file or network it loads).
struct HTMLReport {
    var analysis: NetworkAnalysis
    var folder: String
    var record: RunRecord
    var specText: String
    var metrics: [MetricsRecorder.Row]
    /// Graphviz's SVG of the network, when `dot` is installed.
    var graphSVG: String?
    var curvesSVG: String?
    var weights: String
    var evaluation: Evaluation
    var classNames: [String]?
    /// The most confidently wrong test images, each with its pixels as a BMP.
    var mistakes: [(mistake: Evaluation.Mistake, bmp: Data)]

    func rendered() -> String {
        let net = analysis.network
        var html = """
            <!DOCTYPE html>
            <html lang="en"><head><meta charset="utf-8">
            <title>\(Self.escaped(net.name)) — cnnc report</title>
            <style>
            body { font: 14px/1.45 system-ui, sans-serif; margin: 24px auto; max-width: 1100px; padding: 0 16px; color: #222; }
            h1 { font-size: 22px; margin-bottom: 4px; } h2 { font-size: 17px; margin-top: 32px; border-bottom: 1px solid #ddd; }
            .sub { color: #666; } table { border-collapse: collapse; font-variant-numeric: tabular-nums; }
            td, th { padding: 2px 8px; text-align: right; } td.l, th.l { text-align: left; } tr:nth-child(even) td { background: #f7f7f7; }
            pre { background: #f5f5f5; padding: 10px; overflow-x: auto; font-size: 12px; }
            .figure { overflow: auto; border: 1px solid #eee; padding: 8px; } #graph { max-height: 900px; } .figure svg { max-width: 100%; height: auto; }
            .grid { display: grid; grid-template-columns: repeat(auto-fill, minmax(120px, 1fr)); gap: 12px; }
            .grid figure { margin: 0; text-align: center; font-size: 12px; }
            .grid img { width: 96px; height: 96px; image-rendering: pixelated; border: 1px solid #ccc; }
            .confusion td { min-width: 34px; } .confusion td.hit { font-weight: 600; }
            </style></head><body>
            <h1>\(Self.escaped(net.name))</h1>
            <div class="sub">run folder \(Self.escaped(folder)) · cnnc \(Self.escaped(record.cnncVersion)) · weights \(Self.escaped(weights))</div>

            """
        html += summary()
        html += "<h2>Curves</h2>\n" + (curvesSVG.map { "<div class=\"figure\" id=\"curves\">\(Self.inlineSVG($0))</div>\n" }
                                      ?? "<p>The run folder has no curves.svg.</p>\n")
        html += confusion()
        html += mistakesSection()
        html += layers()
        html += "<h2>Graph</h2>\n" + (graphSVG.map { "<div class=\"figure\" id=\"graph\">\(Self.inlineSVG($0))</div>\n" }
                                     ?? "<p>Graphviz's <code>dot</code> is not installed: no graph (Debian: apt-get install graphviz).</p>\n")
        html += "<h2>Spec</h2>\n<pre id=\"spec\">\(Self.escaped(specText))</pre>\n</body></html>\n"
        return html
    }

    private func summary() -> String {
        var rows: [(String, String)] = [
            ("input", analysis.network.input.description),
            ("parameters", "\(Format.grouped(analysis.trainableParameters)) (\(Format.human(analysis.trainableParameters)))"),
            ("multiply-adds per image", "\(Format.grouped(analysis.totalMultiplyAdds)) (\(Format.human(analysis.totalMultiplyAdds)))"),
            ("data", record.data),
            ("training", "\(Format.count(record.epochs, "epoch")) of batch \(record.batch), seed \(record.seed), \(Format.count(record.threads, "thread"))"),
        ]
        if let last = metrics.last {
            rows.append(("last epoch", "\(last.epoch): test accuracy \(Format.percent(last.testAccuracy)), train loss \(Format.decimal(last.trainLoss, places: 4))"))
            if let best = metrics.max(by: { $0.testAccuracy < $1.testAccuracy }) {
                rows.append(("best test accuracy", "\(Format.percent(best.testAccuracy)) (epoch \(best.epoch))"))
            }
        }
        rows.append(("these weights", "\(Format.percent(evaluation.accuracy)) on \(Format.count(evaluation.count, "test image")) "
                     + "(\(Format.grouped(evaluation.correct)) right), loss \(Format.decimal(evaluation.loss, places: 4))"))
        return "<h2>Summary</h2>\n<table id=\"summary\">\n" + rows.map { "<tr><th class=\"l\">\(Self.escaped($0.0))</th><td class=\"l\">\(Self.escaped($0.1))</td></tr>" }
            .joined(separator: "\n") + "\n</table>\n"
    }

    private func confusion() -> String {
        let matrix = evaluation.confusion
        let n = matrix.count
        let peak = max(matrix.enumerated().flatMap { i, row in row.enumerated().filter { $0.offset != i }.map(\.element) }.max() ?? 1, 1)
        var html = "<h2>Confusion matrix</h2>\n<p class=\"sub\">Rows: true class; columns: predicted. Off-diagonal cells shade with their count.</p>\n"
        html += "<table class=\"confusion\" id=\"confusion\"><tr><th class=\"l\">true \\ predicted</th>"
            + (0..<n).map { "<th title=\"\(Self.escaped(name($0)))\">\($0)</th>" }.joined() + "<th>recall</th></tr>\n"
        for (i, row) in matrix.enumerated() {
            let total = row.reduce(0, +)
            html += "<tr><th class=\"l\">\(Self.escaped(name(i)))</th>"
            for (j, count) in row.enumerated() {
                let shade = i == j || count == 0 ? "" : " style=\"background: rgba(220, 60, 40, \(Format.decimal(0.12 + 0.6 * Double(count) / Double(peak), places: 2)))\""
                html += "<td\(i == j ? " class=\"hit\"" : "")\(shade)>\(count)</td>"
            }
            html += "<td>\(total == 0 ? "-" : Format.percent(Double(row[i]) / Double(total)))</td></tr>\n"
        }
        return html + "</table>\n"
    }

    private func mistakesSection() -> String {
        var html = "<h2>Most confidently wrong</h2>\n"
        guard !mistakes.isEmpty else { return html + "<p>No test image is misclassified.</p>\n" }
        html += "<p class=\"sub\">The \(mistakes.count) test images the network was surest of and got wrong, surest first.</p>\n<div class=\"grid\" id=\"mistakes\">\n"
        for (mistake, bmp) in mistakes {
            html += "<figure><img alt=\"test image \(mistake.image)\" src=\"data:image/bmp;base64,\(bmp.base64EncodedString())\">"
                + "<figcaption>#\(mistake.image): true \(Self.escaped(name(mistake.label)))<br>predicted \(Self.escaped(name(mistake.predicted))) "
                + "(\(Format.decimal(Double(mistake.confidence) * 100, places: 1))%)</figcaption></figure>\n"
        }
        return html + "</div>\n"
    }

    private func layers() -> String {
        var html = "<h2>Layers</h2>\n<table id=\"layers\"><tr><th>#</th><th class=\"l\">layer</th><th class=\"l\">kind</th><th class=\"l\">output</th>"
            + "<th>params</th><th>MACs</th><th>share</th><th>RF</th></tr>\n"
        for (i, layer) in analysis.layers.enumerated() {
            for (depth, label, row) in LayerTree.rows(layer, label: "\(i + 1)") {
                html += "<tr><td>\(label)</td><td class=\"l\">\(String(repeating: "&nbsp;&nbsp;", count: depth))\(Self.escaped(row.name))</td>"
                    + "<td class=\"l\">\(Self.escaped(KindDescription.of(row)))</td><td class=\"l\">\(Format.output(row))</td>"
                    + "<td>\(Format.grouped(row.trainableParameters))</td><td>\(Format.grouped(row.multiplyAdds))</td>"
                    + "<td>\(row.multiplyAdds == 0 ? "" : Format.share(row.multiplyAdds, of: analysis.totalMultiplyAdds))</td>"
                    + "<td>\(row.receptiveField.sizeDescription)</td></tr>\n"
            }
        }
        return html + "</table>\n"
    }

    private func name(_ label: Int) -> String {
        ClassLabel.name(label, classNames).map { "\(label) \($0)" } ?? "\(label)"
    }

    /// An SVG file's markup without its XML prolog and doctype, to sit inside the HTML.
    static func inlineSVG(_ text: String) -> String {
        guard let start = text.range(of: "<svg") else { return escaped(text) }
        return String(text[start.lowerBound...])
    }

    static func escaped(_ text: String) -> String {
        var out = ""
        for character in text {
            switch character {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            default: out.append(character)
            }
        }
        return out
    }
}
