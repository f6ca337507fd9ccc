import CNNAnalysis
import CNNIR

/// `cnnc check --sizes`: the square input sizes a network takes whole, and why the others fail (`InputSizes.survey`).
enum InputSizeReport {
    static func render(_ network: Network, range: ClosedRange<Int>) -> String {
        let survey = InputSizes.survey(network, in: range)
        var lines = ["\(network.name): square inputs \(network.input.channels)xSxS from \(range.lowerBound) to \(range.upperBound)"]
        if survey.whole.isEmpty {
            lines.append("  no size in this range is read whole by every layer")
        } else {
            lines.append("  every layer reads the whole input at: \(InputSizes.describe(survey.whole))")
            lines.append("  smallest: \(survey.whole[0])")
            if survey.aligned.isEmpty {
                lines.append("  at none of them does every stride divide its layer's input exactly")
            } else if survey.aligned != survey.whole {
                lines.append("  and every stride divides its layer's input exactly (outputs on the input's grid) at: "
                             + InputSizes.describe(survey.aligned))
            }
        }
        if survey.unread > 0 {
            lines.append("  \(Format.count(survey.unread, "other size")) work but leave input rows unread in some layer (a warning in check)")
        }
        if let (size, error) = survey.largestTooSmall {
            lines.append("  at \(size) and below no output: \(error.message)")
        }
        if let (size, error) = survey.firstTooLarge {
            lines.append("  \(Format.count(survey.tooLarge, "size")) fail above the first that works, the first at \(size): \(error.message)")
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
        let top = max(512, above ?? 0, below ?? 0)
        return "the nearest input sizes every layer reads whole: " + sizes.joined(separator: " and ")
            + " (cnnc check --sizes 1..\(top) lists them)"
    }
}
