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

extension Format {
    /// Counts in human units beside the exact figure: 138,357,544 -> "138.4 M", 15,470,264,320 -> "15.47 G",
    /// 9,248 -> "9.2 k"; four significant digits at most, below 1,000 the number itself.
    static func human(_ value: Int) -> String {
        let magnitude = Double(value.magnitude)
        let units: [(Double, String)] = [(1e12, "T"), (1e9, "G"), (1e6, "M"), (1e3, "k")]
        guard var index = units.firstIndex(where: { magnitude >= $0.0 }) else { return "\(value)" }
        // 999,998 rounds to 1000.0 k: say 1.00 M instead.
        if index > 0, (magnitude / units[index].0 * 10).rounded() >= 10_000 { index -= 1 }
        let scaled = magnitude / units[index].0
        let places = scaled >= 100 ? 1 : 2
        return (value < 0 ? "-" : "") + decimal(scaled, places: places) + " " + units[index].1
    }

    /// A part's share of a total: "33.3%"; "" when the total is 0.
    static func share(_ part: Int, of total: Int) -> String {
        total == 0 ? "" : decimal(100 * Double(part) / Double(total), places: 1) + "%"
    }

    /// A change: "+2,320", "-1,600", "0".
    static func signed(_ value: Int) -> String { value > 0 ? "+" + grouped(value) : grouped(value) }

    /// A change in bytes: "+12.3 KiB", "-1.50 MiB", "0".
    static func signedBytes(_ value: Int) -> String {
        value == 0 ? "0" : (value > 0 ? "+" : "-") + bytes(Int(value.magnitude))
    }

    /// old → new, or the value once when they are equal.
    static func transition(_ old: String, _ new: String) -> String { old == new ? old : "\(old) → \(new)" }

    /// new relative to old: "+12.5%", "-40.0%", or "" when old is 0.
    static func relative(_ old: Int, _ new: Int) -> String {
        guard old != 0 else { return "" }
        let change = (Double(new) - Double(old)) / Double(old) * 100
        return (change > 0 ? "+" : "") + decimal(change, places: 1) + "%"
    }

    /// "1 epoch", "3 epochs", "5,000 images".
    static func count(_ value: Int, _ noun: String, plural: String? = nil) -> String {
        "\(grouped(value)) \(value == 1 ? noun : plural ?? noun + "s")"
    }
}
