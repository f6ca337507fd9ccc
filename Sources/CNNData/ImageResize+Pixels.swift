import CNNIR

extension ImageResize {
    /// `image` brought to `width` × `height` by this mode and filter; channels unchanged, samples rounded
    /// to the nearest byte. An image already of that size is returned as it is.
    public func apply(to image: PixelImage, width: Int, height: Int) -> PixelImage {
        precondition(width > 0 && height > 0, "the target size must be positive")
        guard image.width != width || image.height != height else { return image }
        switch mode {
        case .stretch:
            return Self.resample(image, width: width, height: height, filter: filter)
        case .shorterSideThenCenterCrop:
            // Integer arithmetic, as torchvision: the covering side is exact, the other truncated.
            let (w, h) = width * image.height >= height * image.width
                ? (width, max(height, image.height * width / image.width))
                : (max(width, image.width * height / image.height), height)
            let scaled = Self.resample(image, width: w, height: h, filter: filter)
            // torchvision's CenterCrop: int(round((size - crop) / 2.0)), Python rounding half to even.
            let left = Int((Double(w - width) / 2).rounded(.toNearestOrEven))
            let top = Int((Double(h - height) / 2).rounded(.toNearestOrEven))
            return Self.crop(scaled, left: left, top: top, width: width, height: height)
        }
    }

    static func crop(_ image: PixelImage, left: Int, top: Int, width: Int, height: Int) -> PixelImage {
        guard left != 0 || top != 0 || width != image.width || height != image.height else { return image }
        let c = image.channels
        var out = [UInt8](); out.reserveCapacity(width * height * c)
        for y in top..<(top + height) {
            let start = ((y * image.width) + left) * c
            out.append(contentsOf: image.bytes[start..<(start + width * c)])
        }
        return PixelImage(width: width, height: height, channels: c, bytes: out)
    }

    /// Separable resampling: rows first into Float, then columns, then rounding.
    static func resample(_ image: PixelImage, width: Int, height: Int, filter: Filter) -> PixelImage {
        guard image.width != width || image.height != height else { return image }
        let c = image.channels
        let xTaps = taps(from: image.width, to: width, filter: filter), yTaps = taps(from: image.height, to: height, filter: filter)
        // [H_in, W_out, C]
        var rows = [Float](repeating: 0, count: image.height * width * c)
        for y in 0..<image.height {
            for x in 0..<width {
                for (sx, w) in xTaps[x] {
                    for k in 0..<c { rows[(y * width + x) * c + k] += w * Float(image.bytes[(y * image.width + sx) * c + k]) }
                }
            }
        }
        var out = [UInt8](repeating: 0, count: height * width * c)
        for y in 0..<height {
            for i in 0..<(width * c) {
                var v: Float = 0
                for (sy, w) in yTaps[y] { v += w * rows[sy * width * c + i] }
                out[y * width * c + i] = UInt8(max(0, min(255, v.rounded())))
            }
        }
        return PixelImage(width: width, height: height, channels: c, bytes: out)
    }

    /// For each output coordinate along one axis, the source coordinates and their weights (summing to 1).
    static func taps(from n: Int, to m: Int, filter: Filter) -> [[(Int, Float)]] {
        let scale = Double(n) / Double(m)
        switch filter {
        case .bilinear:
            // Output pixel i's centre i + 0.5 maps to source position (i + 0.5) · n / m − 0.5.
            return (0..<m).map { i in
                let s = (Double(i) + 0.5) * scale - 0.5
                let i0 = max(0, min(n - 1, Int(s.rounded(.down)))), i1 = min(n - 1, i0 + 1)
                let f = Float(max(0, s - Double(i0)))
                return i1 == i0 ? [(i0, Float(1))] : [(i0, 1 - f), (i1, f)]
            }
        case .area:
            // Output pixel i covers source [i · n / m, (i + 1) · n / m); each source pixel weighs its overlap.
            return (0..<m).map { i in
                let start = Double(i) * scale, end = Double(i + 1) * scale
                var taps: [(Int, Float)] = []
                var j = Int(start.rounded(.down))
                while j < n && Double(j) < end {
                    let overlap = min(end, Double(j + 1)) - max(start, Double(j))
                    if overlap > 1e-12 { taps.append((j, Float(overlap / scale))) }
                    j += 1
                }
                return taps
            }
        }
    }
}
