import CNNIR
import Foundation

/// The normalisation a checkpoint's weights were trained with, in its safetensors metadata under
/// `normalize` as `{"mean":[…],"std":[…]}`, so that `eval`, `predict` and `export` apply the same.
extension Normalization {
    public static let metadataKey = "normalize"

    /// The metadata value. Swift prints each Double with the fewest digits that read back to the
    /// same value, so the round trip is exact.
    public var json: String {
        "{\"mean\":[" + mean.map { "\($0)" }.joined(separator: ",") + "],\"std\":[" + std.map { "\($0)" }.joined(separator: ",") + "]}"
    }

    /// The normalisation stored in `metadata` (nil when there is none: a checkpoint trained on pixels
    /// in [0, 1], or written before normalisation existed). A value that is not one mean and one
    /// positive std per channel of the network's `channels` is a corrupt checkpoint.
    public init?(metadata: [String: String], channels: Int, path: String) throws(CheckpointError) {
        guard let text = metadata[Self.metadataKey] else { return nil }
        func bad(_ reason: String) -> CheckpointError {
            .corrupt(path: path, reason: "metadata 'normalize' \(reason)")
        }
        // Read by hand, not with JSONSerialization: Foundation's parser may round a 17-digit decimal
        // differently from Double(String), and the values must come back bit for bit.
        let compact = text.filter { !$0.isWhitespace }
        let prefix = "{\"mean\":[", middle = "],\"std\":[", suffix = "]}"
        guard compact.hasPrefix(prefix), compact.hasSuffix(suffix),
              case let body = compact.dropFirst(prefix.count).dropLast(suffix.count),
              let split = body.range(of: middle) else {
            throw bad("is not {\"mean\": [numbers], \"std\": [numbers]}")
        }
        func numbers(_ list: Substring) -> [Double]? {
            let items = list.split(separator: ",", omittingEmptySubsequences: false)
            let values = items.compactMap { Double($0) }
            return values.count == items.count ? values : nil
        }
        guard let mean = numbers(body[..<split.lowerBound]), let std = numbers(body[split.upperBound...]) else {
            throw bad("is not {\"mean\": [numbers], \"std\": [numbers]}")
        }
        guard mean.count == channels, std.count == channels else {
            throw bad("has \(mean.count) means and \(std.count) stds, the network's input has \(channels) channel\(channels == 1 ? "" : "s")")
        }
        guard mean.allSatisfy(\.isFinite), std.allSatisfy({ $0.isFinite && $0 > 0 }) else {
            throw bad("holds a non-finite mean or a std that is not positive")
        }
        self.init(mean: mean, std: std)
    }
}
