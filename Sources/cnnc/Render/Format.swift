import CNNAnalysis
import CNNIR

/// Number formatting for reports.
enum Format {
    /// A layer's output as the reports show it: "16x28x28" for a map, "[1000]" for a feature vector
    /// (`LayerAnalysis.outputIsVector`).
    static func output(_ layer: LayerAnalysis) -> String { shape(layer.output, isVector: layer.outputIsVector) }

    static func shape(_ shape: Shape, isVector: Bool) -> String { isVector ? "[\(shape.count)]" : shape.description }
    /// A tensor's shape, `10x50`.
    static func shape(_ dimensions: [Int]) -> String { dimensions.map(String.init).joined(separator: "x") }

    /// 123552 -> "123,552".
    static func grouped(_ value: Int) -> String {
        let digits = String(value.magnitude)
        var out = ""
        for (i, ch) in digits.enumerated() {
            if i > 0 && (digits.count - i) % 3 == 0 { out.append(",") }
            out.append(ch)
        }
        return value < 0 ? "-" + out : out
    }

    /// 1e12 -> "1.0e12", used beside grouped counts that are too long to read.
    static func scientific(_ value: Int) -> String {
        guard value >= 10_000 else { return "\(value)" }
        var exponent = 0
        var mantissa = Double(value)
        while mantissa >= 10 { mantissa /= 10; exponent += 1 }
        return "\(decimal(mantissa, places: 1))e\(exponent)"
    }

    static func decimal(_ value: Double, places: Int) -> String {
        var scale = 1.0
        for _ in 0..<places { scale *= 10 }
        let rounded = (value * scale).rounded() / scale
        var text = "\(rounded)"
        if let dot = text.firstIndex(of: ".") {
            let decimals = text.distance(from: dot, to: text.endIndex) - 1
            if decimals < places { text += String(repeating: "0", count: places - decimals) }
            if places == 0 { text = String(text[..<dot]) }
        }
        return text
    }

    /// Receptive-field starts are whole or half pixels: "0.5", "-1", "2.5".
    static func start(_ value: Double) -> String {
        // Int(value) traps beyond ±2^63; a start that far out (absurd padding) prints as a Double.
        value == value.rounded() && value.magnitude < 0x1p53 ? "\(Int(value))" : decimal(value, places: 1)
    }

    /// Bytes as KiB / MiB.
    static func bytes(_ value: Int) -> String {
        let v = Double(value)
        if v >= Double(1 << 30) { return decimal(v / Double(1 << 30), places: 2) + " GiB" }
        if v >= Double(1 << 20) { return decimal(v / Double(1 << 20), places: 2) + " MiB" }
        if v >= Double(1 << 10) { return decimal(v / Double(1 << 10), places: 1) + " KiB" }
        return "\(value) B"
    }
}

/// A plain-text table with right-aligned numeric columns.
struct TextTable {
    var headers: [String]
    /// true for columns aligned right.
    var numeric: [Bool]
    var rows: [[String]] = []

    func rendered(indent: String = "") -> String {
        var widths = headers.map(\.count)
        for row in rows {
            for (i, cell) in row.enumerated() { widths[i] = max(widths[i], cell.count) }
        }
        func line(_ cells: [String]) -> String {
            let padded = cells.enumerated().map { i, cell in
                let pad = String(repeating: " ", count: widths[i] - cell.count)
                return numeric[i] ? pad + cell : cell + pad
            }
            var text = indent + padded.joined(separator: "  ")
            while text.last == " " { text.removeLast() }
            return text
        }
        return ([line(headers)] + rows.map(line)).joined(separator: "\n")
    }
}

extension Format {
    /// 0.9781 -> "97.81%".
    static func percent(_ fraction: Double) -> String { decimal(fraction * 100, places: 2) + "%" }

    /// 75 -> "1:15".
    static func duration(_ seconds: Double) -> String {
        guard seconds.isFinite, seconds >= 0 else { return "--:--" }
        let s = Int(seconds.rounded())
        let (h, m, r) = (s / 3600, (s % 3600) / 60, s % 60)
        let mm = m < 10 ? "0\(m)" : "\(m)", rr = r < 10 ? "0\(r)" : "\(r)"
        return h > 0 ? "\(h):\(mm):\(rr)" : "\(m):\(rr)"
    }
}
