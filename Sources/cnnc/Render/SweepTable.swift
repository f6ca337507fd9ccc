import CNNRuntime

/// A sweep's results, best first: each axis's value, parameters, multiply-adds, receptive field, epochs, best
/// validation accuracy, the test accuracy of the best epoch, and the training time; as a terminal table, CSV and Markdown.
struct SweepTable {
    let plan: SweepPlan

    /// Finished runs by best validation accuracy (else test accuracy), then the unfinished in plan order.
    var ordered: [SweepPlan.Run] {
        let finished = plan.runs.filter { $0.result != nil }.sorted { a, b in
            let (x, y) = (a.result!, b.result!)
            return (x.bestValidationAccuracy ?? x.testAccuracy, x.testAccuracy) > (y.bestValidationAccuracy ?? y.testAccuracy, y.testAccuracy)
        }
        return finished + plan.runs.filter { $0.result == nil }
    }

    var header: [String] {
        ["run"] + plan.axes.map(\.path) + ["params", "MACs", "RF", "epochs", "best val acc", "test acc", "time"]
    }

    func cells(_ run: SweepPlan.Run) -> [String] {
        let values = run.overrides.map { String($0.split(separator: "=", maxSplits: 1).last ?? "") }
        guard let r = run.result else { return [run.folderName] + values + ["", "", "", "", "", "not finished", ""] }
        return [run.folderName] + values + [Format.grouped(r.parameters), Format.grouped(r.multiplyAdds), r.receptiveField, "\(r.epochs)",
                                            r.bestValidationAccuracy.map(Format.percent) ?? "—", Format.percent(r.testAccuracy),
                                            Format.duration(r.seconds)]
    }

    func terminal() -> String {
        let rows = [header] + ordered.map(cells)
        let widths = header.indices.map { column in rows.map { $0[column].count }.max() ?? 0 }
        return rows.map { row in
            row.enumerated().map { column, cell in
                column == 0 || column <= plan.axes.count ? cell.padding(toLength: widths[column], withPad: " ", startingAt: 0)
                    : String(repeating: " ", count: widths[column] - cell.count) + cell
            }.joined(separator: "  ")
        }.joined(separator: "\n")
    }

    func markdown() -> String {
        let rule = header.enumerated().map { $0.offset <= plan.axes.count ? "---" : "---:" }
        return ([header, rule] + ordered.map(cells)).map { "| " + $0.joined(separator: " | ") + " |" }.joined(separator: "\n") + "\n"
    }

    func csv() -> String {
        let head = ["run"] + plan.axes.map(\.path) + ["params", "macs", "receptive_field", "epochs", "best_validation_accuracy",
                                                      "test_accuracy", "seconds"]
        let rows = ordered.map { run -> [String] in
            let values = run.overrides.map { "\"" + String($0.split(separator: "=", maxSplits: 1).last ?? "").replacingOccurrences(of: "\"", with: "\"\"") + "\"" }
            guard let r = run.result else { return [run.folderName] + values + ["", "", "", "", "", "", ""] }
            return [run.folderName] + values + ["\(r.parameters)", "\(r.multiplyAdds)", r.receptiveField, "\(r.epochs)",
                                                r.bestValidationAccuracy.map { "\($0)" } ?? "", "\(r.testAccuracy)", "\(r.seconds)"]
        }
        return ([head] + rows).map { $0.joined(separator: ",") }.joined(separator: "\n") + "\n"
    }

    /// "test 97.12% (best val 97.50%), 42.1 s".
    static func summary(_ r: SweepResult) -> String {
        "test \(Format.percent(r.testAccuracy))" + (r.bestValidationAccuracy.map { " (best val \(Format.percent($0)))" } ?? "")
            + ", \(Format.duration(r.seconds)) over \(Format.count(r.epochs, "epoch"))"
    }
}
