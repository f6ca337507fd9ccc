import CNNIR

/// Per-channel mean and standard deviation of a set's pixels, for `train.normalize: auto`.
public enum ChannelStatistics {
    /// Mean and population standard deviation (divided by the pixel count, as NumPy's `std()`) of
    /// each channel over every image, in [0, 1] units: two passes (mean, then squared deviations),
    /// summed in float64 in a fixed order, so the result depends only on the data. A constant channel
    /// (std 0) gets std 1, as scikit-learn's `StandardScaler` does: it is only centred.
    public static func normalization(of data: Dataset) -> Normalization {
        let plane = data.height * data.width
        let count = Double(max(data.count * plane, 1))
        let mean = (0..<data.channels).map { c in sum(data, channel: c, around: nil) / count }
        let std = (0..<data.channels).map { c in
            let variance = sum(data, channel: c, around: mean[c]) / count
            return variance > 0 ? variance.squareRoot() : 1
        }
        return Normalization(mean: mean, std: std)
    }

    /// Σ x over one channel of every image, or Σ (x − m)² when `around` is m; a partial sum per image plane.
    static func sum(_ data: Dataset, channel: Int, around center: Double?) -> Double {
        let plane = data.height * data.width, size = data.imageSize
        var total: Double = 0
        data.pixels.withUnsafeBufferPointer { pixels in
            for n in 0..<data.count {
                let start = n * size + channel * plane
                var partial: Double = 0
                if let center {
                    for i in start..<(start + plane) {
                        let d = Double(pixels[i]) - center
                        partial += d * d
                    }
                } else {
                    for i in start..<(start + plane) { partial += Double(pixels[i]) }
                }
                total += partial
            }
        }
        return total
    }
}

extension ChannelStatistics {
    /// What `train.normalize` means for a run: nil without it, the written values, or (`auto`) the
    /// statistics of `training`, the training split only (never validation or test images).
    public static func normalization(for setting: NormalizationSetting?, training: Dataset) -> Normalization? {
        switch setting {
        case nil: nil
        case .fixed(let normalization): normalization
        case .auto: normalization(of: training)
        }
    }
}
