import CNNData
import CNNIR
import Testing
@testable import CNNRuntime

/// Batches of distorted, normalised images: each image's distortion depends only on (seed, epoch,
/// image), never on the batch it lands in (so it is the same on any rank layout under MPI), and
/// normalisation comes after the distortions, black fills included.
struct AugmentedBatchTests {
    static let everything = Augmenter(Augmentation(shift: 1, rotate: 10, crop: RandomCrop(pad: 2, fill: .reflect), hflip: 0.5,
                                                   brightness: 0.3, contrast: 0.3))

    /// Six RGB images of 4×5, every value distinct.
    static let data = Dataset(channels: 3, height: 4, width: 5, pixels: (0..<360).map { Float($0) / 360 }, labels: [0, 1, 0, 1, 0, 1])

    static func batch(_ indices: [Int], augmenter: Augmenter = everything, seed: UInt64 = 5, epoch: Int = 2,
                      normalization: Normalization? = nil) -> [[Float]] {
        let size = data.imageSize
        var buffer = [Float](repeating: .nan, count: indices.count * size)
        buffer.withUnsafeMutableBufferPointer {
            Batches.copyAugmented(data, indices: indices, into: $0.baseAddress!, augmenter: augmenter, seed: seed, epoch: epoch,
                                  normalization: normalization)
        }
        return (0..<indices.count).map { Array(buffer[($0 * size)..<(($0 + 1) * size)]) }
    }

    @Test func anImagesDistortionDoesNotDependOnItsBatch() {
        let whole = Self.batch([5, 2, 0, 3])
        // The same images split as two ranks would take them, and one at a time.
        #expect(Self.batch([5, 2]) + Self.batch([0, 3]) == whole)
        #expect(Self.batch([3]) + Self.batch([0]) == [whole[3], whole[2]])
        // Another epoch or seed distorts differently; the distortion does something.
        #expect(Self.batch([5, 2, 0, 3], epoch: 3) != whole)
        #expect(Self.batch([5, 2, 0, 3], seed: 6) != whole)
        let plain = Self.batch([5, 2, 0, 3], augmenter: Augmenter(Augmentation()))
        #expect(plain != whole)
        #expect(whole.allSatisfy { $0.allSatisfy { $0 >= 0 && $0 <= 1 } })
    }

    @Test func normalisationFollowsTheDistortionsFills() {
        // A white image cropped with black padding: every value is either white or black, normalised.
        let white = Dataset(channels: 1, height: 3, width: 3, pixels: [Float](repeating: 1, count: 9 * 8), labels: [Int32](repeating: 0, count: 8))
        let n = Normalization(mean: [0.5], std: [0.25])
        var buffer = [Float](repeating: .nan, count: 72)
        buffer.withUnsafeMutableBufferPointer {
            Batches.copyAugmented(white, indices: Array(0..<8), into: $0.baseAddress!, augmenter: Augmenter(Augmentation(crop: RandomCrop(pad: 1))),
                                  seed: 1, epoch: 0, normalization: n)
        }
        #expect(Set(buffer) == [2, -2])
    }

    @Test func plainCopyNormalisesEachChannel() {
        var buffer = [Float](repeating: .nan, count: 2 * Self.data.imageSize)
        let n = Normalization(mean: [0.1, 0.2, 0.3], std: [0.5, 0.25, 2])
        buffer.withUnsafeMutableBufferPointer { Batches.copy(Self.data, indices: [4, 1], into: $0.baseAddress!, normalization: n) }
        // Channels-last: value k of image slot s is channel k % 3 of pixel k / 3.
        let plane = 20
        for slot in 0..<2 {
            let image = [4, 1][slot]
            for k in 0..<60 {
                let c = k % 3, pixel = k / 3
                let x = Self.data.pixels[image * 60 + c * plane + pixel]
                #expect(buffer[slot * 60 + k] == (x - Float(n.mean[c])) / Float(n.std[c]))
            }
        }
    }
}

/// The normalisation in a checkpoint's metadata: written by the trainer, read by eval, predict and export.
struct NormalizationMetadataTests {
    @Test func roundTripIsExact() throws {
        let n = Normalization(mean: [0.4914, 0.13142889804133429, 1.0 / 3], std: [0.2470, 0.3086624733366609, 0.26158784])
        #expect(try Normalization(metadata: [Normalization.metadataKey: n.json], channels: 3, path: "w.safetensors") == n)
        #expect(try Normalization(metadata: ["format": "cnnc-1"], channels: 3, path: "w.safetensors") == nil)
    }

    @Test(arguments: ["{\"mean\":[0.5],\"std\":[0.5]}", "{\"mean\":[0.5,0.5,0.5],\"std\":[0.5,0,0.5]}", "not json",
                      "{\"mean\":[0.5,\"x\",0.5],\"std\":[1,1,1]}", "{\"std\":[1,1,1]}"])
    func badValuesAreACorruptCheckpoint(text: String) {
        #expect(throws: CheckpointError.self) {
            try Normalization(metadata: [Normalization.metadataKey: text], channels: 3, path: "w.safetensors")
        }
    }
}
