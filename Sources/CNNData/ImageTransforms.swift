import CNNIR

/// The augmentations' pixel work, as small pure functions on one image `[C, H, W]` of floats in
/// [0, 1]. Each follows torchvision's tensor transform of the same name (`Augmenter` draws their
/// random parameters).
public enum ImageTransforms {
    // MARK: - Crop with padding

    /// `destination[c, y, x] = padded[c, y + top, x + left]`, where `padded` is `source` with `pad`
    /// pixels added on every side, filled per `fill`; the output has the input's size, so `top` and
    /// `left` lie in [0, 2·pad]. torchvision: `RandomCrop(size=(H, W), padding=pad, padding_mode=…)`.
    public static func padCrop(source: UnsafePointer<Float>, destination: UnsafeMutablePointer<Float>,
                               channels: Int, height: Int, width: Int, pad: Int, top: Int, left: Int, fill: RandomCrop.Fill) {
        precondition(top >= 0 && top <= 2 * pad && left >= 0 && left <= 2 * pad, "crop offset outside the padded image")
        let plane = height * width
        for y in 0..<height {
            let sy = y + top - pad
            for x in 0..<width {
                let sx = x + left - pad
                let inside = sy >= 0 && sy < height && sx >= 0 && sx < width
                for c in 0..<channels {
                    let value: Float
                    if inside {
                        value = source[c * plane + sy * width + sx]
                    } else if fill == .reflect {
                        value = source[c * plane + reflect(sy, height) * width + reflect(sx, width)]
                    } else {
                        value = 0
                    }
                    destination[c * plane + y * width + x] = value
                }
            }
        }
    }

    /// The index `i` mirrored into 0..<n without repeating the edge (−1 → 1, n → n − 2), as
    /// `torch.nn.functional.pad(mode='reflect')` and NumPy's 'reflect'; any i, any n ≥ 1 (periodic beyond one reflection).
    public static func reflect(_ i: Int, _ n: Int) -> Int {
        guard n > 1 else { return 0 }
        let period = 2 * (n - 1)
        var k = i % period
        if k < 0 { k += period }
        return k < n ? k : period - k
    }

    // MARK: - Flip

    /// Mirrors every row in place: x ↦ W − 1 − x. torchvision: `RandomHorizontalFlip` when it flips.
    public static func flipHorizontal(_ image: UnsafeMutablePointer<Float>, channels: Int, height: Int, width: Int) {
        for row in 0..<(channels * height) {
            var left = row * width, right = left + width - 1
            while left < right {
                (image[left], image[right]) = (image[right], image[left])
                left += 1
                right -= 1
            }
        }
    }

    // MARK: - Colour jitter

    /// x ↦ clamp(factor · x, 0, 1). torchvision: `adjust_brightness` on a float tensor.
    public static func adjustBrightness(_ image: UnsafeMutablePointer<Float>, count: Int, factor: Float) {
        for i in 0..<count { image[i] = min(max(factor * image[i], 0), 1) }
    }

    /// x ↦ clamp(factor · x + (1 − factor) · m, 0, 1), m the mean grey level of the whole image: for
    /// 3 channels of 0.2989 R + 0.587 G + 0.114 B (torchvision's `rgb_to_grayscale`), for another
    /// count the mean of every value. torchvision: `adjust_contrast` on a float tensor.
    public static func adjustContrast(_ image: UnsafeMutablePointer<Float>, channels: Int, height: Int, width: Int, factor: Float) {
        let plane = height * width, count = channels * plane
        var sum: Double = 0
        if channels == 3 {
            for i in 0..<plane {
                // float32 weighting as torchvision's, summed in double.
                sum += Double(0.2989 * image[i] + 0.587 * image[plane + i] + 0.114 * image[2 * plane + i])
            }
            sum /= Double(plane)
        } else {
            for i in 0..<count { sum += Double(image[i]) }
            sum /= Double(max(count, 1))
        }
        let blend = (1 - factor) * Float(sum)
        for i in 0..<count { image[i] = min(max(factor * image[i] + blend, 0), 1) }
    }

    // MARK: - Random erasing

    /// A rectangle of an image: rows top..<top + height, columns left..<left + width.
    public struct Rectangle: Hashable, Sendable {
        public var top, left, height, width: Int
        public init(top: Int, left: Int, height: Int, width: Int) {
            (self.top, self.left, self.height, self.width) = (top, left, height, width)
        }
    }

    /// Replaces `rectangle` in every channel: with 0, or with values uniform in [0, 1) drawn from
    /// `generator` channel by channel, row by row. torchvision: `F.erase` (`RandomErasing` when it erases).
    public static func erase(_ image: UnsafeMutablePointer<Float>, channels: Int, height: Int, width: Int,
                             rectangle r: Rectangle, fill: RandomErasing.Fill, generator: inout SeededGenerator) {
        precondition(r.top >= 0 && r.left >= 0 && r.top + r.height <= height && r.left + r.width <= width,
                     "erased rectangle outside the image")
        for c in 0..<channels {
            for y in r.top..<(r.top + r.height) {
                let row = image + (c * height + y) * width + r.left
                switch fill {
                case .zero: row.update(repeating: 0, count: r.width)
                case .random: for x in 0..<r.width { row[x] = generator.nextUnitFloat() }
                }
            }
        }
    }

    // MARK: - Normalisation

    /// x ↦ (x − mean[c]) / std[c] over a batch written channels-last `[N, H, W, C]`, `values` of them
    /// (a multiple of C). torchvision: `Normalize(mean, std)`; computed in float32 as it is.
    public static func normalizeChannelsLast(_ buffer: UnsafeMutablePointer<Float>, values: Int, _ normalization: Normalization) {
        let channels = normalization.channels
        let mean = normalization.mean.map { Float($0) }, std = normalization.std.map { Float($0) }
        var i = 0
        while i < values {
            for c in 0..<channels { buffer[i + c] = (buffer[i + c] - mean[c]) / std[c] }
            i += channels
        }
    }
}
