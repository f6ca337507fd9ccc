import CNNData
import CNNIR
import Testing

/// Resizing uint8 HWC images: area is the mean of the covered pixels, bilinear samples at half-pixel
/// centres (the convention `cnnc predict` has always used), and the centre crop follows torchvision.
struct ImageResizePixelsTests {
    /// A deterministic pseudo-random image.
    static func image(width: Int, height: Int, channels: Int, seed: Int = 7) -> PixelImage {
        var state = UInt32(seed)
        let bytes = (0..<(width * height * channels)).map { _ -> UInt8 in
            state = state &* 1_664_525 &+ 1_013_904_223
            return UInt8(state >> 24)
        }
        return PixelImage(width: width, height: height, channels: channels, bytes: bytes)
    }

    @Test func areaOfAnExactHalvingIsTheMeanOfEachBlock() {
        let source = Self.image(width: 8, height: 6, channels: 3)
        let out = ImageResize(mode: .stretch, filter: .area).apply(to: source, width: 4, height: 3)
        #expect(out.width == 4 && out.height == 3 && out.channels == 3)
        for y in 0..<3 {
            for x in 0..<4 {
                for c in 0..<3 {
                    let sum = [(0, 0), (1, 0), (0, 1), (1, 1)].map { Int(source.bytes[((2 * y + $0.1) * 8 + 2 * x + $0.0) * 3 + c]) }.reduce(0, +)
                    // The mean, rounded half away from zero (sum / 4 is exact in Float).
                    #expect(Int(out.bytes[(y * 4 + x) * 3 + c]) == Int((Float(sum) / 4).rounded()), "(\(x), \(y), \(c))")
                }
            }
        }
    }

    @Test func areaWeighsPartialPixelsByTheirOverlap() {
        // 3 → 2: output 0 covers source [0, 1.5): (a + b/2) / 1.5; output 1 covers [1.5, 3): (b/2 + c) / 1.5.
        let source = PixelImage(width: 3, height: 1, channels: 1, bytes: [30, 60, 90])
        #expect(ImageResize(mode: .stretch, filter: .area).apply(to: source, width: 2, height: 1).bytes == [40, 80])
    }

    /// The bilinear convention of the former `ImageReader.resized` (Float, one channel), kept as the reference.
    static func referenceBilinear(_ p: [Float], width w: Int, height h: Int, toWidth width: Int, height: Int) -> [Float] {
        var out = [Float](repeating: 0, count: width * height)
        for y in 0..<height {
            let sy = (Double(y) + 0.5) * Double(h) / Double(height) - 0.5
            let y0 = max(0, min(h - 1, Int(sy.rounded(.down)))), y1 = min(h - 1, y0 + 1)
            let fy = Float(max(0, sy - Double(y0)))
            for x in 0..<width {
                let sx = (Double(x) + 0.5) * Double(w) / Double(width) - 0.5
                let x0 = max(0, min(w - 1, Int(sx.rounded(.down)))), x1 = min(w - 1, x0 + 1)
                let fx = Float(max(0, sx - Double(x0)))
                let top = p[y0 * w + x0] * (1 - fx) + p[y0 * w + x1] * fx
                let bottom = p[y1 * w + x0] * (1 - fx) + p[y1 * w + x1] * fx
                out[y * width + x] = top * (1 - fy) + bottom * fy
            }
        }
        return out
    }

    @Test(arguments: [(7, 5, 28, 28), (40, 30, 28, 28), (28, 28, 13, 9), (5, 9, 6, 3)])
    func bilinearMatchesTheHalfPixelConvention(w: Int, h: Int, width: Int, height: Int) {
        let source = Self.image(width: w, height: h, channels: 3)
        let out = ImageResize(mode: .stretch, filter: .bilinear).apply(to: source, width: width, height: height)
        for c in 0..<3 {
            let plane = (0..<(w * h)).map { Float(source.bytes[$0 * 3 + c]) }
            let reference = Self.referenceBilinear(plane, width: w, height: h, toWidth: width, height: height)
            // Each output byte is the reference rounded to the nearest integer.
            let worst = (0..<(width * height)).map { abs(Float(out.bytes[$0 * 3 + c]) - reference[$0]) }.max()!
            #expect(worst <= 0.5 + 1e-3, "channel \(c): \(worst)")
        }
    }

    @Test func shorterSideThenCentreCropKeepsTheMiddle() {
        // 8 × 4 to 2 × 2: the height (4 → 2) sets the scale, so 8 × 4 → 4 × 2 (an exact area halving), then
        // the middle two columns, round((4 − 2) / 2) = 1: source columns 2...5.
        let source = Self.image(width: 8, height: 4, channels: 1)
        let out = ImageResize(mode: .shorterSideThenCenterCrop, filter: .area).apply(to: source, width: 2, height: 2)
        let halved = ImageResize(mode: .stretch, filter: .area).apply(to: source, width: 4, height: 2)
        #expect(out.bytes == [halved.bytes[1], halved.bytes[2], halved.bytes[5], halved.bytes[6]])
        // A tall image: 3 × 9 to 3 × 3 keeps rows 3...5 at scale 1 (no resampling).
        let tall = Self.image(width: 3, height: 9, channels: 1)
        #expect(ImageResize(mode: .shorterSideThenCenterCrop, filter: .bilinear).apply(to: tall, width: 3, height: 3).bytes
            == Array(tall.bytes[9..<18]))
        // torchvision rounds the offset half to even: 5 × 2 to 2 × 2 crops 3 of 5 columns, offset round(1.5) = 2.
        let wide = Self.image(width: 5, height: 2, channels: 1)
        #expect(ImageResize(mode: .shorterSideThenCenterCrop, filter: .area).apply(to: wide, width: 2, height: 2).bytes
            == [wide.bytes[2], wide.bytes[3], wide.bytes[7], wide.bytes[8]])
    }

    @Test func constantImagesStayConstantAndSizesAreKept() {
        let flat = PixelImage(width: 3, height: 5, channels: 3, bytes: [UInt8](repeating: 77, count: 45))
        for filter in ImageResize.Filter.allCases {
            for mode in ImageResize.Mode.allCases {
                let out = ImageResize(mode: mode, filter: filter).apply(to: flat, width: 11, height: 4)
                #expect(out.width == 11 && out.height == 4 && out.channels == 3 && out.bytes.allSatisfy { $0 == 77 }, "\(mode) \(filter)")
            }
        }
        #expect(ImageResize().apply(to: flat, width: 3, height: 5) == flat)
    }
}
