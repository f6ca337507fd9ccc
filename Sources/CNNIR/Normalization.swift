/// Per-channel normalisation of input images: x ↦ (x − mean[c]) / std[c], where x is the pixel in
/// [0, 1] (the 8-bit value / 255). This is torchvision's `Normalize(mean, std)` after `ToTensor()`:
/// mean and std are in [0, 1] units, not 0–255.
public struct Normalization: Hashable, Sendable {
    /// One value per input channel.
    public var mean: [Double]
    /// One value per input channel, each positive.
    public var std: [Double]

    public init(mean: [Double], std: [Double]) {
        precondition(mean.count == std.count, "one mean and one std per channel")
        self.mean = mean
        self.std = std
    }

    public var channels: Int { mean.count }
}

/// What `train.normalize` asks for: fixed values, or statistics of the training split.
public enum NormalizationSetting: Hashable, Sendable {
    case fixed(Normalization)
    /// Per-channel mean and (population) standard deviation of the training split's pixels.
    case auto
}
