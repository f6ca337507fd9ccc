import CNNIR
import Testing
@testable import CNNAnalysis
@testable import CNNSpec

/// `ceil` on maxpool/avgpool, adaptive pooling and flatten: shapes, receptive fields, warnings and errors.
struct PoolingAnalysisTests {
    func analyse(_ yaml: String) throws -> NetworkAnalysis {
        try NetworkAnalysis(try SpecParser.parse(yaml, file: "t.yaml")[0])
    }

    /// Every expected size is what torch 1.13's F.max_pool2d(..., ceil_mode=True) gives (checked with /usr/bin/python3).
    @Test(arguments: [
        // (input, kernel, stride, pad, output with ceil, output without; 0: no output, an error)
        (112, 3, 2, 0, 56, 55), // GoogLeNet's pools
        (112, 3, 2, 1, 57, 56), (56, 3, 2, 0, 28, 27), (7, 2, 2, 0, 4, 3), (7, 3, 2, 1, 4, 4), (5, 2, 3, 0, 2, 2),
        (5, 2, 2, 1, 3, 3),     // ⌈5/2⌉ + 1 = 4, but the 4th window would start at 6 ≥ 5 + 1
        (2, 3, 2, 0, 1, 0),     // a window larger than the input: with ceil, the one window reads the 2 pixels
        (1, 3, 2, 1, 1, 1),
    ])
    func ceilRule(input: Int, kernel: Int, stride: Int, pad: Int, ceil: Int, floor: Int) throws {
        for (mode, expected) in [("true", ceil), ("false", floor)] {
            for kind in ["maxpool", "avgpool"] {
                let yaml = "input: [1, \(input), \(input)]\nlayers:\n  - \(kind): {size: \(kernel), stride: \(stride), pad: \(pad), ceil: \(mode)}\n"
                guard expected > 0 else {
                    #expect(throws: ShapeError.self) { try analyse(yaml) }
                    continue
                }
                let a = try analyse(yaml)
                #expect(a.output == Shape(channels: 1, height: expected, width: expected), "\(kind) \(input) k\(kernel) s\(stride) p\(pad) ceil \(mode)")
            }
        }
    }

    /// GoogLeNet's 112 → 56: the floored rule gives 55 and leaves a row and a column unread; ceil reads them,
    /// so there is no warning. The receptive field does not depend on ceil.
    @Test func ceilCoversTheRowsAFlooredPoolLeaves() throws {
        let ceil = try analyse("input: [1, 112, 112]\nlayers:\n  - maxpool: {size: 3, stride: 2, ceil: true}\n")
        #expect(ceil.output == Shape(channels: 1, height: 56, width: 56))
        #expect(ceil.diagnostics.isEmpty)
        #expect(ceil.layers[0].window?.ceil == true)
        let floor = try analyse("input: [1, 112, 112]\nlayers:\n  - maxpool: {size: 3, stride: 2}\n")
        #expect(floor.output == Shape(channels: 1, height: 55, width: 55))
        #expect(floor.diagnostics.count == 2)
        #expect(ceil.receptiveField == floor.receptiveField)
        #expect(ceil.receptiveField.height == ReceptiveField(size: 3, jump: 2, start: 1.5))
    }

    /// With ceil, rows go unread only when the stride is larger than the window, which skips rows between
    /// every two windows by design: then the last ones are not worth a warning either.
    @Test func ceilWithStrideAboveTheWindowIsQuiet() throws {
        let a = try analyse("input: [1, 6, 8]\nlayers:\n  - maxpool: {size: 1, stride: 4, ceil: true}\n")
        // height: ⌈5/4⌉ + 1 = 3, less 1 (8 ≥ 6): windows at 0 and 4, row 5 unread; width: ⌈7/4⌉ + 1 = 3, less 1 (8 ≥ 8).
        #expect(a.output == Shape(channels: 1, height: 2, width: 2))
        #expect(a.diagnostics.isEmpty)
    }

    @Test func ceilErrorShowsTheRoundedUpFormula() throws {
        #expect(throws: ShapeError.outputTooSmall(layer: "maxpool1", axis: "height", formula: "⌈(1 + 0 + 0 − 1·(3 − 1) − 1) / 1⌉ + 1 = -1",
                                                  at: SourceLocation(file: "t.yaml", line: 3, column: 5))) {
            try analyse("input: [1, 1, 4]\nlayers:\n  - maxpool: {size: 3, stride: 1, ceil: true}\n")
        }
        let axis = SlidingWindow.Axis(name: "height", input: 5, before: 1, after: 1, kernel: 2, dilation: 1, stride: 2, ceil: true)
        #expect(axis.formula == "⌈(5 + 1 + 1 − 1·(2 − 1) − 1) / 2⌉ + 1 − 1 = 3 (with ceil, a last window starting at or past 5 + 1 is dropped)")
    }

    // MARK: - Adaptive pooling

    @Test func adaptiveBinsAgreeWithTheirLargest() {
        for extent in 1...24 {
            for bins in 1...24 {
                let sizes = (0..<bins).map { AdaptiveBins.bin($0, of: bins, extent: extent).count }
                #expect(AdaptiveBins.largest(of: bins, extent: extent) == sizes.max()!, "\(bins) bins over \(extent)")
                #expect(AdaptiveBins.bin(0, of: bins, extent: extent).lowerBound == 0)
                #expect(AdaptiveBins.bin(bins - 1, of: bins, extent: extent).upperBound == extent)
            }
        }
        // Full-width products: 2^40 · 2^30 would overflow an Int.
        #expect(AdaptiveBins.bin(1 << 30 - 1, of: 1 << 30, extent: 1 << 40) == (1 << 40 - 1 << 10)..<(1 << 40))
    }

    @Test func adaptivePoolingShapesAndFields() throws {
        // AlexNet at 64×64 pools a 1×1 map to 6×6: every bin is the one pixel.
        let alex = try analyse("input: [256, 1, 1]\nlayers:\n  - adaptiveavgpool: {size: 6}\n")
        #expect(alex.output == Shape(channels: 256, height: 6, width: 6))
        #expect(alex.trainableParameters == 0 && alex.totalMultiplyAdds == 0)
        // 256 channels, each of the 36 bins reading the one pixel.
        #expect(alex.totalOtherOperations == 256 * 36)
        #expect(alex.receptiveField.height.size == 1)
        // 13 over 6 bins: the largest bin is 3 pixels (bins 0..<3, 2..<5, 4..<7, 6..<9, 8..<11, 10..<13), jump ⌊13/6⌋ = 2.
        let a = try analyse("input: [2, 13, 12]\nlayers:\n  - adaptivemaxpool: {size: [6, 3]}\n")
        #expect(a.output == Shape(channels: 2, height: 6, width: 3))
        #expect(a.layers[0].window == nil)
        #expect(a.receptiveField.height.size == 3 && a.receptiveField.height.jump == 2)
        // Evenly divided: a 4×4 window with stride 4.
        #expect(a.receptiveField.width == ReceptiveField(size: 4, jump: 4, start: 2))
        #expect(a.diagnostics.isEmpty)
        // 1×1: the whole input, as globalavgpool.
        let whole = try analyse("input: [2, 7, 5]\nlayers:\n  - adaptiveavgpool: {size: 1}\n")
        let global = try analyse("input: [2, 7, 5]\nlayers:\n  - globalavgpool\n")
        #expect(whole.output == global.output && whole.receptiveField == global.receptiveField)
    }

    @Test func adaptiveOutputTooLargeNamesTheLayer() throws {
        let yaml = "input: [1, 4, 4]\nlayers:\n  - adaptiveavgpool: {size: [2097152, 2097152]}\n"
        do {
            _ = try analyse(yaml)
            Issue.record("accepted a 2^42-value output")
        } catch let error as ShapeError {
            guard case .tooLarge(let layer, let what, _, _) = error else { Issue.record("got \(error)"); return }
            #expect(layer == "adaptiveavgpool1")
            #expect(what.hasPrefix("the output C·H·W"))
        }
    }

    @Test func flattenIsOneColumnOfCHW() throws {
        let a = try analyse("input: [3, 4, 5]\nlayers:\n  - conv: {filters: 2, size: 3, pad: 1}\n  - flatten\n  - dense: {units: 7}\n")
        #expect(a.layers.map(\.output) == [Shape(channels: 2, height: 4, width: 5), Shape(channels: 40, height: 1, width: 1),
                                           Shape(channels: 7, height: 1, width: 1)])
        #expect(a.layers[1].trainableParameters == 0 && a.layers[1].multiplyAdds == 0)
        #expect(a.layers[1].receptiveField == a.layers[0].receptiveField)
        #expect(a.layers[2].trainableParameters == 40 * 7 + 7)
    }
}
