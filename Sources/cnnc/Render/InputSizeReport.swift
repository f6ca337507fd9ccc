import CNNAnalysis
import CNNIR

/// `cnnc check --sizes`: the square input sizes a network takes whole, and why the others fail.
enum InputSizeReport {
    static func render(_ network: Network, range: ClosedRange<Int>) -> String {
        let c = network.input.channels
        var lines = ["\(network.name): square inputs \(c)xSxS from \(range.lowerBound) to \(range.upperBound)"]
        var whole: [Int] = []
        var aligned: [Int] = []
        var firstPossible: Int?
        var lastImpossible: (Int, ShapeError)?
        var unreadCount = 0
        for size in range {
            switch InputSizes.verdict(network, size: size) {
            case .aligned:
                aligned.append(size)
                fallthrough
            case .whole:
                whole.append(size)
                if firstPossible == nil { firstPossible = size }
            case .unread:
                unreadCount += 1
                if firstPossible == nil { firstPossible = size }
            case .impossible(let error):
                if firstPossible == nil { lastImpossible = (size, error) }
            }
        }
        if whole.isEmpty {
            lines.append("  no size in this range is read whole by every layer")
        } else {
            lines.append("  every layer reads the whole input at: \(InputSizes.describe(whole))")
            lines.append("  smallest: \(whole[0])")
            if aligned.isEmpty {
                lines.append("  at none of them does every stride divide its layer's input exactly")
            } else if aligned != whole {
                lines.append("  and every stride divides its layer's input exactly (outputs on the input's grid) at: "
                             + InputSizes.describe(aligned))
            }
        }
        if unreadCount > 0 {
            lines.append("  \(Format.count(unreadCount, "other size")) work but leave input rows unread in some layer (a warning in check)")
        }
        if let (size, error) = lastImpossible {
            lines.append("  at \(size) and below no output: \(error.message)")
        }
        return lines.joined(separator: "\n")
    }

    /// "the nearest input sizes every layer reads whole: 224 and 256", for a hint under an unread-rows warning.
    static func nearestHint(_ network: Network) -> String? {
        let input = network.input
        guard input.height == input.width else { return nil }
        let (below, above) = InputSizes.nearest(network, to: input.height, limit: 256)
        let sizes = [below, above].compactMap { $0 }.map { "\(input.channels)x\($0)x\($0)" }
        guard !sizes.isEmpty else { return nil }
        return "the nearest input sizes every layer reads whole: " + sizes.joined(separator: " and ")
            + " (cnnc check --sizes 1..512 lists them)"
    }
}
