import CNNAnalysis
import CNNData
import CNNIR
import CNNSpec
import Foundation
import Testing
@testable import CNNRuntime

/// `normalize: auto` in an assembled run: the statistics of the training split, never of the held-out
/// validation images or the test set.
struct TrainingRunNormalizationTests {
    @Test func autoCountsTheTrainingSplitOnly() throws {
        let spec = """
            input: [2, 2, 2]
            layers: [dense: {units: 2}]
            train: {epochs: 1, batch: 4, validation: 0.25, normalize: auto}
            """
        let network = try SpecParser.parse(spec, file: "n.yaml")[0]
        let config = try #require(network.training)
        // 8 training images whose channel 0 is the image's index · 10 (channel 1: twice that); test images are white.
        var bytes: [UInt8] = []
        for n in 0..<8 {
            bytes += [UInt8](repeating: UInt8(n * 10), count: 4)
            bytes += [UInt8](repeating: UInt8(n * 20), count: 4)
        }
        let labels: [Int32] = [0, 1, 0, 1, 0, 1, 0, 1]
        let train = ImageSet(channelsFirst: bytes, channels: 2, height: 2, width: 2, labels: labels, source: "train")
        let test = ImageSet(channelsFirst: [UInt8](repeating: 255, count: 16), channels: 2, height: 2, width: 2, labels: [0, 1], source: "test")
        let data = DataSource(format: .idx, directory: "d", train: train, test: test)
        let folder = TrainingTests().temporaryDirectory("norm-run")
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let run = try TrainingRun(try NetworkAnalysis(network), config: config, data: data, folder: folder, world: SingleProcess(),
                                  threads: 1, kernels: .fastest)
        let split = try #require(run.validation)
        #expect(run.train.count == 6 && split.count == 2)
        // NumPy on the 6 images the split kept: x = value / 255, population std.
        var kept: [Double] = []
        for start in stride(from: 0, to: run.train.pixels.count, by: 8) { kept.append(Double(run.train.pixels[start])) }
        let mean: Double = kept.reduce(0, +) / 6
        var squares: Double = 0
        for x in kept { squares += (x - mean) * (x - mean) }
        let std: Double = (squares / 6).squareRoot()
        let n = try #require(run.model.normalization)
        #expect(abs(n.mean[0] - mean) < 1e-12 && abs(n.std[0] - std) < 1e-12)
        #expect(abs(n.mean[1] - 2 * mean) < 1e-6 && abs(n.std[1] - 2 * std) < 1e-6)
        // Not the statistics of all 8 images (which the held-out two would change).
        let all = ChannelStatistics.normalization(of: data.train.dataset())
        #expect(all.mean[0] != n.mean[0])
    }
}
