import CNNAnalysis
import CNNSpec
import Foundation
import Testing
@testable import CNNRuntime

/// channel_shuffle and slice move values without arithmetic: each output channel must hold exactly the input
/// channel PyTorch's rule names, at every pixel, and the gradient must go back to where the value came from.
struct ChannelLayoutTests {
    /// Runs a one-layer network on x[h, w, c] = 100·c + h·10 + w (so every value names its channel and pixel),
    /// and backward with dL/dy[h, w, k] = 1000 + k.
    static func run(_ layer: String, channels: Int) throws -> (output: [Float], outputChannels: Int, inputGradient: [Float]) {
        let yaml = "input: [\(channels), 2, 3]\nlayers:\n  - \(layer)\n"
        let analysis = try NetworkAnalysis(try SpecParser.parse(yaml)[0])
        let model = Model(analysis, batchCapacity: 1)
        let out = analysis.output.channels
        for h in 0..<2 { for w in 0..<3 { for c in 0..<channels { model.input[(h * 3 + w) * channels + c] = Float(100 * c + h * 10 + w) } } }
        let context = StepContext(training: true, threads: 1)
        model.forward(batch: 1, context: context)
        let output = (0..<(6 * out)).map { model.output[$0] }
        for p in 0..<6 { for k in 0..<out { model.outputGradient[p * out + k] = Float(1000 + k) } }
        var dx = [Float](repeating: .nan, count: 6 * channels)
        dx.withUnsafeMutableBufferPointer { model.backward(batch: 1, context: context, inputGradient: $0.baseAddress!) }
        return (output, out, dx)
    }

    /// PyTorch: torch.arange(6).view(1, 6, 1, 1) shuffled with groups 3 (view(1, 3, 2, …).transpose(1, 2)) is [0, 2, 4, 1, 3, 5].
    @Test func shuffleInterleavesTheGroupsAsPyTorch() throws {
        let (y, out, dx) = try Self.run("channel_shuffle: {groups: 3}", channels: 6)
        #expect(out == 6)
        let source = [0, 2, 4, 1, 3, 5]
        for h in 0..<2 { for w in 0..<3 { for k in 0..<6 {
            #expect(y[(h * 3 + w) * 6 + k] == Float(100 * source[k] + h * 10 + w))
            #expect(dx[(h * 3 + w) * 6 + source[k]] == Float(1000 + k))
        } } }
    }

    @Test func sliceKeepsChannelsFromUpToTo() throws {
        let (y, out, dx) = try Self.run("slice: {channels: [2, 5]}", channels: 6)
        #expect(out == 3)
        for p in 0..<6 {
            let (h, w) = (p / 3, p % 3)
            #expect(y[p * 3 ..< p * 3 + 3].elementsEqual((2..<5).map { Float(100 * $0 + h * 10 + w) }))
            #expect(dx[p * 6 ..< p * 6 + 6].elementsEqual([0, 0, 1000, 1001, 1002, 0]))
        }
    }
}
