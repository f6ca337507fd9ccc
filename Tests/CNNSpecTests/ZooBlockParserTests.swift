import CNNIR
import Testing
@testable import CNNSpec

/// The model-zoo blocks in the spec: residual `shortcut:`, squeeze_excite, channel_shuffle and slice, as
/// written and as refused (each message with its place).
struct ZooBlockParserTests {
    func layers(_ yaml: String) throws -> [Layer] {
        try SpecParser.parse(yaml, file: "t.yaml")[0].layers
    }

    func error(_ yaml: String) -> SpecError? {
        do {
            _ = try SpecParser.parse(yaml, file: "bad.yaml")
            return nil
        } catch {
            return error
        }
    }

    @Test func shortcutForms() throws {
        let parsed = try layers("""
            input: [3, 8, 8]
            layers:
              - residual: [relu]
              - residual: {layers: [relu], shortcut: identity}
              - residual: {layers: [conv: {filters: 4, size: 1, stride: 2}], shortcut: [conv: {filters: 4, size: 1, stride: 2, bias: false}, batchnorm]}
            """)
        guard case .residual(let automatic) = parsed[0].kind, case .residual(let identity) = parsed[1].kind,
              case .residual(let written) = parsed[2].kind else { Issue.record("got \(parsed)"); return }
        #expect(automatic.shortcut == .automatic && identity.shortcut == .identity)
        guard case .layers(let shortcut) = written.shortcut else { Issue.record("got \(written.shortcut)"); return }
        // Named by the counters after the body (conv1 is the body's), at their own places.
        #expect(shortcut.map(\.name) == ["conv2", "batchnorm1"])
        #expect(shortcut[0].kind == .conv(Convolution(filters: 4, size: Size2(square: 1), stride: Size2(square: 2), bias: false)))
        #expect(shortcut[0].location.line == 5)
        // Walkers see the shortcut as the residual's second branch.
        #expect(parsed[2].kind.branches.count == 2 && parsed[0].kind.branches.count == 1)
    }

    @Test func badShortcuts() throws {
        let word = try #require(error("input: [3, 8, 8]\nlayers:\n  - residual: {layers: [relu], shortcut: projection}\n"))
        guard case .invalidValue("'shortcut'", "'projection'", let requirement, let at) = word else { Issue.record("got \(word)"); return }
        #expect(requirement.hasPrefix("'identity' or a list of layers"))
        #expect(at.line == 3 && at.column == 42)
        let empty = try #require(error("input: [3, 8, 8]\nlayers:\n  - residual: {layers: [relu], shortcut: []}\n"))
        guard case .invalidValue("'shortcut'", "an empty list", _, _) = empty else { Issue.record("got \(empty)"); return }
        let mapping = try #require(error("input: [3, 8, 8]\nlayers:\n  - residual: {layers: [relu], shortcut: {conv: {filters: 3, size: 1}}}\n"))
        guard case .typeMismatch("'shortcut'", _, _, _) = mapping else { Issue.record("got \(mapping)"); return }
        // A shortcut is a residual's key, not concat's.
        let concat = try #require(error("input: [3, 8, 8]\nlayers:\n  - concat: {branches: [[relu]], shortcut: identity}\n"))
        guard case .keyOfAnother("shortcut", _, ["residual"], _, _) = concat else { Issue.record("got \(concat)"); return }
    }

    @Test func squeezeExcite() throws {
        let parsed = try layers("""
            input: [8, 4, 4]
            layers:
              - squeeze_excite: {squeeze: 2}
              - squeeze_excite: {squeeze: 4, activation: silu, gate: hardsigmoid, init: xavier, name: se}
            """)
        #expect(parsed.map(\.name) == ["squeeze_excite1", "se"])
        #expect(parsed[0].kind == .squeezeExcite(SqueezeExcite(squeeze: 2)))
        #expect(parsed[1].kind == .squeezeExcite(SqueezeExcite(squeeze: 4, activation: .silu, gate: .hardsigmoid, initScheme: .xavier)))
        let missing = try #require(error("input: [8, 4, 4]\nlayers:\n  - squeeze_excite\n"))
        guard case .missingKey("squeeze", "'squeeze_excite'", "'squeeze_excite: {squeeze: 4}'", _) = missing else { Issue.record("got \(missing)"); return }
        let gate = try #require(error("input: [8, 4, 4]\nlayers:\n  - squeeze_excite: {squeeze: 2, gate: tanh}\n"))
        guard case .unknownWord("'gate'", "tanh", "sigmoid or hardsigmoid", _, _) = gate else { Issue.record("got \(gate)"); return }
        let zero = try #require(error("input: [8, 4, 4]\nlayers:\n  - squeeze_excite: {squeeze: 0}\n"))
        guard case .invalidValue("'squeeze'", "0", _, _) = zero else { Issue.record("got \(zero)"); return }
    }

    /// Its convs' tensors are `<name>_squeeze.*` and `<name>_excite.*`: a layer of that name would share them.
    @Test func squeezeExciteReservesItsPartsNames() throws {
        let e = try #require(error("input: [8, 4, 4]\nlayers:\n  - squeeze_excite: {squeeze: 2, name: se}\n  - relu: {name: se_excite}\n"))
        guard case .duplicateName("se_excite", let first, let at) = e else { Issue.record("got \(e)"); return }
        #expect(first.line == 3 && at.line == 4)
    }

    @Test func channelShuffleAndSlice() throws {
        let parsed = try layers("input: [8, 4, 4]\nlayers:\n  - channel_shuffle: {groups: 2}\n  - slice: {channels: [0, 3]}\n")
        #expect(parsed.map(\.name) == ["channel_shuffle1", "slice1"])
        #expect(parsed[0].kind == .channelShuffle(ChannelShuffle(groups: 2)))
        #expect(parsed[1].kind == .slice(ChannelSlice(from: 0, to: 3)))
        let groups = try #require(error("input: [8, 4, 4]\nlayers:\n  - channel_shuffle: {groups: 0}\n"))
        guard case .invalidValue("'groups'", "0", _, _) = groups else { Issue.record("got \(groups)"); return }
        let backwards = try #require(error("input: [8, 4, 4]\nlayers:\n  - slice: {channels: [5, 2]}\n"))
        guard case .invalidValue("'channels'", "[5, 2]", let requirement, let at) = backwards else { Issue.record("got \(backwards)"); return }
        #expect(requirement.hasPrefix("[from, to] with from < to"))
        #expect(at.line == 3 && at.column == 23)
        let three = try #require(error("input: [8, 4, 4]\nlayers:\n  - slice: {channels: [0, 2, 4]}\n"))
        // The key's type says two integers: the schema (minItems = maxItems = 2) and the parser agree.
        guard case .typeMismatch("'channels'", "a list of 2 integers", "3 items", _) = three else { Issue.record("got \(three)"); return }
        let negative = try #require(error("input: [8, 4, 4]\nlayers:\n  - slice: {channels: [-1, 2]}\n"))
        guard case .invalidValue("'channels'", "-1", _, _) = negative else { Issue.record("got \(negative)"); return }
    }
}
