import CNNIR
import Testing
@testable import CNNSpec

/// Every kind of bad input becomes a `SpecError` at the right place, never a crash.
struct SpecErrorTests {
    func error(_ yaml: String) -> SpecError? {
        error(bytes: Array(yaml.utf8))
    }

    func error(bytes: [UInt8]) -> SpecError? {
        do {
            _ = try SpecParser.parse(bytes, file: "bad.yaml")
            return nil
        } catch {
            return error
        }
    }

    @Test func malformedYAMLReportsLibyamlProblemAndMark() throws {
        let e = try #require(error("input: [1, 8, 8\nlayers:\n"))
        guard case .syntax(let problem, _, let at) = e else { Issue.record("got \(e)"); return }
        #expect(problem.contains("did not find expected ','"))
        #expect(at.line == 2)
    }

    @Test func unknownLayerKindSuggestsNearest() throws {
        let e = try #require(error("input: [1, 8, 8]\nlayers:\n  - relu\n  - convv: {filters: 3}\n"))
        #expect(e == .unknownLayerKind(name: "convv", at: SourceLocation(file: "bad.yaml", line: 4, column: 5)))
        #expect(e.hint == "did you mean 'conv'?")
    }

    @Test func unknownBareLayerKind() throws {
        let e = try #require(error("input: [1, 8, 8]\nlayers: [relux]\n"))
        #expect(e.hint == "did you mean 'relu'?")
    }

    @Test func unknownKeySuggestsNearest() throws {
        let e = try #require(error("input: [1, 8, 8]\nlayers:\n  - conv: {filters: 3, sise: 3}\n"))
        guard case .unknownKey("sise", "'conv'", _, let at) = e else { Issue.record("got \(e)"); return }
        #expect(at.line == 3 && at.column == 24)
        #expect(e.hint == "did you mean 'size'?")
    }

    @Test func unknownTopLevelKey() throws {
        let e = try #require(error("input: [1, 8, 8]\nlayer: [relu]\n"))
        guard case .unknownKey("layer", _, _, _) = e else { Issue.record("got \(e)"); return }
        #expect(e.hint == "did you mean 'layers'?")
    }

    /// "number > 0" in docs/spec.md and the schema means exactly that: the parser accepts what they
    /// accept (1e-30 once got "'lr' is 1.0e-30; it must be positive") and its message is true.
    @Test func positiveNumbersAreWhatTheDocsSay() throws {
        let spec = { (optimizer: String) in "input: [1, 4, 4]\nlayers: [relu]\ntrain: {optimizer: {\(optimizer)}}\n" }
        let network = try SpecParser.parse(spec("name: sgd, lr: 1.0e-30, weight_decay: 1.0e+4"), file: "ok.yaml")[0]
        #expect(network.training?.optimizer.learningRate == 1e-30)
        #expect(network.training?.optimizer.weightDecay == 1e4)
        let zero = try #require(error(spec("name: adam, lr: 0")))
        #expect(zero.message == "'lr' is 0; it must be positive")
        let negative = try #require(error(spec("name: adam, weight_decay: -1")))
        #expect(negative.message == "'weight_decay' is -1; it must be at least 0")
    }

    @Test func wrongValueTypes() throws {
        let quoted = try #require(error("input: [1, 8, 8]\nlayers:\n  - dense: {units: \"10\"}\n"))
        #expect(quoted.message == "'units' must be an integer, found the string \"10\"")
        let list = try #require(error("input: [1, 8, 8]\nlayers:\n  - conv: {filters: [1], size: 3}\n"))
        #expect(list.message == "'filters' must be an integer, found a list")
        let bool = try #require(error("input: [1, 8, 8]\nlayers:\n  - conv: {filters: 1, size: 3, bias: yes}\n"))
        #expect(bool.message == "'bias' must be true or false, found the word 'yes'")
        let input = try #require(error("input: 28\nlayers: [relu]\n"))
        guard case .typeMismatch = input else { Issue.record("got \(input)"); return }
    }

    @Test(arguments: ["filters: 0, size: 3", "filters: -4, size: 3", "filters: 2, size: 0", "filters: 2, size: 3, stride: 0",
                      "filters: 2, size: [3, -1]", "filters: 2, size: 3, pad: -1", "filters: 2, size: 3, dilation: 0"])
    func zeroOrNegativeSizes(params: String) throws {
        let e = try #require(error("input: [1, 8, 8]\nlayers:\n  - conv: {\(params)}\n"))
        guard case .invalidValue(_, _, let requirement, let at) = e else { Issue.record("got \(e)"); return }
        #expect(requirement.hasPrefix("at least"))
        #expect(at.line == 3)
    }

    @Test func zeroInputDimension() throws {
        let e = try #require(error("input: [1, 0, 8]\nlayers: [relu]\n"))
        guard case .invalidValue = e else { Issue.record("got \(e)"); return }
    }

    @Test func dropoutRateOutOfRange() throws {
        let e = try #require(error("input: [1, 8, 8]\nlayers:\n  - dropout: {rate: 1.0}\n"))
        guard case .invalidValue = e else { Issue.record("got \(e)"); return }
    }

    @Test func missingInput() throws {
        let e = try #require(error("name: x\nlayers: [relu]\n"))
        guard case .missingKey("input", _, _, let at) = e else { Issue.record("got \(e)"); return }
        #expect(at.line == 1)
    }

    @Test func missingRequiredLayerKey() throws {
        let e = try #require(error("input: [1, 8, 8]\nlayers:\n  - conv: {size: 3}\n"))
        guard case .missingKey("filters", _, _, _) = e else { Issue.record("got \(e)"); return }
        let bare = try #require(error("input: [1, 8, 8]\nlayers: [dense]\n"))
        guard case .missingKey("units", _, _, _) = bare else { Issue.record("got \(bare)"); return }
    }

    @Test func emptyLayers() throws {
        let e = try #require(error("input: [1, 8, 8]\nlayers: []\n"))
        #expect(e == .emptyLayers(at: SourceLocation(file: "bad.yaml", line: 2, column: 9)))
    }

    @Test func duplicateNames() throws {
        let e = try #require(error("input: [1, 8, 8]\nlayers:\n  - relu: {name: a}\n  - tanh: {name: a}\n"))
        guard case .duplicateName("a", let first, let at) = e else { Issue.record("got \(e)"); return }
        #expect(first.line == 3 && at.line == 4)
        // A default name colliding with an explicit one is a duplicate too.
        let clash = try #require(error("input: [1, 8, 8]\nlayers:\n  - relu: {name: relu2}\n  - relu\n  - relu\n"))
        guard case .duplicateName("relu2", _, _) = clash else { Issue.record("got \(clash)"); return }
    }

    @Test func duplicateKeys() throws {
        let e = try #require(error("input: [1, 8, 8]\nlayers:\n  - conv: {filters: 1, filters: 2, size: 3}\n"))
        guard case .duplicateKey("filters", _) = e else { Issue.record("got \(e)"); return }
    }

    @Test func layerWithTwoKinds() throws {
        let e = try #require(error("input: [1, 8, 8]\nlayers:\n  - {relu: , tanh: }\n"))
        guard case .typeMismatch(let what, _, _, _) = e else { Issue.record("got \(e)"); return }
        #expect(what == "a layer")
    }

    @Test func binaryGarbage() throws {
        var generator = SystemRandomNumberGenerator()
        let bytes = (0..<4096).map { _ in UInt8.random(in: 0...255, using: &generator) }
        let e = try #require(error(bytes: bytes))
        guard case .syntax = e else { Issue.record("got \(e)"); return }
    }

    @Test func invalidUTF8PointsAtTheByte() throws {
        let e = try #require(error(bytes: Array("name: ab".utf8) + [0xFF, 0xFE] + Array("\ninput: [1, 2, 3]\n".utf8)))
        guard case .syntax(let problem, _, let at) = e else { Issue.record("got \(e)"); return }
        #expect(problem.contains("UTF-8"))
        #expect(at.line == 1 && at.column == 9)
    }

    @Test func veryDeepNestingIsBounded() throws {
        let e = try #require(error(String(repeating: "[", count: 100_000)))
        guard case .nestingTooDeep(let limit, _) = e else { Issue.record("got \(e)"); return }
        #expect(limit == YAMLReader.maximumDepth)
    }

    @Test func billionLaughsIsBounded() throws {
        // Each level repeats the previous nine times: 9^9 layers if expanded naively.
        var yaml = "input: [1, 8, 8]\nlayers:\n  - &l0 {repeat: {times: 9, layers: [relu]}}\n"
        for level in 1...8 {
            let refs = Array(repeating: "*l\(level - 1)", count: 9).joined(separator: ", ")
            yaml += "  - &l\(level) {repeat: {times: 9, layers: [\(refs)]}}\n"
        }
        let e = try #require(error(yaml))
        guard case .tooManyLayers = e else { Issue.record("got \(e)"); return }
    }

    @Test func aliasBombUnderAnUnknownKeyIsRejectedWithoutExpansion() throws {
        var yaml = "input: [1, 8, 8]\nlayers: [relu]\ntrain:\n  optimizer: &a0 {name: adam}\n"
        for level in 1...30 {
            yaml += "  x\(level): &a\(level) [*a\(level - 1), *a\(level - 1)]\n"
        }
        // Unknown keys stop the walk at once; expansion never starts.
        let e = try #require(error(yaml))
        guard case .unknownKey("x1", _, _, _) = e else { Issue.record("got \(e)"); return }
    }

    @Test func mergeBombIsBounded() throws {
        var yaml = "a0: &a0 {k0: 1, k1: 1, k2: 1, k3: 1, k4: 1, k5: 1, k6: 1, k7: 1, k8: 1, k9: 1}\n"
        for level in 1...20_000 { yaml += "a\(level): &a\(level) {<<: *a\(level - 1), m\(level): 1}\n" }
        let e = try #require(error(yaml))
        guard case .expansionLimit = e else { Issue.record("got \(e)"); return }
    }

    @Test func unknownAlias() throws {
        let e = try #require(error("input: *nowhere\nlayers: [relu]\n"))
        #expect(e == .unknownAnchor(name: "nowhere", at: SourceLocation(file: "bad.yaml", line: 1, column: 8)))
    }

    @Test func emptyFile() throws {
        #expect(error("") == .emptyFile(path: "bad.yaml"))
        #expect(error("# only a comment\n") == .emptyFile(path: "bad.yaml"))
    }

    @Test func missingFileAndDirectory() throws {
        #expect(throws: SpecError.fileNotFound(path: "/no/such/spec.yaml")) { try SpecParser.load(path: "/no/such/spec.yaml") }
        #expect(throws: SpecError.isDirectory(path: "/tmp")) { try SpecParser.load(path: "/tmp") }
    }

    @Test func tenMegabyteFileIsRefused() throws {
        let path = "/tmp/cnnc-test-big-\(getpid()).yaml"
        let file = fopen(path, "wb")!
        let line = Array(repeating: UInt8(ascii: "#"), count: 1023) + [10]
        for _ in 0..<(10 * 1024) { fwrite(line, 1, line.count, file) }
        fclose(file)
        defer { unlink(path) }
        #expect(throws: SpecError.fileTooLarge(path: path, bytes: 10 << 20, limit: SpecParser.maximumFileBytes)) {
            try SpecParser.load(path: path)
        }
    }

    @Test func badInitAndOptimizer() throws {
        let initError = try #require(error("input: [1, 8, 8]\ninit: normal(-1)\nlayers: [relu]\n"))
        guard case .invalidValue = initError else { Issue.record("got \(initError)"); return }
        let opt = try #require(error("input: [1, 8, 8]\nlayers: [relu]\ntrain: {optimizer: adamax}\n"))
        guard case .unknownWord(_, "adamax", _, _, _) = opt else { Issue.record("got \(opt)"); return }
    }
}

#if canImport(Glibc)
import Glibc
#endif

/// Errors of the branching layers and their sugar.
struct BranchSpecErrorTests {
    func error(_ yaml: String) -> SpecError? {
        do { _ = try SpecParser.parse(yaml, file: "b.yaml"); return nil } catch { return error }
    }

    @Test func emptyBranchesAreNamed() {
        let empty = error("input: [1, 4, 4]\nlayers:\n  - concat: [[conv: {filters: 1, size: 1}], []]\n")
        #expect(empty?.message.contains("empty list") == true)
        #expect(empty?.location.line == 3)
        #expect(error("input: [1, 4, 4]\nlayers:\n  - residual: []\n")?.message.contains("empty list") == true)
    }

    @Test func branchIsAListOfLayers() {
        let e = error("input: [1, 4, 4]\nlayers:\n  - concat: [relu]\n")
        #expect(e?.message.contains("a list") == true)
    }

    @Test func separableNamesCannotCollide() {
        let e = error("input: [1, 4, 4]\nlayers:\n  - conv: {filters: 1, size: 1, name: s_pointwise}\n  - separable: {filters: 2, size: 3, name: s}\n")
        #expect(e?.message.contains("s_pointwise") == true)
    }

    // MARK: - Numbers near and past Int.max (issue 14)

    @Test(arguments: ["9223372036854775808", "-9223372036854775809", "18446744073709551616", "99999999999999999999999"])
    func integersPast64BitsAreTooLargeNotTheWrongType(_ value: String) throws {
        for layer in ["conv: {filters: \(value), size: 3}", "conv: {filters: 4, size: [3, \(value)]}", "conv: {filters: 4, size: 3, pad: \(value)}",
                      "maxpool: {size: 2, pad: [1, \(value)]}", "dense: {units: \(value)}", "repeat: {times: \(value), layers: [relu]}"] {
            let line = "  - \(layer)"
            let column = line.distance(from: line.startIndex, to: line.range(of: value)!.lowerBound) + 1
            let e = try #require(error("input: [1, 8, 8]\nlayers:\n\(line)\n"))
            guard case .invalidValue(_, value, let requirement, let at) = e else { Issue.record("\(layer): got \(e)"); continue }
            #expect(requirement.contains(value.hasPrefix("-") ? "at least -9223372036854775808" : "at most 9223372036854775807"))
            #expect(at == SourceLocation(file: "b.yaml", line: 3, column: column), "\(layer)")
        }
        let input = try #require(error("input: [1, \(value), 8]\nlayers: [relu]\n"))
        guard case .invalidValue(_, value, _, let at) = input, at.line == 1, at.column == 12 else { Issue.record("got \(input)"); return }
    }

    @Test(arguments: [1_000_000_000, Int.max, Int.max / 2 + 1, 10_001, 5_001])
    func hugeRepeatCountsStopBeforeExpanding(_ times: Int) throws {
        // Two layers per copy: times · 2 overflows for the largest; none builds a layer.
        let e = try #require(error("input: [1, 8, 8]\nlayers:\n  - relu\n  - repeat: {times: \(times), layers: [relu, tanh]}\n"))
        #expect(e == .tooManyLayers(limit: SpecParser.maximumLayers, at: SourceLocation(file: "b.yaml", line: 4, column: 5)))
    }

    @Test func nestedHugeRepeatCountsStopBeforeExpanding() throws {
        let e = try #require(error("input: [1, 8, 8]\nlayers:\n  - repeat: {times: 9999, layers: [{repeat: {times: 9223372036854775807, layers: [relu]}}]}\n"))
        guard case .tooManyLayers(_, let at) = e, at.line == 3 else { Issue.record("got \(e)"); return }
    }

    @Test func negativeExtremesAreBelowTheMinimum() throws {
        for layer in ["conv: {filters: -9223372036854775808, size: 3}", "conv: {filters: 1, size: 3, stride: -4611686018427387904}",
                      "conv: {filters: 1, size: 3, pad: -1}", "depthwise: {size: 3, multiplier: -9223372036854775808}",
                      "spp: {levels: [1, -9223372036854775808]}", "repeat: {times: -9223372036854775808, layers: [relu]}"] {
            let e = try #require(error("input: [1, 8, 8]\nlayers:\n  - \(layer)\n"))
            guard case .invalidValue(_, _, let requirement, let at) = e else { Issue.record("\(layer): got \(e)"); continue }
            #expect(requirement.hasPrefix("at least") && at.line == 3, "\(layer)")
        }
    }

    @Test func sppModeIsChecked() {
        let e = error("input: [1, 4, 4]\nlayers:\n  - spp: {levels: [1, 2], mode: median}\n")
        #expect(e?.message.contains("max or avg") == true)
    }
}
