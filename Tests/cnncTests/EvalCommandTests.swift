import CNNTestSupport
import Foundation
import Testing

/// `cnnc eval` and `cnnc predict` on hostile inputs, end to end: each is one diagnostic naming the file
/// on stderr and exit status 1 (64 for a bad flag), never a trap, an abort or a NaN accuracy.
struct EvalCommandTests {
    /// A one-layer network over 2×2 images with 3 classes: parameters dense1.weight [3, 4], dense1.bias [3].
    static let spec = "input: [1, 2, 2]\nlayers:\n  - dense: {units: 3}\n"

    let directory: String = {
        let d = Scratch.path("eval")
        try? FileManager.default.createDirectory(atPath: d + "/data", withIntermediateDirectories: true)
        return d
    }()

    func write(_ name: String, _ bytes: [UInt8]) throws -> String {
        let path = directory + "/" + name
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        return path
    }

    static func idx(_ dims: [UInt32], _ body: [UInt8]) -> [UInt8] {
        [0, 0, 8, UInt8(dims.count)] + dims.flatMap { d in [24, 16, 8, 0].map { UInt8(d >> $0 & 255) } } + body
    }

    /// `count` test images (and 4 training images) whose labels are `labels(i)`.
    func dataSet(count: Int = 4, imageCount: UInt32? = nil, labels: (Int) -> UInt8 = { UInt8($0 % 3) }) throws {
        for (prefix, n) in [("train", 4), ("t10k", count)] {
            let declared = prefix == "t10k" ? imageCount ?? UInt32(n) : UInt32(n)
            _ = try write("data/\(prefix)-images-idx3-ubyte", Self.idx([declared, 2, 2], (0..<(4 * n)).map { UInt8($0 * 17 % 256) }))
            _ = try write("data/\(prefix)-labels-idx1-ubyte", Self.idx([UInt32(n)], (0..<n).map(labels)))
        }
    }

    /// A safetensors file for the spec's two tensors, every value `value`, or the header as given.
    func weights(_ value: Float, header: String? = nil) throws -> String {
        let text = header ?? "{\"dense1.bias\":{\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[0,12]},"
            + "\"dense1.weight\":{\"dtype\":\"F32\",\"shape\":[3,4],\"data_offsets\":[12,60]}}"
        let length = UInt64(text.utf8.count)
        let floats = [Float](repeating: value, count: 15).flatMap { v in (0..<4).map { UInt8(v.bitPattern >> (8 * UInt32($0)) & 255) } }
        return try write("w\(value).safetensors", (0..<8).map { UInt8(length >> (8 * UInt64($0)) & 255) } + Array(text.utf8) + floats)
    }

    func eval(_ weights: String, _ extra: [String] = []) throws -> CLI.Result {
        try CLI.run(["eval", try CLI.temporarySpec(Self.spec, name: "tiny3"), "--weights", weights, "--data", directory + "/data"] + extra)
    }

    @Test func sensibleWeightsEvaluate() throws {
        try dataSet()
        let result = try eval(try weights(0.01))
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("(4 images)") || result.stdout.contains("/4)"))
    }

    @Test func weightsThatOverflowAreAnErrorNotNaN() throws {
        try dataSet()
        let path = try weights(3e38)
        let result = try eval(path)
        #expect(result.status == 1)
        #expect(result.stderr.contains("\(path): the network's outputs are not finite with these weights: test image 0 gives"))
        #expect(result.stderr.contains("hint: ") && !result.stdout.contains("accuracy"))
    }

    @Test func testLabelBeyondTheOutputsIsAnError() throws {
        try dataSet(labels: { $0 == 3 ? 7 : 0 })
        let result = try eval(try weights(0.01))
        #expect(result.status == 1)
        #expect(result.stderr.contains("\(directory)/data/t10k-labels-idx1-ubyte: label 7 is outside 0..<3, the network's output size"))
    }

    @Test func emptyTestSetIsAnError() throws {
        try dataSet(count: 0)
        let result = try eval(try weights(0.01))
        #expect(result.status == 1)
        #expect(result.stderr.contains("\(directory)/data/t10k-images-idx3-ubyte: holds no images"))
    }

    @Test func lyingImageCountIsAnError() throws {
        try dataSet(imageCount: 1 << 28)
        let result = try eval(try weights(0.01))
        #expect(result.status == 1)
        #expect(result.stderr.contains("t10k-images-idx3-ubyte: truncated: header promises 1073741824 bytes of data, file has 16"))
    }

    @Test func corruptCheckpointIsAnError() throws {
        try dataSet()
        let path = try weights(0, header: "{\"dense1.bias\":{\"dtype\":\"F32\",\"shape\":[-3],\"data_offsets\":[0,60]}}")
        let result = try eval(path)
        #expect(result.status == 1)
        #expect(result.stderr.contains("\(path): not a valid safetensors file: tensor 'dense1.bias' has a negative dimension -3"))
    }

    @Test func limitBelowOneIsRefused() throws {
        try dataSet()
        let result = try eval(try weights(0.01), ["--limit=-1"])
        #expect(result.status == 64)
        #expect(result.stderr.contains("--limit must be at least 1 image"))
    }

    @Test func predictRefusesHugeImagesAndNonFiniteOutputs() throws {
        let spec = try CLI.temporarySpec(Self.spec, name: "tiny3")
        // A PGM announcing 100000² pixels in 25 bytes.
        let huge = try write("huge.pgm", Array("P5\n100000 100000\n255\n".utf8) + [1, 2, 3])
        var result = try CLI.run(["predict", spec, "--weights", try weights(0.01), huge])
        #expect(result.status == 1)
        #expect(result.stderr.contains("\(huge): image of 100000×100000 pixels is larger than the limit of 67108864 pixels"))
        let small = try write("small.pgm", Array("P2 2 2 255\n0 255 0 255\n".utf8))
        result = try CLI.run(["predict", spec, "--weights", try weights(0.01), small])
        #expect(result.status == 0 && result.stdout.hasPrefix("\(small): class "))
        let path = try weights(3e38)
        result = try CLI.run(["predict", spec, "--weights", path, small])
        #expect(result.status == 1)
        #expect(result.stderr.contains("\(path): the network's outputs are not finite with these weights: \(small) gives"))
    }
}
