import CNNIR
import Foundation
import Testing
@testable import CNNAnalysis
@testable import CNNSpec

/// Shapes, parameters, multiply-adds and receptive fields against hand-computed values.
struct NetworkAnalysisTests {
    func analyse(_ yaml: String) throws -> NetworkAnalysis {
        try NetworkAnalysis(try SpecParser.parse(yaml, file: "t.yaml")[0])
    }

    func analyseFile(_ name: String) throws -> [NetworkAnalysis] {
        let here = #filePath
        let root = String(here[..<here.range(of: "/Tests/")!.lowerBound])
        return try SpecParser.load(path: root + "/specs/\(name).yaml").map { try NetworkAnalysis($0) }
    }

    // MARK: - The seed tables

    @Test func deepConvNetHas123552Parameters() throws {
        let a = try #require(try analyseFile("deepconv").first)
        // conv: 16·9+16, 16·16·9+16, 32·16·9+32, 32·32·9+32, 64·32·9+64, 64·64·9+64; dense: 1024·50+50, 50·10+10
        let expected = [160, 2_320, 4_640, 9_248, 18_496, 36_928, 51_250, 510]
        #expect(a.layers.filter { $0.trainableParameters > 0 }.map(\.trainableParameters) == expected)
        #expect(a.trainableParameters == 123_552)
        let shapes = a.layers.filter { if case .maxPool = $0.layer.kind { return true }; return false }.map(\.output)
        #expect(shapes == [Shape(channels: 16, height: 14, width: 14), Shape(channels: 32, height: 8, width: 8),
                           Shape(channels: 64, height: 4, width: 4)])
        #expect(a.output == Shape(channels: 10, height: 1, width: 1))
        // 28·28·16·9 + 28·28·16·144 + 14·14·32·144 + 16·16·32·288 + 8·8·64·288 + 8·8·64·576 + 1024·50 + 50·10
        #expect(a.totalMultiplyAdds == 112_896 + 1_806_336 + 903_168 + 2_359_296 + 1_179_648 + 2_359_296 + 51_200 + 500)
    }

    /// ResNet-50 as torchvision builds it (bottlenecks with the stride on the 3×3 conv, "v1.5"), except for the
    /// shortcut: cnnc's automatic projection is a 1×1 conv with bias and no batchnorm, where torchvision's
    /// downsample is a 1×1 conv without bias and a batchnorm. So for each projection, of C = 256, 512, 1,024 and
    /// 2,048 channels, torchvision has 2C learned parameters and 2C buffers where cnnc has C biases: its
    /// 25,557,032 parameters and 53,120 buffers are cnnc's 25,553,192 + 3,840 and 45,440 + 7,680.
    /// Every figure below was checked against torchvision 0.14's resnet50 with cnnc's shortcut, counted with
    /// forward hooks under the same convention (conv and linear multiply-adds; batchnorm 2, ReLU 1 and the
    /// block's add 1 per value; max-pooling 9 per output; the average pool 1 per input value).
    @Test func resNet50WithTheAutomaticProjection() throws {
        func stage(_ blocks: Int, _ width: Int, stride: Int) -> String {
            func block(_ stride: Int) -> String {
                "residual: [conv: {filters: \(width), size: 1, bias: false}, batchnorm, relu, "
                    + "conv: {filters: \(width), size: 3, stride: \(stride), pad: 1, bias: false}, batchnorm, relu, "
                    + "conv: {filters: \(4 * width), size: 1, bias: false}, batchnorm]"
            }
            return "  - \(block(stride))\n  - relu\n  - repeat: {times: \(blocks - 1), layers: [\(block(1)), relu]}\n"
        }
        let a = try analyse("name: resnet50\ninput: [3, 224, 224]\nlayers:\n"
            + "  - conv: {filters: 64, size: 7, stride: 2, pad: 3, bias: false}\n  - batchnorm\n  - relu\n"
            + "  - maxpool: {size: 3, stride: 2, pad: 1}\n"
            + stage(3, 64, stride: 1) + stage(4, 128, stride: 2) + stage(6, 256, stride: 2) + stage(3, 512, stride: 2)
            + "  - globalavgpool\n  - dense: {units: 1000}\n")
        #expect(a.trainableParameters == 25_557_032 - 3_840)
        #expect(a.buffers == 53_120 - 7_680)
        #expect(a.storedValues == 25_598_632)
        #expect(a.totalMultiplyAdds == 4_089_184_256) // torchvision's "4.09 GFLOPS"
        #expect(a.totalOtherOperations == 36_252_160)
        #expect(a.lastSpatialReceptiveField.height.size == 427 && a.receptiveField.height.size == 619)
        #expect(a.outputIsVector && a.output.count == 1_000)
    }

    /// specs/zoo/resnet50.yaml writes torchvision's downsample (`shortcut: [conv …, bias: false, batchnorm]`):
    /// the published figures (torchvision's table: 25,557,032 parameters, 4.09 GFLOPS), checked against
    /// torchvision itself by Tests/EndToEnd/zoo.sh and, with the other operations, branches.sh.
    @Test func zooResNet50CountsAsPublished() throws {
        let a = try #require(try analyseFile("zoo/resnet50").first)
        #expect(a.trainableParameters == 25_557_032 && a.buffers == 53_120)
        #expect(a.totalMultiplyAdds == 4_089_184_256 && a.totalOtherOperations == 39_262_720)
        #expect(a.lastSpatialReceptiveField.height.size == 427)
        #expect(a.diagnostics.isEmpty, "\(a.diagnostics)")
    }

    @Test func stacked3x3AgainstOne5x5And7x7() throws {
        let nets = try analyseFile("vgg-like")
        let byName = Dictionary(uniqueKeysWithValues: nets.map { ($0.network.name, $0) })
        let expectations: [(String, Int, Int)] = [("conv5x5", 25, 5), ("two-3x3", 18, 5), ("conv7x7", 49, 7), ("three-3x3", 27, 7),
                                                  ("vgg-7x7-c64", 49 * 64 * 64, 7), ("vgg-3x3x3-c64", 27 * 64 * 64, 7)]
        for (name, params, rf) in expectations {
            let a = try #require(byName[name], "\(name)")
            #expect(a.trainableParameters == params, "\(name)")
            #expect(a.receptiveField.height.size == rf && a.receptiveField.width.size == rf, "\(name)")
        }
    }

    @Test func denseAgainstLocalAgainstSharedConvOnAMegapixel() throws {
        let nets = try analyseFile("locality")
        #expect(nets.map(\.trainableParameters) == [1_000_000_000_000, 100_000_000, 100])
        // `same` keeps 1000x1000 with a 10x10 kernel: 9 pixels of padding, 4 before and 5 after.
        #expect(nets[1].output == Shape(channels: 1, height: 1000, width: 1000))
        #expect(nets[2].layers[0].window?.padding == ResolvedPadding(top: 4, bottom: 5, left: 4, right: 5))
    }

    // MARK: - The sliding-window rule

    @Test(arguments: [
        // (input, kernel, stride, pad, dilation, expected output)
        (28, 3, 1, 1, 1, 28), (28, 2, 2, 0, 1, 14), (14, 3, 1, 2, 1, 16), (7, 3, 2, 0, 1, 3),
        (224, 7, 2, 3, 1, 112), (5, 3, 1, 0, 2, 1), (10, 3, 3, 0, 1, 3), (227, 11, 4, 0, 1, 55),
    ])
    func slidingWindowRule(input: Int, kernel: Int, stride: Int, pad: Int, dilation: Int, expected: Int) throws {
        let a = try analyse("input: [1, \(input), \(input)]\nlayers:\n  - conv: {filters: 1, size: \(kernel), stride: \(stride), pad: \(pad), dilation: \(dilation)}\n")
        #expect(a.output.height == expected && a.output.width == expected)
    }

    @Test func impossibleLayerNamesItselfAndShowsTheNumbers() throws {
        let yaml = "input: [1, 8, 8]\nlayers:\n  - conv: {filters: 4, size: 3}\n  - maxpool: {size: 2}\n  - conv: {filters: 4, size: 5}\n"
        #expect(throws: ShapeError.outputTooSmall(layer: "conv2", axis: "height", formula: "⌊(3 + 0 + 0 − 1·(5 − 1) − 1) / 1⌋ + 1 = -1",
                                                  at: SourceLocation(file: "t.yaml", line: 5, column: 5))) {
            try analyse(yaml)
        }
    }

    @Test func droppedRowsAreAWarningWithNumbers() throws {
        let a = try analyse("input: [1, 7, 7]\nlayers:\n  - maxpool: {size: 2}\n")
        #expect(a.output == Shape(channels: 1, height: 3, width: 3))
        #expect(a.diagnostics.count == 2)
        #expect(a.diagnostics[0].message
                == "layer 'maxpool1': (7 + 0 + 0 − 1·(2 − 1) − 1) = 5 is not divisible by stride 2: the last 1 input row is never read")
        #expect(a.diagnostics[1].message.hasSuffix("the last 1 input column is never read"))
    }

    @Test func samePaddingKeepsSizeAndPutsTheOddPixelAfter() throws {
        let even = try analyse("input: [1, 9, 9]\nlayers:\n  - conv: {filters: 1, size: 4, pad: same}\n")
        #expect(even.output == Shape(channels: 1, height: 9, width: 9))
        #expect(even.layers[0].window?.padding == ResolvedPadding(top: 1, bottom: 2, left: 1, right: 2))
        let strided = try analyse("input: [1, 9, 9]\nlayers:\n  - conv: {filters: 1, size: 3, stride: 2, pad: same}\n")
        #expect(strided.output.height == 5) // ⌈9 / 2⌉
    }

    @Test func fullPadding() throws {
        let a = try analyse("input: [1, 5, 5]\nlayers:\n  - conv: {filters: 1, size: 3, pad: full}\n")
        #expect(a.output.height == 7)
    }

    @Test func asymmetricKernelAndPerSidePadding() throws {
        let a = try analyse("input: [2, 10, 12]\nlayers:\n  - conv: {filters: 3, size: [1, 3], pad: [0, 1, 2, 0]}\n")
        // height: 10 + 0 + 1 − 1 + 1 = 11; width: 12 + 2 + 0 − 3 + 1 = 12
        #expect(a.output == Shape(channels: 3, height: 11, width: 12))
        #expect(a.trainableParameters == 3 * 2 * 1 * 3 + 3)
    }

    @Test func groupsDivideWeightsAndMustDivideChannels() throws {
        let a = try analyse("input: [32, 8, 8]\nlayers:\n  - conv: {filters: 64, size: 3, groups: 32, bias: false}\n")
        #expect(a.trainableParameters == 64 * 1 * 9)
        #expect(throws: ShapeError.self) { try analyse("input: [3, 8, 8]\nlayers:\n  - conv: {filters: 4, size: 3, groups: 2}\n") }
    }

    @Test func batchNormHasParametersAndBuffersButNoMultiplyAdds() throws {
        let a = try analyse("input: [8, 4, 4]\nlayers:\n  - batchnorm\n")
        #expect(a.trainableParameters == 16 && a.buffers == 16 && a.storedValues == 32)
        // Its scale and shift are other operations (2 per value), not multiply-adds (torchvision's convention).
        #expect(a.totalMultiplyAdds == 0 && a.totalOtherOperations == 2 * 8 * 4 * 4)
    }

    @Test func poolPaddingAsLargeAsTheWindowIsRejected() throws {
        #expect(throws: ShapeError.self) { try analyse("input: [1, 8, 8]\nlayers:\n  - maxpool: {size: 2, pad: 2}\n") }
        let ok = try analyse("input: [1, 8, 8]\nlayers:\n  - maxpool: {size: 3, stride: 2, pad: 1}\n")
        #expect(ok.output.height == 4)
    }

    @Test func absurdSizesAreAnErrorNotATrap() throws {
        #expect(throws: ShapeError.self) {
            try analyse("input: [1000000, 1000000, 1000000]\nlayers:\n  - dense: {units: 1000000000}\n")
        }
    }

    // MARK: - Receptive fields (Araujo et al. recurrence)

    @Test func receptiveFieldSizeJumpAndStart() throws {
        // conv 3 p1 → size 3, jump 1, start 0.5; pool 2/2 → size 4, jump 2, start 1.0;
        // conv 3 p0 → size 4 + 2·2 = 8, jump 2, start 1 + (1 − 0)·2 = 3.
        let a = try analyse("input: [1, 16, 16]\nlayers:\n  - conv: {filters: 1, size: 3, pad: 1}\n  - maxpool: {size: 2}\n  - conv: {filters: 1, size: 3}\n")
        let fields = a.layers.map(\.receptiveField.height)
        #expect(fields == [ReceptiveField(size: 3, jump: 1, start: 0.5), ReceptiveField(size: 4, jump: 2, start: 1.0),
                           ReceptiveField(size: 8, jump: 2, start: 3.0)])
    }

    @Test func dilationWidensTheField() throws {
        // effective kernel 2·(3 − 1) + 1 = 5
        let a = try analyse("input: [1, 16, 16]\nlayers:\n  - conv: {filters: 1, size: 3, dilation: 2}\n")
        #expect(a.receptiveField.height == ReceptiveField(size: 5, jump: 1, start: 2.5))
    }

    @Test func deepConvNetReceptiveFields() throws {
        let a = try #require(try analyseFile("deepconv").first)
        let convs = a.layers.filter { if case .conv = $0.layer.kind { return true }; return false }.map(\.receptiveField.height.size)
        // 3, 5, (pool: 6) 10, 14, (pool: 16) 24, 32
        #expect(convs == [3, 5, 10, 14, 24, 32])
        let conv4 = try #require(a.layers.first { $0.name == "conv4" })
        #expect(conv4.receptiveField.height == ReceptiveField(size: 14, jump: 2, start: -1)) // pad 2 moves the start left
    }
}
