import CNNIR
import CNNTestSupport
import Foundation
import Testing
@testable import CNNSpec

/// `--set` overrides, `extends`, `blocks` and the resolved spec (`cnnc check --resolved`, a run folder's spec.yaml).
struct CompositionTests {
    static let small = """
        input: [1, 8, 8]
        layers:
          - conv: {filters: 4, size: 3, pad: 1}
          - relu
          - repeat: {times: 2, layers: [conv: {filters: 4, size: 3, pad: 1}]}
          - conv: {filters: 8, size: 3, name: last}
          - flatten
          - dense: {units: 10}
        train:
          optimizer: sgd

        """

    func parse(_ text: String, _ sets: [String] = [], file: String = "c.yaml") throws -> Network {
        try SpecParser.parse(text, file: file, overrides: sets.map { try SpecOverride($0) })[0]
    }

    func error(_ text: String, _ sets: [String] = [], file: String = "c.yaml") -> SpecError? {
        do { _ = try parse(text, sets, file: file); return nil } catch let error as SpecError { return error } catch { return nil }
    }

    func names(_ layers: [Layer]) -> [String] {
        layers.flatMap { layer -> [String] in
            switch layer.kind {
            case .concat(let branches): return [layer.name] + branches.flatMap(names)
            case .residual(let residual):
                var inner = names(residual.body)
                if case .layers(let shortcut) = residual.shortcut { inner += names(shortcut) }
                return [layer.name] + inner
            default: return [layer.name]
            }
        }
    }

    func filters(_ network: Network, _ name: String) -> Int? {
        for layer in network.layers where layer.name == name { if case .conv(let c) = layer.kind { return c.filters } }
        return nil
    }

    // MARK: - --set

    @Test func setsAValueAndExpandsAWordIntoItsMapping() throws {
        let network = try parse(Self.small, ["train.optimizer.lr=0.01", "train.label_smoothing=0.1", "input=[1, 10, 10]"])
        let training = try #require(network.training)
        #expect(training.optimizer.kind == .sgd && training.optimizer.learningRate == 0.01)
        #expect(training.labelSmoothing == 0.1)
        #expect(network.input == Shape(channels: 1, height: 10, width: 10))
    }

    @Test func setsALayerByItsNameAndRemovesOrReplacesOne() throws {
        let network = try parse(Self.small, ["layers.conv1.filters=6", "layers.last.filters=16", "layers.relu1=", "layers.dense1={units: 5}"])
        #expect(filters(network, "conv1") == 6 && filters(network, "last") == 16)
        #expect(!names(network.layers).contains("relu1"))
        guard case .dense(let dense) = network.layers.last!.kind else { Issue.record("not dense"); return }
        #expect(dense.units == 5)
        let replaced = try parse(Self.small, ["layers.relu1=tanh"])
        #expect(names(replaced.layers).contains("tanh1"))
    }

    @Test func aValueIsCheckedAsTheFileWouldBeWithTheErrorOnTheFlag() throws {
        let e = try #require(error(Self.small, ["train.epochs=0"]))
        guard case .invalidValue(let what, "0", _, let at) = e else { Issue.record("got \(e)"); return }
        #expect(what == "'epochs'")
        #expect(at == SourceLocation(file: "--set train.epochs=0", line: 1, column: 20))
        let unknown = try #require(error(Self.small, ["train.epoch=3"]))
        guard case .unknownKey("epoch", _, _, let keyAt) = unknown else { Issue.record("got \(unknown)"); return }
        #expect(keyAt.file == "--set train.epoch=3")
        #expect(unknown.hint == "did you mean 'epochs'?")
    }

    /// The reader's own errors in a value (an unknown alias, an unclosed bracket) point into the flag too.
    @Test func aValuesSyntaxErrorsPointIntoTheFlag() throws {
        do {
            _ = try SpecOverride("train.optimizer=*x")
            Issue.record("an unknown alias was accepted")
        } catch {
            #expect(error.location == SourceLocation(file: "--set train.optimizer=*x", line: 1, column: 23))
        }
        do {
            _ = try SpecOverride("train.optimizer={name: adam")
            Issue.record("an unclosed mapping was accepted")
        } catch {
            #expect(error.location == SourceLocation(file: "--set train.optimizer={name: adam", line: 1, column: 34))
        }
        let duplicate = try #require(error(Self.small, ["layers.conv1.name=relu1"]))
        #expect(duplicate.hint == "the first is given by --set layers.conv1.name=relu1; give each layer its own name")
    }

    @Test func aBadOverrideOrLayerIsAnErrorNamingIt() throws {
        #expect(throws: SpecError.self) { try SpecOverride("train.epochs") }
        #expect(throws: SpecError.self) { try SpecOverride("train..epochs=1") }
        let missing = try #require(error(Self.small, ["layers.conv9.filters=2"]))
        guard case .unknownLayer("conv9", let known, _) = missing else { Issue.record("got \(missing)"); return }
        #expect(known.contains("conv1") && known.contains("last"))
        // conv2 and conv3 are two copies of one written layer: an edit cannot change one alone.
        let copy = try #require(error(Self.small, ["layers.conv2.filters=2"]))
        guard case .layerWrittenOnce("conv2", 2, let written, _) = copy else { Issue.record("got \(copy)"); return }
        #expect(written.line == 5)
    }

    // MARK: - extends

    @Test func extendsMergesMappingsReplacesListsAndPatchesLayersByName() throws {
        let folder = Scratch.directory("extends")
        try Self.small.write(toFile: folder + "/base.yaml", atomically: true, encoding: .utf8)
        let derived = """
            extends: base.yaml
            name: derived
            train: {optimizer: {lr: 0.05}, epochs: 3}
            layers:
              conv1: {filters: 12}
              relu1: null
              last: {conv: {filters: 2, size: 1, name: last}}

            """
        try derived.write(toFile: folder + "/derived.yaml", atomically: true, encoding: .utf8)
        let network = try SpecParser.load(path: folder + "/derived.yaml")[0]
        #expect(network.name == "derived" && network.input == Shape(channels: 1, height: 8, width: 8))
        #expect(network.training?.optimizer.kind == .sgd && network.training?.optimizer.learningRate == 0.05 && network.training?.epochs == 3)
        #expect(filters(network, "conv1") == 12 && filters(network, "last") == 2)
        #expect(!names(network.layers).contains("relu1"))
        // A list replaces the base's layers.
        try "extends: base.yaml\nlayers: [flatten, dense: {units: 3}]\n".write(toFile: folder + "/list.yaml", atomically: true, encoding: .utf8)
        #expect(names(try SpecParser.load(path: folder + "/list.yaml")[0].layers) == ["flatten1", "dense1"])
        // A null removes a key.
        try "extends: base.yaml\ntrain: null\n".write(toFile: folder + "/untrained.yaml", atomically: true, encoding: .utf8)
        #expect(try SpecParser.load(path: folder + "/untrained.yaml")[0].training == nil)
    }

    @Test func extendsCyclesMissingBasesAndBaseErrorsAreLocated() throws {
        let folder = Scratch.directory("extends-errors")
        try "extends: b.yaml\n".write(toFile: folder + "/a.yaml", atomically: true, encoding: .utf8)
        try "extends: a.yaml\n".write(toFile: folder + "/b.yaml", atomically: true, encoding: .utf8)
        do {
            _ = try SpecParser.load(path: folder + "/a.yaml")
            Issue.record("a cycle was accepted")
        } catch {
            guard case .extendsCycle(let chain, let at) = error else { Issue.record("got \(error)"); return }
            #expect(chain.count == 3 && chain.first == chain.last)
            #expect(at.file.hasSuffix("b.yaml") && at.line == 1 && at.column == 10)
        }
        try "extends: nowhere.yaml\n".write(toFile: folder + "/lost.yaml", atomically: true, encoding: .utf8)
        #expect(throws: SpecError.self) { try SpecParser.load(path: folder + "/lost.yaml") }
        try "input: [1, 8, 8]\nlayers: [conv: {filters: 0, size: 3}]\n".write(toFile: folder + "/bad.yaml", atomically: true, encoding: .utf8)
        try "extends: bad.yaml\nname: x\n".write(toFile: folder + "/uses-bad.yaml", atomically: true, encoding: .utf8)
        do {
            _ = try SpecParser.load(path: folder + "/uses-bad.yaml")
            Issue.record("the base's error was missed")
        } catch {
            #expect(error.location.file == folder + "/bad.yaml" && error.location.line == 2)
        }
    }

    // MARK: - blocks

    static let blocks = """
        input: [3, 16, 16]
        blocks:
          basic:
            params: {filters: null, stride: 1}
            layers:
              - residual:
                  - conv: {filters: $filters, size: 3, stride: $stride, pad: 1, bias: false}
                  - batchnorm
                  - relu
                  - conv: {filters: $filters, size: 3, pad: 1, bias: false}
                  - batchnorm
              - relu
          stage:
            params: [filters]
            layers:
              - basic: {filters: $filters, stride: 2}
              - basic: {filters: $filters}
        layers:
          - conv: {filters: 8, size: 3, pad: 1}
          - basic: {filters: 8}
          - stage: {filters: 16, name: down}
          - globalavgpool
          - dense: {units: 10}

        """

    @Test func blocksExpandWithArgumentsDefaultsAndPredictableNames() throws {
        let network = try parse(Self.blocks)
        let all = names(network.layers)
        #expect(all.contains("basic1_residual1") && all.contains("basic1_conv1") && all.contains("basic1_relu2"))
        #expect(all.contains("down_basic1_conv1") && all.contains("down_basic2_conv2") && all.contains("down_basic1_residual1_projection") == false)
        // The stride-2 block's first conv, inside its residual.
        guard case .residual(let residual) = network.layers.first(where: { $0.name == "down_basic1_residual1" })?.kind,
              case .conv(let conv) = residual.body[0].kind else { Issue.record("no residual"); return }
        #expect(conv.filters == 16 && conv.stride == Size2(square: 2))
        // Written out by hand, the same network.
        #expect(names(network.layers).count == 1 + 7 + 14 + 2)
    }

    @Test func blockErrorsNameTheBlockAndThePlace() throws {
        let head = "input: [1, 8, 8]\nblocks:\n"
        func blockError(_ blocks: String, _ layers: String) -> SpecError? { error(head + blocks + "layers: " + layers + "\n") }
        let undeclared = try #require(blockError("  b: {params: [k], layers: [conv: {filters: $n, size: 1}]}\n", "[b: {k: 1}]"))
        guard case .unknownBlockParameter("n", "b", ["k"], let at) = undeclared else { Issue.record("got \(undeclared)"); return }
        #expect(at.line == 3)
        let missing = try #require(blockError("  b: {params: [k], layers: [conv: {filters: $k, size: 1}]}\n", "[b]"))
        guard case .missingKey("k", "block 'b'", _, _) = missing else { Issue.record("got \(missing)"); return }
        let unknown = try #require(blockError("  b: {params: [k], layers: [conv: {filters: $k, size: 1}]}\n", "[b: {k: 1, j: 2}]"))
        guard case .unknownKey("j", "block 'b'", _, _) = unknown else { Issue.record("got \(unknown)"); return }
        let cycle = try #require(blockError("  a: {layers: [b]}\n  b: {layers: [relu, a]}\n", "[a]"))
        guard case .blockCycle(let chain, _) = cycle else { Issue.record("got \(cycle)"); return }
        #expect(chain == ["a", "b", "a"])
        let kind = try #require(blockError("  conv: {layers: [relu]}\n", "[relu]"))
        guard case .invalidValue("block name", "'conv'", _, _) = kind else { Issue.record("got \(kind)"); return }
        // Each use's arguments are checked where they are written.
        let badValue = try #require(blockError("  b: {params: [k], layers: [conv: {filters: $k, size: 1}]}\n", "[b: {k: -1}]"))
        #expect(badValue.location.line == 4)
    }

    /// A nest of aliases inside a block is bounded like one anywhere else: an error, not an exponential walk.
    @Test func aliasNestsInBlocksFailQuickly() throws {
        var params = "      p0: &l0 [1, 1, 1, 1, 1, 1, 1, 1, 1, 1]\n"
        for level in 1...8 { params += "      p\(level): &l\(level) [" + Array(repeating: "*l\(level - 1)", count: 10).joined(separator: ", ") + "]\n" }
        let text = "input: [1, 8, 8]\nblocks:\n  b:\n    params:\n" + params + "    layers: [conv: {filters: 2, size: 1, init: *l8}]\nlayers: [b]\n"
        let e = try #require(error(text))
        guard case .expansionLimit = e else { Issue.record("got \(e)"); return }
    }

    @Test func blocksInsideRepeatGetTheRepeatsSuffixes() throws {
        let text = "input: [1, 8, 8]\nblocks:\n  b: {layers: [conv: {filters: 2, size: 1}, relu]}\nlayers:\n  - repeat: {times: 2, layers: [b]}\n"
        #expect(names(try parse(text).layers) == ["b1_conv1_1", "b1_relu1_1", "b1_conv1_2", "b1_relu1_2"])
    }

    // MARK: - Resolved

    /// Every shipped spec resolves to YAML that parses to the same networks.
    @Test func everyShippedSpecResolvesToTheSameNetworks() throws {
        let manager = FileManager.default
        var paths: [String] = []
        for folder in ["specs", "specs/zoo"] {
            let directory = SpecFiles.root + "/" + folder
            paths += try manager.contentsOfDirectory(atPath: directory).filter { $0.hasSuffix(".yaml") }.sorted().map { directory + "/" + $0 }
        }
        #expect(paths.count > 20)
        for path in paths {
            let text = try SpecParser.resolved(path: path)
            let again = try SpecParser.parse(text, file: path)
            #expect(again.map(Self.withoutLocations) == (try SpecParser.load(path: path)).map(Self.withoutLocations), "\(path)")
            #expect(try SpecParser.resolved(path: path) == YAMLWriter.text(try SpecParser.composed(Array(text.utf8), file: path, overrides: []).map(\.root)),
                    "resolving twice changes \(path)")
        }
    }

    @Test func resolvedSpecsKeepQuotedStringsAndWriteBlocksOut() throws {
        let text = "name: \"123\"\ninput: [1, 8, 8]\nlayers: [flatten, dense: {units: 2}]\n"
        let resolved = YAMLWriter.text(try SpecParser.composed(Array(text.utf8), file: "q.yaml", overrides: []).map(\.root))
        #expect(try SpecParser.parse(resolved, file: "q.yaml")[0].name == "123")
        let blocks = YAMLWriter.text(try SpecParser.composed(Array(Self.blocks.utf8), file: "b.yaml", overrides: []).map(\.root))
        #expect(!blocks.contains("blocks:") && !blocks.contains("$"))
        #expect(Self.withoutLocations(try SpecParser.parse(blocks, file: "b.yaml")[0]) == Self.withoutLocations(try parse(Self.blocks, file: "b.yaml")))
    }

    static func withoutLocations(_ network: Network) -> Network {
        var copy = network
        copy.location = .unknown
        copy.inputLocation = .unknown
        copy.training?.location = .unknown
        copy.layers = copy.layers.map(withoutLocations)
        return copy
    }

    static func withoutLocations(_ layer: Layer) -> Layer {
        var copy = layer
        copy.location = .unknown
        return copy.mappingSublayers(withoutLocations)
    }
}
