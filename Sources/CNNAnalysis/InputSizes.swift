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
            if let first = analysis.diagnostics.first {
                return .unread(layer: first.message.split(separator: "'").dropFirst().first.map(String.init) ?? "")
            }
            return NetworkDiff.flattened(analysis.layers).allSatisfy { isAligned($0.0) } ? .aligned : .whole
        } catch {
            return .impossible(error)
        }
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
        func read(_ s: Int) -> Bool { [.whole, .aligned].contains(verdict(network, size: s)) }
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
