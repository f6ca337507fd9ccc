import CNNData

/// A confusion matrix, rows true labels (with their names when known), columns predictions (numbers, to stay narrow).
enum ConfusionTable {
    static func render(_ confusion: [[Int]], names: [String]? = nil) -> String {
        let n = confusion.count
        var table = TextTable(headers: ["true\\pred"] + (0..<n).map(String.init) + ["recall"],
                              numeric: [false] + Array(repeating: true, count: n + 1))
        for (label, row) in confusion.enumerated() {
            let total = row.reduce(0, +)
            let name = ClassLabel.name(label, names).map { "\(label) \($0)" } ?? "\(label)"
            table.rows.append([name] + row.map(String.init) + [total == 0 ? "-" : Format.percent(Double(row[label]) / Double(total))])
        }
        return table.rendered(indent: "  ")
    }
}
