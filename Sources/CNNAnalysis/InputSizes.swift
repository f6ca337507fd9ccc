import CNNIR

/// The input sizes a network takes whole: every layer has an output, and no conv or pooling window
/// leaves input rows or columns unread; and among them the aligned ones, where every strided layer
/// divides its input exactly, so each output pixel sits on the input's grid (ResNet's "divisible by 32").
/// Found by trying each size.
public enum InputSizes {
    /// What one size does to the network.
    public enum Verdict: Equatable, Sendable {
        /// Every layer reads every row, and every stride divides its layer's input exactly.
        case aligned
        /// Every layer reads every row; some strided layer rounds (a 3×3/2 conv on 7 rows gives 4).
        case whole
        /// Analysable, but the first layer named leaves rows unread.
        case unread(layer: String)
        /// Some layer has no output, or another shape error.
        case impossible(ShapeError)
    }

    /// The network on a square `size`×`size` input of its own channel count.
    public static func verdict(_ network: Network, size: Int) -> Verdict {
        var resized = network
        resized.input = Shape(channels: network.input.channels, height: size, width: size)
        do {
            let analysis = try NetworkAnalysis(resized)
            if let first = analysis.diagnostics.first { return .unread(layer: first.layer ?? "") }
            return NetworkDiff.flattened(analysis.layers).allSatisfy { isAligned($0.0) } ? .aligned : .whole
        } catch {
            return .impossible(error)
        }
    }

    /// What every square size of a range does to a network, counted.
    public struct Survey: Sendable {
        /// Sizes every layer reads whole, and those of them where every stride also divides exactly.
        public var whole: [Int] = []
        public var aligned: [Int] = []
        /// Sizes that work but leave rows unread somewhere.
        public var unread = 0
        /// Sizes that fail (no output, or too large to count): those below the first that works, and those above it,
        /// with the largest of the first and the first of the second, and why.
        public var tooSmall = 0
        public var tooLarge = 0
        public var largestTooSmall: (size: Int, error: ShapeError)?
        public var firstTooLarge: (size: Int, error: ShapeError)?
    }

    public static func survey(_ network: Network, in range: ClosedRange<Int>) -> Survey {
        var survey = Survey()
        var anyWorked = false
        for size in range {
            switch verdict(network, size: size) {
            case .aligned:
                survey.aligned.append(size)
                survey.whole.append(size)
                anyWorked = true
            case .whole:
                survey.whole.append(size)
                anyWorked = true
            case .unread:
                survey.unread += 1
                anyWorked = true
            case .impossible(let error):
                if !anyWorked {
                    survey.tooSmall += 1
                    survey.largestTooSmall = (size, error)
                } else {
                    survey.tooLarge += 1
                    if survey.firstTooLarge == nil { survey.firstTooLarge = (size, error) }
                }
            }
        }
        return survey
    }

    /// A strided window's output is its input divided by the stride, exactly.
    static func isAligned(_ layer: LayerAnalysis) -> Bool {
        guard let window = layer.window else { return true }
        let (input, output, stride) = (layer.input, layer.output, window.stride)
        return (stride.height == 1 || input.height % stride.height == 0 && output.height == input.height / stride.height)
            && (stride.width == 1 || input.width % stride.width == 0 && output.width == input.width / stride.width)
    }

    /// The nearest sizes below and above `size` (within `limit` of it) that the network takes whole.
    public static func nearest(_ network: Network, to size: Int, limit: Int = 1024) -> (below: Int?, above: Int?) {
        func read(_ s: Int) -> Bool { [Verdict.whole, .aligned].contains(verdict(network, size: s)) }
        let below = stride(from: size - 1, through: max(1, size - limit), by: -1).first(where: read)
        let above = (size + 1...size + limit).first(where: read)
        return (below, above)
    }

    /// Sizes as runs: [32, 64, 96, 128, 200] -> "32, 64, …, 128 (every 32), 200".
    public static func describe(_ sizes: [Int]) -> String {
        var parts: [String] = []
        var i = 0
        while i < sizes.count {
            var j = i + 1
            if j < sizes.count {
                let step = sizes[j] - sizes[i]
                while j + 1 < sizes.count && sizes[j + 1] - sizes[j] == step { j += 1 }
                if j - i >= 3 {
                    parts.append(step == 1 ? "\(sizes[i])–\(sizes[j])" : "\(sizes[i]), \(sizes[i] + step), …, \(sizes[j]) (every \(step))")
                    i = j + 1
                    continue
                }
            }
            parts.append("\(sizes[i])")
            i += 1
        }
        return parts.joined(separator: ", ")
    }
}
