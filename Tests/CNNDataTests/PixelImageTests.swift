import CNNData
import Testing

/// Grey ↔ RGB conversion and the planar Float view the network reads.
struct PixelImageTests {
    @Test func greyToRGBCopiesTheLevel() {
        let grey = PixelImage(width: 2, height: 1, channels: 1, bytes: [0, 200])
        #expect(grey.converted(toChannels: 3).bytes == [0, 0, 0, 200, 200, 200])
        #expect(grey.converted(toChannels: 1) == grey)
    }

    /// Pillow's `convert("L")`: (19595 R + 38470 G + 7471 B + 2^15) >> 16. Pure red, green and blue give
    /// 76, 150 and 29 in Pillow, (1, 2, 3) gives 2; white stays 255; grey levels survive a round trip through RGB.
    @Test func rgbToGreyIsPillowsLuma() {
        let rgb = PixelImage(width: 5, height: 1, channels: 3, bytes: [255, 0, 0, 0, 255, 0, 0, 0, 255, 255, 255, 255, 1, 2, 3])
        #expect(rgb.converted(toChannels: 1).bytes == [76, 150, 29, 255, 2])
        let levels = PixelImage(width: 256, height: 1, channels: 1, bytes: (0...255).map { UInt8($0) })
        #expect(levels.converted(toChannels: 3).converted(toChannels: 1) == levels)
    }

    @Test func planarFloatsAreChannelsFirst() {
        // [H = 1, W = 2, C = 3] → [C, H, W]
        let image = PixelImage(width: 2, height: 1, channels: 3, bytes: [255, 0, 51, 0, 255, 102])
        #expect(zip(image.planarFloats, [1, 0, 0, 1, 0.2, 0.4] as [Float]).allSatisfy { abs($0 - $1) < 1e-7 })
        // predict's input is eval's to the last bit: the same scaling as a data set's images.
        let set = ImageSet(channels: 3, height: 1, width: 2, bytes: image.bytes, labels: [0], source: "one image")
        #expect(image.planarFloats == set.dataset().pixels)
    }
}
