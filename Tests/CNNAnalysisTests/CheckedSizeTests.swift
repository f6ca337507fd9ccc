import CNNIR
import Foundation
import Testing
@testable import CNNAnalysis
@testable import CNNSpec

/// Sizes near Int.max, and every other absurd number, are located errors: never an overflow trap, a hang
/// or a huge allocation (issue 14). Each hostile spec below crashed or hung `cnnc check` before the checks.
struct CheckedSizeTests {
    /// What a spec does: parse and analyse, returning the error if there is one.
    enum Outcome {
        case analysed(NetworkAnalysis)
        case specError(SpecError)
        case shapeError(ShapeError)
    }

    static func outcome(_ yaml: String) -> Outcome {
        let network: Network
        do {
            network = try SpecParser.parse(yaml, file: "t.yaml")[0]
        } catch {
            return .specError(error)
        }
        do {
            return .analysed(try NetworkAnalysis(network))
        } catch {
            return .shapeError(error)
        }
    }

    func shapeError(_ yaml: String) throws -> ShapeError {
        guard case .shapeError(let error) = Self.outcome(yaml) else {
            Issue.record("expected a shape error for:\n\(yaml)")
            throw CancellationError()
        }
        return error
    }

    // MARK: - The helper

    @Test func checkedArithmeticReportsOverflow() {
        #expect(CheckedSize.product(3, 4, 5) == 60)
        #expect(CheckedSize.product(Int.max, 1) == Int.max)
        #expect(CheckedSize.product(1 << 32, 1 << 31) == nil)
        #expect(CheckedSize.product(Int.min, -1) == nil)
        #expect(CheckedSize.product([]) == 1)
        #expect(CheckedSize.sum(Int.max - 1, 1) == Int.max)
        #expect(CheckedSize.sum(Int.max, 1) == nil)
        #expect(CheckedSize.sum(Int.min, -1) == nil)
        #expect(CheckedSize.difference(Int.min, 1) == nil)
        #expect(CheckedSize.elements(1 << 20, 1 << 20) == CheckedSize.maximumElements)
        #expect(CheckedSize.elements(1 << 20, (1 << 20) + 1) == nil)
        #expect(CheckedSize.elements(Int.max, 2) == nil)
    }

    @Test func projectionStrideInClosedFormAgreesWithTheSearch() {
        for h in 1...12 { for w in 1...12 { for oh in 1...13 { for ow in 1...13 {
            let input = Shape(channels: 1, height: h, width: w), output = Shape(channels: 1, height: oh, width: ow)
            let searched = (1...max(h, w)).first { s in (h - 1) / s + 1 == oh && (w - 1) / s + 1 == ow }
            #expect(NetworkAnalysis.projectionStride(from: input, to: output) == searched, "\(input) -> \(output)")
        } } } }
        // On a 2^39-pixel axis: one division, not 2^39 trials.
        let tall = Shape(channels: 1, height: 1 << 39, width: 1)
        #expect(NetworkAnalysis.projectionStride(from: tall, to: Shape(channels: 1, height: 1 << 38, width: 1)) == 2)
        #expect(NetworkAnalysis.projectionStride(from: tall, to: Shape(channels: 1, height: (1 << 39) + 5, width: 1)) == nil)
    }

    // MARK: - The cases of issue 14, each with its layer and place

    @Test(arguments: [
        // (spec, layer named in the message, line, words in the message)
        ("input: [1, 28, 28]\nlayers:\n  - conv: {filters: 4, size: 3, dilation: 4611686018427387904}\n",
         "conv1", 3, "the window height D·(K − 1) + 1 = 4611686018427387904·(3 − 1) + 1 is too large"),
        ("input: [1, 28, 28]\nlayers:\n  - conv: {filters: 4, size: 3, pad: 9223372036854775807}\n",
         "conv1", 3, "the padded height 28 + 9223372036854775807 + 9223372036854775807 is too large"),
        ("input: [1, 28, 28]\nlayers:\n  - conv: {filters: 4, size: 9223372036854775807, pad: same}\n",
         "conv1", 3, "the window height D·(K − 1) + 1 = 1·(9223372036854775807 − 1) + 1 is too large"),
        ("input: [1, 28, 28]\nlayers:\n  - conv: {filters: 4, size: [3, 1099511627777], pad: same}\n",
         "conv1", 3, "the window width"),
        ("input: [1, 28, 28]\nlayers:\n  - maxpool: {size: 9223372036854775807, pad: 9223372036854775806}\n",
         "maxpool1", 3, "the window height"),
        ("input: [1, 28, 28]\nlayers:\n  - avgpool: {size: 2, pad: [0, 1, 0, 1], stride: 4611686018427387904}\n  - relu\n  - conv: {filters: 1, size: 1, stride: 2}\n",
         "conv1", 5, "the receptive field"),
        ("input: [1, 28, 28]\nlayers:\n  - conv: {filters: 4, size: 3, stride: 9223372036854775807}\n  - conv: {filters: 4, size: 1, stride: 2}\n",
         "conv2", 4, "the receptive field through a 1x1 window, stride 2, dilation 1 (before it: size 3x3, jump 9223372036854775807x9223372036854775807) is too large"),
        ("input: [1, 28, 28]\nlayers:\n  - dense: {units: 9223372036854775807}\n",
         "dense1", 3, "the weight count C·H·W·units = 784·9223372036854775807 is too large"),
        ("input: [1, 28, 28]\nlayers:\n  - dense: {units: 1402438301}\n",
         "dense1", 3, "the weight count C·H·W·units = 784·1402438301 is too large; it must be at most 2^40"),
        ("input: [1, 28, 28]\nlayers:\n  - conv: {filters: 9223372036854775807, size: 3}\n",
         "conv1", 3, "the weight count F·(C/groups)·KH·KW = 9223372036854775807·1·3·3 is too large"),
        ("input: [1, 28, 28]\nlayers:\n  - conv: {filters: 4294967296, size: 1}\n",
         "conv1", 3, "the output C·H·W = 4294967296·28·28 is too large"),
        ("input: [1, 28, 28]\nlayers:\n  - local: {filters: 4294967296, size: 1}\n",
         "local1", 3, "the weight count OH·OW·F·C·KH·KW = 28·28·4294967296·1·1·1 is too large"),
        ("input: [3, 28, 28]\nlayers:\n  - depthwise: {size: 3, multiplier: 4611686018427387904}\n",
         "depthwise1", 3, "the filter count C·multiplier = 3·4611686018427387904 is too large"),
        ("input: [3, 28, 28]\nlayers:\n  - separable: {filters: 9223372036854775807, size: 3}\n",
         "separable1_pointwise", 3, "the weight count F·(C/groups)·KH·KW = 9223372036854775807·3·1·1 is too large"),
        ("input: [1, 28, 28]\nlayers:\n  - separable: {filters: 4, size: 3, dilation: 4611686018427387904}\n",
         "separable1_depthwise", 3, "the window height"),
        ("input: [4294967297, 16, 16]\nlayers:\n  - spp: {levels: [1, 2, 4]}\n",
         "input", 1, "the input 4294967297x16x16 is too large"),
        ("input: [2, 1048576, 1048576]\nlayers:\n  - relu\n",
         "input", 1, "the input 2x1048576x1048576 is too large; it must hold at most 2^40 = 1,099,511,627,776"),
        ("input: [1, 1000, 9223372036854775807]\nlayers:\n  - relu\n",
         "input", 1, "the input 1x1000x9223372036854775807 is too large"),
        ("input: {channels: 4611686018427387904, height: 2, width: 2}\nlayers:\n  - relu\n",
         "input", 1, "the input 4611686018427387904x2x2 is too large"),
        ("input: [1073741824, 32, 32]\nlayers:\n  - spp: {levels: [32, 1]}\n",
         "spp1", 3, "the output count C·Σl² = 1073741824·1025 is too large"),
        ("input: [1, 8, 8]\nlayers:\n  - concat: [[conv: {filters: 549755813888, size: 1, pad: 0}], [conv: {filters: 549755813888, size: 1}]]\n  - relu\n",
         "conv1", 3, "the output C·H·W = 549755813888·8·8 is too large"),
        ("input: [1, 1, 1]\nlayers:\n  - concat:\n      branches: [[conv: {filters: 549755813888, size: 1}], [conv: {filters: 549755813889, size: 1}]]\n      name: join\n",
         "join", 3, "the output C·H·W = 1099511627777·1·1 is too large"),
        ("input: [1, 1048576, 1048576]\nlayers:\n  - conv: {filters: 1, size: 1048576, pad: same, bias: false}\n",
         "conv1", 3, "the multiply-add count OH·OW·weights = 1048576·1048576·1099511627776 is too large"),
        // Each layer has 2^62 multiply-adds; the second takes the total past Int.max.
        ("input: [1, 1048576, 1048576]\nlayers:\n  - conv: {filters: 1, size: 2048, pad: same}\n  - conv: {filters: 1, size: 2048, pad: same}\n",
         "conv2", 4, "the network's multiply-add count up to this layer is too large"),
        ("input: [1, 549755813888, 1]\nlayers:\n  - residual: [conv: {filters: 1, size: 1, pad: [0, 5, 0, 0]}]\n",
         "residual1", 3, "the body maps 1x549755813888x1 to 1x549755813893x1"),
        ("input: [1, 1099511627776, 1]\nlayers:\n  - residual: [conv: {filters: 1, size: 1, pad: [0, 5, 0, 0]}]\n",
         "conv1", 3, "the padded height 1099511627776 + 0 + 5 is too large"),
    ])
    func issueCasesAreLocatedErrors(yaml: String, layer: String, line: Int, words: String) throws {
        let error = try shapeError(yaml)
        #expect(error.message.contains(words), "\(error.message)")
        #expect(error.location.file == "t.yaml" && error.location.line == line && error.location.column > 0)
        if layer == "input" {
            guard case .inputTooLarge = error else { Issue.record("got \(error)"); return }
        } else {
            #expect(error.message.hasPrefix("layer '\(layer)': "), "\(error.message)")
        }
        #expect(error.hint != nil)
    }

    @Test func groupsAndPyramidLevelsNearIntMaxAreTheUsualErrors() throws {
        let groups = try shapeError("input: [1, 28, 28]\nlayers:\n  - conv: {filters: 4, size: 3, groups: 9223372036854775807}\n")
        guard case .groupsMismatch("conv1", _, _, Int.max, _) = groups else { Issue.record("got \(groups)"); return }
        let spp = try shapeError("input: [1, 28, 28]\nlayers:\n  - spp: {levels: [1, 2, 4611686018427387904]}\n")
        guard case .pyramidTooFine("spp1", 1 << 62, _, _) = spp else { Issue.record("got \(spp)"); return }
    }

    @Test func theLimitsThemselvesAreAllowed() throws {
        // 2^40 values in the input, and a 2^40-weight dense layer (the megapixel comparison of specs/locality.yaml).
        guard case .analysed(let a) = Self.outcome("input: [1, 1048576, 1048576]\nlayers:\n  - globalavgpool\n  - dense: {units: 1}\n") else {
            Issue.record("2^40 inputs refused"); return
        }
        #expect(a.activationBytesPerImage == 4 * ((1 << 40) + 2))
        guard case .analysed(let b) = Self.outcome("input: [1, 1048576, 1048576]\nlayers:\n  - dense: {units: 1, bias: false}\n") else {
            Issue.record("2^40 weights refused"); return
        }
        #expect(b.trainableParameters == 1 << 40)
        // A stride past the input is legal: one output, and a jump of Int.max in the receptive field.
        guard case .analysed(let c) = Self.outcome("input: [1, 28, 28]\nlayers:\n  - conv: {filters: 1, size: 3, stride: 9223372036854775807, pad: same}\n") else {
            Issue.record("huge stride refused"); return
        }
        #expect(c.output == Shape(channels: 1, height: 1, width: 1) && c.receptiveField.height.jump == Int.max)
    }

    // MARK: - Every size-like key of every kind

    /// A spec template: `X` is replaced by a hostile value. The hostile layer is on line 4, between a
    /// conv before it and a strided conv and a dense after it (so the receptive field and the flatten see it).
    struct Slot: CustomStringConvertible {
        var layer: String
        /// Values at least 2^62 must fail here; smaller ones (2^32 …) may be legal.
        var input = "[3, 32, 32]"
        var description: String { "\(input) \(layer)" }

        func spec(_ value: String) -> String {
            let replace = { (text: String) in text.replacingOccurrences(of: "X", with: value) }
            return "input: \(replace(input))\nlayers:\n  - conv: {filters: 4, size: 3, pad: 1}\n  - \(replace(layer))\n"
                + "  - conv: {filters: 4, size: 3, stride: 2, pad: same}\n  - dense: {units: 10}\n"
        }
    }

    static let slots: [Slot] = {
        var slots: [Slot] = []
        for input in ["[X, 32, 32]", "[3, X, 32]", "[3, 32, X]", "{channels: 3, height: X, width: 32}"] {
            slots.append(Slot(layer: "relu", input: input))
        }
        let windowed = ["size: X", "size: [X, 3]", "size: [3, X]", "stride: X", "stride: [1, X]", "dilation: X", "dilation: [X, 1]",
                        "pad: X", "pad: [X, 1]", "pad: [1, X]", "pad: [X, 0, 0, 0]", "pad: [0, X, 0, 0]", "pad: [0, 0, 0, X]",
                        "size: X, pad: same", "size: X, pad: full", "dilation: X, pad: same", "dilation: X, pad: full",
                        "stride: X, pad: same", "size: [1, X], stride: X, pad: same"]
        for kind in ["conv: {filters: 4, ", "local: {filters: 2, ", "depthwise: {", "separable: {filters: 4, "] {
            for key in windowed {
                slots.append(Slot(layer: "\(kind)name: hostile, \(key.contains("size:") ? "" : "size: 3, ")\(key)}"))
            }
        }
        for key in ["filters: X", "groups: X", "filters: X, groups: X"] {
            slots.append(Slot(layer: "conv: {size: 3, name: hostile, \(key)}"))
        }
        slots.append(Slot(layer: "local: {size: 3, name: hostile, filters: X}"))
        slots.append(Slot(layer: "separable: {size: 3, name: hostile, filters: X}"))
        slots.append(Slot(layer: "depthwise: {size: 3, name: hostile, multiplier: X}"))
        for kind in ["maxpool", "avgpool"] {
            for key in ["size: X", "size: [X, 2]", "size: X, stride: 1", "stride: X", "size: 2, stride: [1, X]", "size: 3, pad: X",
                        "size: X, pad: same", "size: X, pad: full", "size: X, pad: [0, X, 0, 0]"] {
                slots.append(Slot(layer: "\(kind): {name: hostile, \(key)}"))
            }
        }
        for key in ["levels: [X]", "levels: [1, X]", "levels: [1, 2, X]"] { slots.append(Slot(layer: "spp: {name: hostile, \(key)}")) }
        slots.append(Slot(layer: "dense: {name: hostile, units: X}"))
        slots.append(Slot(layer: "repeat: {times: X, layers: [relu, {conv: {filters: 4, size: 1}}]}"))
        slots.append(Slot(layer: "repeat: {times: 2, layers: [{repeat: {times: X, layers: [relu]}}]}"))
        slots.append(Slot(layer: "concat: {name: hostile, branches: [[conv: {filters: X, size: 1}], [conv: {filters: 4, size: 1}]]}"))
        slots.append(Slot(layer: "concat: {name: hostile, branches: [[conv: {filters: X, size: 1}], [conv: {filters: X, size: 1}]]}"))
        slots.append(Slot(layer: "concat: {name: hostile, branches: [[maxpool: {size: 1, stride: X}], [maxpool: {size: 1, stride: X}]]}"))
        slots.append(Slot(layer: "residual: {name: hostile, layers: [conv: {filters: X, size: 1}]}"))
        slots.append(Slot(layer: "residual: {name: hostile, layers: [conv: {filters: 4, size: 1, stride: X}]}"))
        slots.append(Slot(layer: "residual: {name: hostile, layers: [conv: {filters: 4, size: 1, pad: [0, X, 0, 0]}]}"))
        return slots
    }()

    /// Near Int.max (must fail), moderately large (may be legal), negative and beyond 64 bits (must fail).
    static let mustFail = ["9223372036854775807", "9223372036854775806", "4611686018427387904", "4611686018427387903",
                           "-9223372036854775808", "-4611686018427387904", "-4294967296", "-1",
                           "9223372036854775808", "-9223372036854775809", "18446744073709551616", "99999999999999999999999"]
    static let mayPass = ["4294967296", "4294967295", "3037000500", "1099511627777", "1099511627776", "1048577", "65536"]

    @Test func everySizeLikeKeyOfEveryKind() throws {
        var cases = 0
        for slot in Self.slots {
            for value in Self.mustFail + Self.mayPass {
                let yaml = slot.spec(value)
                cases += 1
                switch Self.outcome(yaml) {
                case .analysed:
                    #expect(Self.mayPass.contains(value), "\(slot) with \(value) was accepted")
                case .specError(let error):
                    // Read errors point at the hostile value itself (line 1 for the input, 4 for the layer).
                    #expect(error.location.file == "t.yaml" && error.location.column > 0, "\(error)")
                    #expect(error.location.line == (slot.input.contains("X") ? 1 : 4), "\(slot) with \(value): \(error)")
                case .shapeError(let error):
                    #expect(error.location.file == "t.yaml" && error.location.column > 0, "\(error)")
                    if slot.input.contains("X") {
                        #expect(error.location.line == 1 || error.message.hasPrefix("layer '"), "\(slot) with \(value): \(error.message)")
                    } else {
                        // The hostile layer, or a later one that its output makes impossible, named in the message.
                        #expect((4...6).contains(error.location.line), "\(slot) with \(value): \(error)")
                        #expect(error.message.hasPrefix("layer '"), "\(error.message)")
                    }
                }
            }
        }
        #expect(cases == Self.slots.count * (Self.mustFail.count + Self.mayPass.count))
        #expect(cases >= 2000)
    }

    // MARK: - Mutations of the shipped specs

    /// Every integer of the shipped specs, one at a time or several at once, replaced by a hostile value
    /// (as the issue's 9,000 mutated specs did): an error or an analysis, never a trap.
    @Test func mutatedShippedSpecsNeverTrap() throws {
        let here = #filePath
        let root = String(here[..<here.range(of: "/Tests/")!.lowerBound])
        let names = try FileManager.default.contentsOfDirectory(atPath: root + "/specs").filter { $0.hasSuffix(".yaml") }.sorted()
        #expect(names.count >= 10)
        var random = SplitMix64(seed: 14)
        let hostile = Self.mustFail + Self.mayPass + ["0", "2", "1024"]
        var mutants = 0
        for name in names {
            let text = Array(try String(contentsOfFile: root + "/specs/" + name, encoding: .utf8).utf8)
            let numbers = Self.integerRanges(in: text)
            guard !numbers.isEmpty else { continue }
            for _ in 0..<40 {
                var mutated = text
                let picks = Set((0..<Int.random(in: 1...3, using: &random)).map { _ in Int.random(in: 0..<numbers.count, using: &random) })
                for pick in picks.sorted(by: >) { // from the end, so earlier ranges stay put
                    mutated.replaceSubrange(numbers[pick], with: Array(hostile.randomElement(using: &random)!.utf8))
                }
                mutants += 1
                switch Self.outcome(String(decoding: mutated, as: UTF8.self)) {
                case .analysed(let a):
                    // The totals the reports print are there and fit.
                    #expect(a.trainableParameters >= 0 && a.buffers >= 0 && a.totalMultiplyAdds >= 0 && a.totalOtherOperations >= 0
                            && a.activationBytesPerImage > 0)
                case .specError(let e):
                    #expect(e.location.line > 0, "\(name): \(e)")
                case .shapeError(let e):
                    #expect(e.location.line > 0, "\(name): \(e)")
                }
            }
        }
        #expect(mutants >= 400)
    }

    /// The byte ranges of integer literals in `text` (digits not inside a word or a decimal number).
    static func integerRanges(in text: [UInt8]) -> [Range<Int>] {
        func isDigit(_ b: UInt8) -> Bool { b >= 48 && b <= 57 }
        func joins(_ b: UInt8) -> Bool { isDigit(b) || (b >= 65 && b <= 90) || (b >= 97 && b <= 122) || b == 46 || b == 95 || b == 45 }
        var ranges: [Range<Int>] = []
        var i = 0
        while i < text.count {
            guard isDigit(text[i]) else { i += 1; continue }
            var j = i
            while j < text.count, isDigit(text[j]) { j += 1 }
            if !(i > 0 && joins(text[i - 1])) && !(j < text.count && joins(text[j])) { ranges.append(i..<j) }
            i = j
        }
        return ranges
    }
}

/// SplitMix64: a small seeded generator, so the mutations are the same on every run.
struct SplitMix64: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// The helper itself, as the readers (IDX, images, safetensors) use it on numbers read from files.
struct CheckedSizeArithmeticTests {
    @Test func productsAndSumsReportOverflowAsNil() {
        #expect(CheckedSize.product([1 << 31, 1 << 31]) == 1 << 62)
        #expect(CheckedSize.product([1 << 32, 1 << 32]) == nil)
        #expect(CheckedSize.product([]) == 1)
        #expect(CheckedSize.sum(Int.max, 1) == nil)
        #expect(CheckedSize.sum(-5, 3) == -2)
        #expect(CheckedSize.difference(Int.min, 1) == nil)
        #expect(CheckedSize.elements(1 << 20, 1 << 20) == 1 << 40)
        #expect(CheckedSize.elements(1 << 20, (1 << 20) + 1) == nil)
    }
}
