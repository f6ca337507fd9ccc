import CNNIR
import Foundation
import Testing
@testable import CNNAnalysis
@testable import CNNSpec

/// Branches, depthwise and separable convs, pyramid pooling: shapes, parameters, multiply-adds and
/// receptive fields against hand-computed values, and the errors a wrong branch gives.
struct BranchAnalysisTests {
    func analyse(_ yaml: String) throws -> NetworkAnalysis {
        try NetworkAnalysis(try SpecParser.parse(yaml, file: "t.yaml")[0])
    }

    func analyseFile(_ name: String, input: Shape? = nil) throws -> [String: NetworkAnalysis] {
        let here = #filePath
        let root = String(here[..<here.range(of: "/Tests/")!.lowerBound])
        let nets = try SpecParser.load(path: root + "/specs/\(name).yaml").map { net in
            var net = net
            if let input { net.input = input }
            return try NetworkAnalysis(net)
        }
        return Dictionary(uniqueKeysWithValues: nets.map { ($0.network.name, $0) })
    }

    @Test func inceptionNaiveAgainstReduced() throws {
        let nets = try analyseFile("inception")
        let naive = try #require(nets["inception-naive"]), reduced = try #require(nets["inception-reduced"])
        // 1×1: 192·64 + 64; 3×3: 192·128·9 + 128; 5×5: 192·32·25 + 32; pooling: none
        #expect(naive.trainableParameters == 12_352 + 221_312 + 153_632)
        // + 1×1 reductions 192·96 + 96 and 192·16 + 16; 3×3 from 96: 96·128·9 + 128; 5×5 from 16: 16·32·25 + 32; pool proj 192·32 + 32
        #expect(reduced.trainableParameters == 12_352 + 18_528 + 110_720 + 3_088 + 12_832 + 6_176)
        let pixels = 28 * 28
        #expect(naive.totalMultiplyAdds == pixels * (192 * 64 + 192 * 128 * 9 + 192 * 32 * 25))
        #expect(reduced.totalMultiplyAdds == pixels * (192 * 64 + 192 * 96 + 96 * 128 * 9 + 192 * 16 + 16 * 32 * 25 + 192 * 32))
        #expect(naive.output == Shape(channels: 64 + 128 + 32 + 192, height: 28, width: 28))
        #expect(reduced.output == Shape(channels: 64 + 128 + 32 + 32, height: 28, width: 28))
        // The receptive field after the branch point is the largest path's: the 5×5.
        #expect(naive.receptiveField.height.size == 5 && reduced.receptiveField.height.size == 5)
    }

    @Test func separableAndFactorizedAgainstStandard() throws {
        let nets = try analyseFile("separable")
        #expect(nets["standard-3x3"]?.trainableParameters == 64 * 64 * 9 + 64)
        // depthwise 64·9 (no bias) + pointwise 64·64 + 64
        #expect(nets["separable-3x3"]?.trainableParameters == 576 + 4_160)
        #expect(nets["factorized-1x3-3x1"]?.trainableParameters == 2 * (64 * 64 * 3 + 64))
        let separable = try #require(nets["separable-3x3"])
        #expect(separable.layers.map(\.name) == ["separable1_depthwise", "separable1_pointwise"])
        if case .conv(let conv) = separable.layers[0].layer.kind {
            #expect(conv.groups == 64 && conv.filters == 64 && !conv.bias)
        } else {
            Issue.record("the depthwise half is not a conv")
        }
        for net in nets.values { #expect(net.receptiveField.height.size == 3 && net.receptiveField.width.size == 3) }
    }

    @Test func kernelChoice() throws {
        let nets = try analyseFile("kernel-choice")
        #expect(nets["conv64-3x3"]?.trainableParameters == 640)
        #expect(nets["conv32-7x7"]?.trainableParameters == 1_600)
    }

    @Test func pyramidPoolingKeepsTheDenseInputWhateverTheImageSize() throws {
        for size in [180, 224, 301] {
            let nets = try analyseFile("pooling", input: Shape(channels: 3, height: size, width: size))
            let spp = try #require(nets["spp-net"])
            let pyramid = try #require(spp.layers.first { if case .spp = $0.layer.kind { return true }; return false })
            #expect(pyramid.output == Shape(channels: 64 * (1 + 4 + 16), height: 1, width: 1))
            #expect(spp.layers.last?.trainableParameters == 1_344 * 10 + 10)
        }
    }

    @Test func pyramidBinsFollowAdaptivePooling() {
        // 5 pixels in 2 bins: [0, 3) and [2, 5), overlapping like torch.nn.AdaptiveMaxPool2d.
        #expect(AdaptiveBins.bin(0, of: 2, extent: 5) == 0..<3)
        #expect(AdaptiveBins.bin(1, of: 2, extent: 5) == 2..<5)
        #expect(AdaptiveBins.bin(2, of: 3, extent: 9) == 6..<9)
    }

    @Test func residualIdentityAndProjection() throws {
        let a = try analyse("""
            input: [16, 28, 28]
            layers:
              - residual: [conv: {filters: 16, size: 3, pad: 1}, relu, conv: {filters: 16, size: 3, pad: 1}]
              - residual: {name: down, layers: [conv: {filters: 32, size: 3, stride: 2, pad: 1}]}
            """)
        let identity = a.layers[0], down = a.layers[1]
        #expect(identity.shortcut.isEmpty)
        #expect(identity.trainableParameters == 2 * (16 * 16 * 9 + 16))
        #expect(identity.receptiveField.height.size == 5) // the body's two 3×3; the identity path is 1
        #expect(down.output == Shape(channels: 32, height: 14, width: 14))
        let projection = try #require(down.shortcut.first)
        #expect(projection.name == "down_projection")
        #expect(projection.window?.stride == Size2(square: 2))
        #expect(down.trainableParameters == 16 * 32 * 9 + 32 + 16 * 32 + 32)
        #expect(down.multiplyAdds == 14 * 14 * 32 * 16 * 9 + 14 * 14 * 32 * 16)
        // Other operations: the body's relu and the add, one per value each; the projection's are multiply-adds.
        #expect(identity.otherOperations == 16 * 28 * 28 + 16 * 28 * 28)
        #expect(down.otherOperations == 32 * 14 * 14)
    }

    @Test func depthwiseMultiplier() throws {
        let a = try analyse("input: [3, 8, 8]\nlayers:\n  - depthwise: {size: 3, multiplier: 2}\n")
        #expect(a.output == Shape(channels: 6, height: 6, width: 6))
        #expect(a.trainableParameters == 6 * 9 + 6)
        #expect(a.layers[0].name == "depthwise1")
    }

    @Test func concatBranchesMustAgreeOnHeightAndWidth() throws {
        let yaml = """
            input: [3, 8, 8]
            layers:
              - concat:
                  - [conv: {filters: 4, size: 3, pad: 1}]
                  - [conv: {filters: 4, size: 3}]
            """
        #expect(throws: ShapeError.self) { try analyse(yaml) }
        do { _ = try analyse(yaml) } catch let error as ShapeError {
            #expect(error.message.contains("branch 1 gives 4x8x8 but branch 2 gives 4x6x6"))
            #expect(error.location.line == 3)
        }
    }

    @Test func residualBodyThatCannotBeProjected() throws {
        let yaml = "input: [3, 8, 8]\nlayers:\n  - residual: [conv: {filters: 3, size: 3}]\n"
        do {
            _ = try analyse(yaml)
            Issue.record("expected an error")
        } catch let error as ShapeError {
            #expect(error.message.contains("the body maps 3x8x8 to 3x6x6"))
        }
    }

    @Test func pyramidLevelFinerThanTheMap() throws {
        #expect(throws: ShapeError.self) { try analyse("input: [1, 3, 3]\nlayers:\n  - spp: {levels: [1, 4]}\n") }
    }

    @Test func branchesAreNamedLikeEveryOtherLayerAndCounted() throws {
        let a = try analyse("""
            input: [1, 8, 8]
            layers:
              - conv: {filters: 2, size: 3, pad: 1}
              - repeat:
                  times: 2
                  layers:
                    - concat:
                        - [conv: {filters: 2, size: 1}]
                        - [conv: {filters: 2, size: 3, pad: 1}, relu]
            """)
        #expect(a.allLayers.map(\.name) == ["conv1", "concat1", "conv2", "conv3", "relu1", "concat2", "conv4", "conv5", "relu2"])
        #expect(a.layers[2].output.channels == 4)
    }
}
