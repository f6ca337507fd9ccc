import CNNData
import CNNIR
import Testing

/// The augmentations' pixel functions on tiny images, against hand-worked values and values printed
/// by torch 1.13 / torchvision 0.14 (the Python that printed them is quoted above each).
struct ImageTransformsTests {
    /// `f` applied to a copy of `image`.
    static func transformed(_ image: [Float], _ f: (UnsafeMutablePointer<Float>) -> Void) -> [Float] {
        var copy = image
        copy.withUnsafeMutableBufferPointer { f($0.baseAddress!) }
        return copy
    }

    @Test func flipMirrorsEachRowOfEachChannel() {
        // Two channels of 2×3.
        let image: [Float] = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]
        let flipped = Self.transformed(image) { ImageTransforms.flipHorizontal($0, channels: 2, height: 2, width: 3) }
        #expect(flipped == [3, 2, 1, 6, 5, 4, 9, 8, 7, 12, 11, 10])
        let twice = Self.transformed(flipped) { ImageTransforms.flipHorizontal($0, channels: 2, height: 2, width: 3) }
        #expect(twice == image)
    }

    @Test func reflectSkipsTheEdgePixel() {
        // torch 'reflect' on [a, b, c, d] padded by 3: d c b | a b c d | c b a
        #expect((-3...6).map { ImageTransforms.reflect($0, 4) } == [3, 2, 1, 0, 1, 2, 3, 2, 1, 0])
        #expect(ImageTransforms.reflect(-1, 2) == 1 && ImageTransforms.reflect(2, 2) == 0)
        #expect(ImageTransforms.reflect(5, 1) == 0)
    }

    /// x = torch.arange(1, 25).float().reshape(2, 3, 4) / 32
    /// p = torch.nn.functional.pad(x[None], (2, 2, 2, 2), mode='reflect')[0]   # equals torchvision F.pad(x, [2], padding_mode='reflect')
    /// print((p * 32).int().tolist())
    static let torchReflectPadded: [[[Int]]] = [
        [[11, 10, 9, 10, 11, 12, 11, 10], [7, 6, 5, 6, 7, 8, 7, 6], [3, 2, 1, 2, 3, 4, 3, 2], [7, 6, 5, 6, 7, 8, 7, 6],
         [11, 10, 9, 10, 11, 12, 11, 10], [7, 6, 5, 6, 7, 8, 7, 6], [3, 2, 1, 2, 3, 4, 3, 2]],
        [[23, 22, 21, 22, 23, 24, 23, 22], [19, 18, 17, 18, 19, 20, 19, 18], [15, 14, 13, 14, 15, 16, 15, 14],
         [19, 18, 17, 18, 19, 20, 19, 18], [23, 22, 21, 22, 23, 24, 23, 22], [19, 18, 17, 18, 19, 20, 19, 18],
         [15, 14, 13, 14, 15, 16, 15, 14]],
    ]

    static func padCrop(_ image: [Float], channels: Int, height: Int, width: Int, pad: Int, top: Int, left: Int,
                        fill: RandomCrop.Fill) -> [Float] {
        var out = [Float](repeating: -1, count: image.count)
        image.withUnsafeBufferPointer { s in
            out.withUnsafeMutableBufferPointer { d in
                ImageTransforms.padCrop(source: s.baseAddress!, destination: d.baseAddress!, channels: channels, height: height,
                                        width: width, pad: pad, top: top, left: left, fill: fill)
            }
        }
        return out
    }

    /// Every crop offset of the reflect-padded image is torch's padded image sliced there
    /// (torchvision's RandomCrop(size=(3, 4), padding=2, padding_mode='reflect') at that offset);
    /// one is also checked as printed: (F.crop(pt, 3, 1, 3, 4) * 32).int().tolist().
    @Test func reflectCropEqualsTorchAtEveryOffset() {
        let image = (1...24).map { Float($0) / 32 }
        for top in 0...4 {
            for left in 0...4 {
                let crop = Self.padCrop(image, channels: 2, height: 3, width: 4, pad: 2, top: top, left: left, fill: .reflect)
                let expected = (0..<2).flatMap { c in
                    (0..<3).flatMap { y in (0..<4).map { x in Float(Self.torchReflectPadded[c][y + top][x + left]) / 32 } }
                }
                #expect(crop == expected, "offset (\(top), \(left))")
            }
        }
        let printed: [[[Int]]] = [[[6, 5, 6, 7], [10, 9, 10, 11], [6, 5, 6, 7]], [[18, 17, 18, 19], [22, 21, 22, 23], [18, 17, 18, 19]]]
        let crop = Self.padCrop(image, channels: 2, height: 3, width: 4, pad: 2, top: 3, left: 1, fill: .reflect)
        #expect(crop == printed.flatMap { $0.flatMap { $0.map { Float($0) / 32 } } })
    }

    @Test func zeroFillMovesTheImageAndFillsBlack() {
        // 2×3, pad 1: offset (0, 0) moves the image one pixel down and right; (2, 2) one up and left; (1, 1) is the image.
        let image: [Float] = [1, 2, 3, 4, 5, 6]
        #expect(Self.padCrop(image, channels: 1, height: 2, width: 3, pad: 1, top: 0, left: 0, fill: .zero) == [0, 0, 0, 0, 1, 2])
        #expect(Self.padCrop(image, channels: 1, height: 2, width: 3, pad: 1, top: 2, left: 2, fill: .zero) == [5, 6, 0, 0, 0, 0])
        #expect(Self.padCrop(image, channels: 1, height: 2, width: 3, pad: 1, top: 1, left: 1, fill: .zero) == image)
    }

    @Test func cropOffsetsStayInTheirRangeAndReachEveryValue() {
        var generator = SeededGenerator(seed: 7)
        var tops = Set<Int>(), lefts = Set<Int>()
        for _ in 0..<2000 {
            let (top, left) = Augmenter.cropOffsets(pad: 3, generator: &generator)
            tops.insert(top)
            lefts.insert(left)
        }
        #expect(tops == Set(0...6) && lefts == Set(0...6))
    }

    @Test func jitterOfAConstantImage() {
        let grey = [Float](repeating: 0.4, count: 6)
        // Contrast blends with the mean, which for a constant image is the image.
        #expect(Self.transformed(grey) { ImageTransforms.adjustContrast($0, channels: 1, height: 2, width: 3, factor: 1.7) }
                    .allSatisfy { abs($0 - 0.4) < 1e-7 })
        // Brightness scales, and clamps at 1.
        #expect(Self.transformed(grey) { ImageTransforms.adjustBrightness($0, count: 6, factor: 0.5) } == [Float](repeating: 0.2, count: 6))
        #expect(Self.transformed(grey) { ImageTransforms.adjustBrightness($0, count: 6, factor: 3) } == [Float](repeating: 1, count: 6))
    }

    /// img = torch.zeros(3, 2, 2); img[0] = 1.0; img[1, 0, 0] = 0.5
    /// F.adjust_contrast(img, 0.5).tolist(); F.adjust_brightness(img, 1.5).tolist()
    /// F.adjust_contrast(torch.tensor([[[0.2, 0.6], [0.4, 1.0]]]), 1.5).tolist()
    @Test func jitterEqualsTorchvision() {
        var rgb = [Float](repeating: 0, count: 12)
        for i in 0..<4 { rgb[i] = 1 }
        rgb[4] = 0.5
        let contrast = Self.transformed(rgb) { ImageTransforms.adjustContrast($0, channels: 3, height: 2, width: 2, factor: 0.5) }
        let torchContrast: [Float] = [0.6861374974250793, 0.6861374974250793, 0.6861374974250793, 0.6861374974250793,
                                      0.43613749742507935, 0.18613751232624054, 0.18613751232624054, 0.18613751232624054,
                                      0.18613751232624054, 0.18613751232624054, 0.18613751232624054, 0.18613751232624054]
        #expect(zip(contrast, torchContrast).allSatisfy { abs($0 - $1) <= 1e-7 })
        let brightness = Self.transformed(rgb) { ImageTransforms.adjustBrightness($0, count: 12, factor: 1.5) }
        #expect(brightness == [1, 1, 1, 1, 0.75, 0, 0, 0, 0, 0, 0, 0])
        let grey = Self.transformed([0.2, 0.6, 0.4, 1.0]) { ImageTransforms.adjustContrast($0, channels: 1, height: 2, width: 2, factor: 1.5) }
        #expect(zip(grey, [0.025000005960464478, 0.625, 0.32500001788139343, 1.0] as [Float]).allSatisfy { abs($0 - $1) <= 1e-7 })
    }

    @Test func normalizationIsPerChannelInChannelsLastOrder() {
        // Two pixels of three channels, [H, W, C].
        let n = Normalization(mean: [0.5, 0.25, 0], std: [0.5, 0.25, 2])
        let out = Self.transformed([1, 0.5, 1, 0, 0, 0]) { ImageTransforms.normalizeChannelsLast($0, values: 6, n) }
        #expect(out == [1, 1, 0.5, -1, -1, 0])
    }
}

/// The statistics of `normalize: auto`.
struct ChannelStatisticsTests {
    @Test func meanAndPopulationStdPerChannel() {
        // Two images of 2 channels × 1×2 pixels: channel 0 holds 0, 1, 0, 1; channel 1 is constant 0.25.
        let data = Dataset(channels: 2, height: 1, width: 2, pixels: [0, 1, 0.25, 0.25, 1, 0, 0.25, 0.25], labels: [0, 1])
        let n = ChannelStatistics.normalization(of: data)
        #expect(n.mean == [0.5, 0.25])
        // Channel 0: population std 0.5; channel 1 has none, so it is only centred (std 1).
        #expect(n.std == [0.5, 1])
    }

    @Test func settingResolvesOnTheTrainingSetOnly() {
        let train = Dataset(channels: 1, height: 1, width: 2, pixels: [0, 0.5], labels: [0])
        #expect(ChannelStatistics.normalization(for: nil, training: train) == nil)
        let fixed = Normalization(mean: [0.1], std: [0.2])
        #expect(ChannelStatistics.normalization(for: .fixed(fixed), training: train) == fixed)
        #expect(ChannelStatistics.normalization(for: .auto, training: train) == Normalization(mean: [0.25], std: [0.25]))
    }
}

/// The Augmenter composes the transforms with the parameters it draws from the image's generator.
struct AugmenterCompositionTests {
    static let image: [Float] = (0..<24).map { Float($0) / 24 } // 2 channels of 3×4

    static func augmented(_ augmentation: Augmentation, seed: UInt64) -> [Float] {
        var out = [Float](repeating: -1, count: 24)
        var generator = SeededGenerator(seed: seed)
        image.withUnsafeBufferPointer { s in
            out.withUnsafeMutableBufferPointer { d in
                Augmenter(augmentation).apply(source: s.baseAddress!, destination: d.baseAddress!, channels: 2, height: 3, width: 4,
                                              generator: &generator)
            }
        }
        return out
    }

    @Test func flipWithProbabilityOneAlwaysFlipsAndZeroNever() {
        let flipped = ImageTransformsTests.transformed(Self.image) { ImageTransforms.flipHorizontal($0, channels: 2, height: 3, width: 4) }
        for seed in 0..<5 as Range<UInt64> {
            #expect(Self.augmented(Augmentation(hflip: 1), seed: seed) == flipped)
            #expect(Self.augmented(Augmentation(crop: RandomCrop(pad: 0), hflip: 0), seed: seed) == Self.image)
        }
    }

    @Test func cropUsesTheOffsetsDrawnFromTheImagesGenerator() {
        for seed in 0..<5 as Range<UInt64> {
            var generator = SeededGenerator(seed: seed)
            let (top, left) = Augmenter.cropOffsets(pad: 2, generator: &generator)
            let expected = ImageTransformsTests.padCrop(Self.image, channels: 2, height: 3, width: 4, pad: 2, top: top, left: left, fill: .reflect)
            #expect(Self.augmented(Augmentation(crop: RandomCrop(pad: 2, fill: .reflect)), seed: seed) == expected)
        }
    }

    @Test func jitterFactorsStayInTheirRanges() {
        // Brightness alone on a mid-grey image: f·0.5 with f in [0.7, 1.3].
        let grey = [Float](repeating: 0.5, count: 24)
        var seen: [Float] = []
        for seed in 0..<200 as Range<UInt64> {
            var out = [Float](repeating: -1, count: 24)
            var generator = SeededGenerator(seed: seed)
            grey.withUnsafeBufferPointer { s in
                out.withUnsafeMutableBufferPointer { d in
                    Augmenter(Augmentation(brightness: 0.3)).apply(source: s.baseAddress!, destination: d.baseAddress!, channels: 2,
                                                                   height: 3, width: 4, generator: &generator)
                }
            }
            #expect(Set(out).count == 1)
            seen.append(out[0])
        }
        #expect(seen.allSatisfy { $0 >= 0.35 - 1e-6 && $0 <= 0.65 + 1e-6 })
        #expect(seen.min()! < 0.38 && seen.max()! > 0.62)
    }
}
