import CNNIR
import Foundation
import Testing
@testable import CNNAnalysis
@testable import CNNSpec

/// Residual shortcuts, channel_shuffle and slice: shapes, counts, receptive fields, warnings and the errors
/// a wrong block gives (squeeze_excite's counts are in the runtime's SqueezeExciteTests, beside its numbers).
struct ZooBlockAnalysisTests {
    func analyse(_ yaml: String) throws -> NetworkAnalysis {
        try NetworkAnalysis(try SpecParser.parse(yaml, file: "t.yaml")[0])
    }

    func shapeError(_ yaml: String) throws -> ShapeError? {
        do {
            _ = try analyse(yaml)
            return nil
        } catch let error as ShapeError {
            return error
        }
    }

    /// ResNet-18's layer2.0: its downsample is a strided 1×1 conv without bias and a batchnorm, written by the user.
    @Test func writtenShortcutIsARealSubStack() throws {
        let a = try analyse("""
            input: [64, 56, 56]
            layers:
              - residual:
                  layers: [conv: {filters: 128, size: 3, stride: 2, pad: 1, bias: false}, batchnorm, relu,
                           conv: {filters: 128, size: 3, pad: 1, bias: false}, batchnorm]
                  shortcut: [conv: {filters: 128, size: 1, stride: 2, bias: false}, batchnorm]
            """)
        let block = a.layers[0]
        #expect(block.output == Shape(channels: 128, height: 28, width: 28))
        #expect(block.shortcut.map(\.name) == ["conv3", "batchnorm3"]) // named by the counters, after the body
        #expect(block.shortcut[0].trainableParameters == 64 * 128)
        // torchvision's resnet18 layer2[0]: 64·128·9 + 128·128·9 + 64·128 weights, 3 batchnorms of 2·128 (+ 2·128 running).
        #expect(block.trainableParameters == 64 * 128 * 9 + 128 * 128 * 9 + 64 * 128 + 3 * 256)
        #expect(block.buffers == 3 * 256)
        // Multiply-adds of the three convs (batchnorm's scale and shift are other operations).
        #expect(block.multiplyAdds == 28 * 28 * 128 * (64 * 9 + 128 * 9 + 64))
        #expect(a.allLayers.map(\.name) == ["residual1", "conv1", "batchnorm1", "relu1", "conv2", "batchnorm2", "conv3", "batchnorm3"])
        #expect(a.network.allLayers.map(\.name) == a.allLayers.map(\.name))
        // The body's two 3×3 (1 + 2 + 2·2 = 7) is wider than the shortcut's 1×1 (1): the block's field is the body's.
        #expect(block.receptiveField.height.size == 7)
        // 56 − 1 = 55 is odd, but a 1×1 conv with stride 2 skips every other row by design: no warning about the last.
        #expect(a.diagnostics.isEmpty, "\(a.diagnostics)")
    }

    /// The receptive field is the larger of the two paths', even when the shortcut's is the larger.
    @Test func receptiveFieldIsTheWiderPath() throws {
        let a = try analyse("""
            input: [2, 9, 9]
            layers:
              - residual: {layers: [conv: {filters: 2, size: 1}], shortcut: [conv: {filters: 2, size: 5, pad: 2}]}
            """)
        #expect(a.layers[0].receptiveField.height.size == 5)
    }

    @Test func automaticProjectionIsNotWarnedAbout() throws {
        // 7 → 4 with stride 2: the projection 1×1/2 reads rows 0, 2, 4, 6 of 7, all of them; 8 → 4 skips row 7.
        let a = try analyse("input: [3, 8, 8]\nlayers:\n  - residual: [conv: {filters: 6, size: 2, stride: 2}]\n")
        #expect(a.layers[0].shortcut.map(\.name) == ["residual1_projection"])
        #expect(a.diagnostics.isEmpty, "\(a.diagnostics)")
        // A conv the user writes is warned about when its window (2 ≥ stride 2) leaves the last row of 9 unread.
        let written = try analyse("input: [3, 9, 9]\nlayers:\n  - residual: {layers: [conv: {filters: 6, size: 3, stride: 2}], shortcut: [conv: {filters: 6, size: 2, stride: 2}]}\n")
        #expect(written.diagnostics.map(\.message) == [
            "layer 'conv2': (9 + 0 + 0 − 1·(2 − 1) − 1) = 7 is not divisible by stride 2: the last 1 input row is never read",
            "layer 'conv2': (9 + 0 + 0 − 1·(2 − 1) − 1) = 7 is not divisible by stride 2: the last 1 input column is never read",
        ])
    }

    @Test func identityShortcutRefusesAShapeChange() throws {
        let yaml = "input: [3, 8, 8]\nlayers:\n  - relu\n  - residual: {layers: [conv: {filters: 6, size: 3, stride: 2, pad: 1}], shortcut: identity}\n"
        let e = try #require(try shapeError(yaml))
        #expect(e.message == "layer 'residual1': the body maps 3x8x8 to 6x4x4, but 'shortcut: identity' adds the 3x8x8 input itself")
        #expect(e.hint?.contains("remove 'shortcut: identity'") == true)
        #expect(e.location.line == 4 && e.location.column == 5)
        // 8 → 6 (a 3×3 window, no padding): no whole stride of a 1×1 conv gives 6 from 8 (1 gives 8, 2 gives 4), so the
        // automatic projection is not offered.
        let odd = try #require(try shapeError(
            "input: [3, 8, 8]\nlayers:\n  - residual: {layers: [conv: {filters: 3, size: 3}], shortcut: identity}\n"))
        #expect(odd.hint?.contains("remove 'shortcut: identity'") == false)
        #expect(odd.hint?.hasPrefix("write the shortcut as layers giving 3x6x6") == true, "\(String(describing: odd.hint))")
        // Without the shape change, identity is accepted and adds nothing.
        let same = try analyse("input: [3, 8, 8]\nlayers:\n  - residual: {layers: [conv: {filters: 3, size: 3, pad: 1}], shortcut: identity}\n")
        #expect(same.layers[0].shortcut.isEmpty && same.layers[0].trainableParameters == 3 * 3 * 9 + 3)
    }

    @Test func writtenShortcutMustGiveTheBodysShape() throws {
        let yaml = """
            input: [3, 8, 8]
            layers:
              - residual:
                  layers: [conv: {filters: 6, size: 3, stride: 2, pad: 1}]
                  shortcut: [conv: {filters: 4, size: 1, stride: 2}]
            """
        let e = try #require(try shapeError(yaml))
        guard case .doesNotFit("residual1", let detail, let fix, let at) = e else { Issue.record("got \(e)"); return }
        #expect(detail == "the shortcut maps 3x8x8 to 4x4x4 but the body maps it to 6x4x4; the two are added")
        #expect(fix.contains("6 filters"))
        #expect(at.line == 5 && at.column == 18) // the shortcut's first layer
    }

    @Test func shuffleNeedsChannelsDivisibleByGroups() throws {
        let ok = try analyse("input: [6, 4, 4]\nlayers:\n  - channel_shuffle: {groups: 3}\n")
        #expect(ok.layers[0].name == "channel_shuffle1" && ok.output == Shape(channels: 6, height: 4, width: 4))
        #expect(ok.trainableParameters == 0 && ok.totalMultiplyAdds == 0 && ok.receptiveField.height.size == 1)
        let e = try #require(try shapeError("input: [6, 4, 4]\nlayers:\n  - channel_shuffle: {groups: 4}\n"))
        #expect(e.message == "layer 'channel_shuffle1': its 6 input channels do not divide into 4 groups")
        #expect(e.location.line == 3)
    }

    @Test func sliceKeepsFromUpToTo() throws {
        let a = try analyse("input: [8, 5, 3]\nlayers:\n  - slice: {channels: [2, 8]}\n  - slice: {channels: [0, 1]}\n")
        #expect(a.layers.map(\.name) == ["slice1", "slice2"])
        #expect(a.layers[0].output == Shape(channels: 6, height: 5, width: 3))
        #expect(a.output == Shape(channels: 1, height: 5, width: 3))
        #expect(a.trainableParameters == 0 && a.totalMultiplyAdds == 0)
        let e = try #require(try shapeError("input: [8, 5, 3]\nlayers:\n  - slice: {channels: [4, 9]}\n"))
        #expect(e.message == "layer 'slice1': channels [4, 9] reach past the input's 8 channels")
        #expect(e.hint?.contains("0 ≤ from < to ≤ 8") == true)
    }

    /// ShuffleNetV2's basic unit (stage 2 of the 1.0× net: 116 channels, split in halves of 58).
    @Test func shuffleNetV2Unit() throws {
        let a = try analyse("""
            input: [116, 28, 28]
            layers:
              - concat:
                  - [slice: {channels: [0, 58]}]
                  - [slice: {channels: [58, 116]}, conv: {filters: 58, size: 1, bias: false}, batchnorm, relu,
                     depthwise: {size: 3, pad: 1, bias: false}, batchnorm, conv: {filters: 58, size: 1, bias: false}, batchnorm, relu]
              - channel_shuffle: {groups: 2}
            """)
        #expect(a.output == Shape(channels: 116, height: 28, width: 28))
        // torchvision's shufflenet_v2_x1_0 stage2 unit 2: 58·58 + 58·9 + 58·58 weights, 3 batchnorms of 58·2 (+ 58·2 running).
        #expect(a.trainableParameters == 58 * 58 * 2 + 58 * 9 + 3 * 116)
        #expect(a.receptiveField.height.size == 3)
    }

    /// squeeze_excite scales channels by global context; the receptive field (of convolution and pooling) stays.
    @Test func squeezeExciteKeepsTheReceptiveField() throws {
        let a = try NetworkAnalysis(try SpecParser.parse("""
            input: [8, 16, 16]
            layers:
              - conv: {filters: 8, size: 3, pad: 1}
              - squeeze_excite: {squeeze: 2}
              - conv: {filters: 8, size: 3, pad: 1}
              - globalavgpool
              - dense: {units: 10}
            """)[0])
        #expect(a.layers[1].receptiveField.height.size == 3)
        #expect(a.lastSpatialReceptiveField.height.size == 5)
    }
}
