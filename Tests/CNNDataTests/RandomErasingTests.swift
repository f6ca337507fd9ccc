import CNNData
import CNNIR
import Testing

/// `augment: {erase: …}`: the rectangle torchvision's `RandomErasing.get_params` would draw for the
/// same uniform numbers, and the pixels `F.erase` writes.
struct RandomErasingTests {
    static let height = 10, width = 12

    /// The image (2 channels of 10×12, every value distinct and positive) after `erase`, and the rectangle drawn
    /// from a copy of the same generator.
    static func erased(_ erase: RandomErasing, seed: UInt64) -> (image: [Float], box: ImageTransforms.Rectangle?) {
        let source = (0..<(2 * height * width)).map { Float($0 + 1) / 1000 }
        var out = [Float](repeating: -1, count: source.count)
        var generator = SeededGenerator(seed: seed)
        var copy = generator
        source.withUnsafeBufferPointer { s in
            out.withUnsafeMutableBufferPointer { d in
                Augmenter(Augmentation(erase: erase)).apply(source: s.baseAddress!, destination: d.baseAddress!, channels: 2,
                                                            height: height, width: width, generator: &generator)
            }
        }
        // The probability draw comes first, then the rectangle's.
        let erases = Double(copy.nextUnitFloat()) < erase.probability
        let box = erases ? Augmenter.erasedRectangle(erase, height: height, width: width, generator: &copy) : nil
        return (out, box)
    }

    /// Which values of the 2×10×12 image lie inside `box`.
    static func inside(_ box: ImageTransforms.Rectangle, _ i: Int) -> Bool {
        let y = (i / width) % height, x = i % width
        return y >= box.top && y < box.top + box.height && x >= box.left && x < box.left + box.width
    }

    @Test func sidesAreRoundedHalfToEvenAsPythonsRound() {
        var generator = SeededGenerator(seed: 3)
        // 120 · 0.3 = 36 pixels at ratio 1: a 6×6 square. At ratio 4 the same area is 12 rows by 3 columns, more rows
        // than the image's 10: no try fits and nothing is erased.
        let square = Augmenter.erasedRectangle(RandomErasing(probability: 1, scale: 0.3...0.3, ratio: 1...1), height: 10, width: 12,
                                               generator: &generator)
        #expect(square?.height == 6 && square?.width == 6)
        #expect(Augmenter.erasedRectangle(RandomErasing(probability: 1, scale: 0.3...0.3, ratio: 4...4), height: 10, width: 12,
                                          generator: &generator) == nil)
        // 100 · 0.0625 = 6.25, sqrt 2.5: Python's round gives 2 (half to even), not 3.
        let half = Augmenter.erasedRectangle(RandomErasing(probability: 1, scale: 0.0625...0.0625, ratio: 1...1), height: 10, width: 10,
                                             generator: &generator)
        #expect(half?.height == 2 && half?.width == 2)
        // The ratio is height / width: 16 pixels at 0.25 are 2 rows by 8 columns.
        let wide = Augmenter.erasedRectangle(RandomErasing(probability: 1, scale: (16.0 / 120)...(16.0 / 120), ratio: 0.25...0.25),
                                             height: 10, width: 12, generator: &generator)
        #expect(wide?.height == 2 && wide?.width == 8)
    }

    @Test func rectanglesFitAndFollowTheirRanges() {
        let erase = RandomErasing(probability: 1, scale: 0.02...0.33, ratio: 0.3...3.3)
        var areas: [Double] = [], tops = Set<Int>(), lefts = Set<Int>()
        for seed in 0..<400 as Range<UInt64> {
            var generator = SeededGenerator(seed: seed)
            guard let box = Augmenter.erasedRectangle(erase, height: 28, width: 28, generator: &generator) else { continue }
            #expect(box.top >= 0 && box.left >= 0 && box.top + box.height <= 28 && box.left + box.width <= 28)
            #expect(box.height < 28 && box.width < 28 && box.height >= 1 && box.width >= 1)
            let aspect = Double(box.height) / Double(box.width)
            // Rounding each side moves the ratio and the area a little from the drawn ones.
            #expect(aspect > 0.3 * 0.6 && aspect < 3.3 / 0.6)
            areas.append(Double(box.height * box.width) / 784)
            tops.insert(box.top)
            lefts.insert(box.left)
        }
        #expect(areas.count > 390)
        #expect(areas.min()! < 0.04 && areas.max()! > 0.28 && areas.allSatisfy { $0 < 0.45 })
        let mean = areas.reduce(0, +) / Double(areas.count)
        #expect(abs(mean - 0.175) < 0.03, "mean area fraction \(mean), the scale's midpoint is 0.175")
        #expect(tops.count > 15 && lefts.count > 15)
    }

    @Test func zeroFillBlackensExactlyTheRectangleInEveryChannel() throws {
        let source = (0..<(2 * Self.height * Self.width)).map { Float($0 + 1) / 1000 }
        var erasedSome = 0
        for seed in 0..<20 as Range<UInt64> {
            let (image, box) = Self.erased(RandomErasing(probability: 1, scale: 0.1...0.3), seed: seed)
            let rectangle = try #require(box)
            erasedSome += 1
            for i in image.indices {
                #expect(image[i] == (Self.inside(rectangle, i) ? 0 : source[i]))
            }
        }
        #expect(erasedSome == 20)
    }

    @Test func randomFillDrawsUniformValuesPerPixelAndChannel() throws {
        let (image, box) = Self.erased(RandomErasing(probability: 1, scale: 0.2...0.3, fill: .random), seed: 7)
        let rectangle = try #require(box)
        let values = image.indices.filter { Self.inside(rectangle, $0) }.map { image[$0] }
        #expect(values.count == 2 * rectangle.height * rectangle.width)
        #expect(values.allSatisfy { $0 >= 0 && $0 < 1 })
        #expect(Set(values).count == values.count, "each value its own draw")
        let mean = values.reduce(0, +) / Float(values.count)
        #expect(abs(mean - 0.5) < 0.1)
        // The same seed gives the same image.
        #expect(Self.erased(RandomErasing(probability: 1, scale: 0.2...0.3, fill: .random), seed: 7).image == image)
    }

    @Test func probabilityDecidesHowManyImagesAreErased() {
        let source = (0..<(2 * Self.height * Self.width)).map { Float($0 + 1) / 1000 }
        var changed = 0
        for seed in 0..<400 as Range<UInt64> {
            if Self.erased(RandomErasing(probability: 0.25), seed: seed).image != source { changed += 1 }
        }
        #expect(changed > 70 && changed < 130, "\(changed) of 400 erased at p = 0.25")
        // p = 0 never erases and draws nothing: a spec's other augmentations keep their streams.
        for seed in 0..<20 as Range<UInt64> {
            #expect(AugmenterCompositionTests.augmented(Augmentation(hflip: 0.5, erase: RandomErasing(probability: 0)), seed: seed)
                    == AugmenterCompositionTests.augmented(Augmentation(hflip: 0.5), seed: seed))
        }
        #expect(!Augmentation(erase: RandomErasing(probability: 0)).isEnabled)
        #expect(Augmentation(erase: RandomErasing()).isEnabled)
    }
}
