import Foundation
import CNNIR
import Testing
@testable import CNNSpec

/// The spec format's rules, read from YAML text into the IR.
struct SpecParserTests {
    func network(_ yaml: String) throws -> Network {
        let networks = try SpecParser.parse(yaml, file: "test.yaml")
        #expect(networks.count == 1)
        return networks[0]
    }

    @Test func minimalNetworkGetsDefaults() throws {
        let net = try network("input: [1, 28, 28]\nlayers: [relu]\n")
        #expect(net.name == "test")
        #expect(net.input == Shape(channels: 1, height: 28, width: 28))
        #expect(net.defaultInit == .he)
        #expect(net.loss == .softmaxCrossEntropy)
        #expect(net.training == nil)
        #expect(net.layers.map(\.name) == ["relu1"])
    }

    @Test func inputAsMapping() throws {
        let net = try network("input: {channels: 3, height: 32, width: 24}\nlayers: [relu]\n")
        #expect(net.input == Shape(channels: 3, height: 32, width: 24))
    }

    @Test func defaultNamesCountPerKindAndExplicitNamesWin() throws {
        let net = try network("""
            input: [1, 8, 8]
            layers:
              - conv: {filters: 2, size: 3}
              - relu
              - conv: {filters: 2, size: 3, name: second}
              - relu
              - conv: {filters: 2, size: 1}
            """)
        #expect(net.layers.map(\.name) == ["conv1", "relu1", "second", "relu2", "conv2"])
        // A kind that ends in a digit is numbered after an underscore.
        let six = try network("input: [1, 8, 8]\nlayers: [relu6, relu, relu6]\n")
        #expect(six.layers.map(\.name) == ["relu6_1", "relu1", "relu6_2"])
    }

    @Test func convolutionKeysAndDefaults() throws {
        let net = try network("""
            input: [4, 8, 8]
            layers:
              - conv: {filters: 8, size: [3, 5], stride: [1, 2], pad: [1, 2], dilation: 2, groups: 2, bias: false, init: normal(0.01)}
              - conv: {filters: 4, size: 3}
            """)
        guard case .conv(let c) = net.layers[0].kind, case .conv(let d) = net.layers[1].kind else {
            Issue.record("expected conv layers"); return
        }
        #expect(c == Convolution(filters: 8, size: Size2(3, 5), stride: Size2(1, 2),
                                 padding: .explicit(top: 1, bottom: 1, left: 2, right: 2),
                                 dilation: Size2(square: 2), groups: 2, bias: false, initScheme: .normal(std: 0.01)))
        #expect(d == Convolution(filters: 4, size: Size2(square: 3)))
    }

    @Test(arguments: [
        ("3", Padding.uniform(3)), ("[1, 2]", .explicit(top: 1, bottom: 1, left: 2, right: 2)),
        ("[0, 1, 2, 3]", .explicit(top: 0, bottom: 1, left: 2, right: 3)),
        ("valid", .valid), ("same", .same), ("full", .full),
    ])
    func paddingForms(text: String, expected: Padding) throws {
        let net = try network("input: [1, 8, 8]\nlayers:\n  - conv: {filters: 1, size: 3, pad: \(text)}\n")
        guard case .conv(let c) = net.layers[0].kind else { Issue.record("not a conv"); return }
        #expect(c.padding == expected)
    }

    @Test(arguments: [("he", InitScheme.he), ("xavier", .xavier), ("normal(0.01)", .normal(std: 0.01)),
                      ("uniform(0.05)", .uniform(limit: 0.05))])
    func initSchemes(text: String, expected: InitScheme) throws {
        #expect(try network("input: [1, 8, 8]\ninit: \(text)\nlayers: [relu]\n").defaultInit == expected)
    }

    @Test func poolingStrideDefaultsToSize() throws {
        let net = try network("input: [1, 8, 8]\nlayers:\n  - maxpool: {size: 2}\n  - avgpool: {size: 3, stride: 1, pad: 1}\n")
        #expect(net.layers[0].kind == .maxPool(Pooling(size: Size2(square: 2), stride: Size2(square: 2))))
        #expect(net.layers[1].kind == .avgPool(Pooling(size: Size2(square: 3), stride: Size2(square: 1), padding: .uniform(1))))
    }

    @Test func poolingCeilAdaptiveAndFlatten() throws {
        let net = try network("""
            input: [1, 8, 8]
            layers:
              - maxpool: {size: 3, stride: 2, ceil: true}
              - avgpool: {size: 2, ceil: false}
              - adaptiveavgpool: {size: 6}
              - adaptivemaxpool: {size: [2, 3], name: amp}
              - flatten
            """)
        #expect(net.layers.map(\.kind) == [
            .maxPool(Pooling(size: Size2(square: 3), stride: Size2(square: 2), ceil: true)),
            .avgPool(Pooling(size: Size2(square: 2))),
            .adaptiveAvgPool(AdaptivePooling(size: Size2(square: 6))),
            .adaptiveMaxPool(AdaptivePooling(size: Size2(2, 3))),
            .flatten,
        ])
        #expect(net.layers.map(\.name) == ["maxpool1", "avgpool1", "adaptiveavgpool1", "amp", "flatten1"])
    }

    @Test(arguments: [
        ("maxpool: {size: 2, ceil: 1}", "'ceil' must be true or false, found the integer 1"),
        ("adaptiveavgpool: {size: 0}", "'size' is 0; it must be at least 1"),
        ("adaptivemaxpool: {size: [2, 3, 4]}", "'size' must be a list of 2 integers, found 3 items"),
        ("adaptivemaxpool: {}", "'adaptivemaxpool' has no 'size'"),
        ("flatten: {size: 2}", "unknown key 'size' in 'flatten'"),
    ])
    func badPoolingValues(layer: String, message: String) throws {
        do {
            _ = try network("input: [1, 8, 8]\nlayers:\n  - \(layer)\n")
            Issue.record("\(layer) was accepted")
        } catch let error as SpecError {
            #expect(error.message == message)
            #expect(error.location.line == 3)
        }
    }

    @Test func bareAndEmptyLayerForms() throws {
        let net = try network("input: [1, 8, 8]\nlayers:\n  - dropout\n  - batchnorm:\n  - dropout: {rate: 0.25}\n  - globalavgpool\n")
        #expect(net.layers.map(\.kind) == [.dropout(rate: 0.5), .batchNorm(BatchNorm()), .dropout(rate: 0.25), .globalAvgPool])
    }

    @Test func repeatExpandsAndNumbersExplicitNames() throws {
        let net = try network("""
            input: [1, 8, 8]
            layers:
              - repeat:
                  times: 3
                  layers:
                    - conv: {filters: 2, size: 3, pad: 1, name: block}
                    - relu
            """)
        #expect(net.layers.map(\.name) == ["block_1", "relu1", "block_2", "relu2", "block_3", "relu3"])
    }

    @Test func nestedRepeatsNumberCopiesOuterInner() throws {
        // Once numbered outer·1000 + inner: 1001 copies collided with the next outer copy, and eight levels overflowed.
        let net = try network("input: [1, 8, 8]\nlayers:\n  - repeat: {times: 2, layers: [{repeat: {times: 1001, layers: [{relu: {name: r}}]}}]}\n")
        #expect(net.layers.count == 2002)
        #expect(net.layers[0].name == "r_1_1" && net.layers[1000].name == "r_1_1001" && net.layers[1001].name == "r_2_1")
        var inner = "{relu: {name: r}}"
        for _ in 0..<12 { inner = "{repeat: {times: 1, layers: [\(inner)]}}" }
        let deep = try network("input: [1, 8, 8]\nlayers:\n  - \(inner)\n")
        #expect(deep.layers.map(\.name) == ["r" + String(repeating: "_1", count: 12)])
    }

    @Test func anchorsAliasesAndMergeKeys() throws {
        let net = try network("""
            input: [1, 8, 8]
            layers:
              - conv: &base {filters: 4, size: 3, pad: 1}
              - conv: {<<: *base, filters: 8}
              - &act relu
              - *act
            """)
        guard case .conv(let a) = net.layers[0].kind, case .conv(let b) = net.layers[1].kind else {
            Issue.record("expected convs"); return
        }
        #expect(a.filters == 4)
        #expect(b.filters == 8)
        #expect(b.padding == .uniform(1))
        #expect(net.layers.map(\.name) == ["conv1", "conv2", "relu1", "relu2"])
    }

    @Test func severalDocumentsAreSeveralNetworks() throws {
        let networks = try SpecParser.parse("input: [1, 4, 4]\nlayers: [relu]\n---\nname: b\ninput: [1, 4, 4]\nlayers: [tanh]\n", file: "x.yaml")
        #expect(networks.map(\.name) == ["x-1", "b"])
    }

    @Test func layersKeepTheirSourceLocation() throws {
        let net = try network("input: [1, 8, 8]\nlayers:\n  - relu\n  - conv: {filters: 1, size: 3}\n")
        #expect(net.layers[0].location == SourceLocation(file: "test.yaml", line: 3, column: 5))
        #expect(net.layers[1].location == SourceLocation(file: "test.yaml", line: 4, column: 5))
    }

    @Test func trainingSection() throws {
        let net = try network("""
            input: [1, 8, 8]
            layers: [relu]
            train:
              epochs: 3
              batch: 32
              optimizer: {name: nesterov, lr: 0.1, momentum: 0.8, weight_decay: 0.0005}
              schedule: {name: step, step_size: 2, gamma: 0.5}
              data: fashion-mnist
              validation: 0.1
              label_smoothing: 0.1
              augment: {shift: 2, rotate: 10}
              seed: 7
            """)
        let t = try #require(net.training)
        #expect(t.epochs == 3 && t.batch == 32 && t.seed == 7 && t.data == "fashion-mnist" && t.validation == 0.1)
        #expect(t.labelSmoothing == 0.1)
        #expect(try #require(try network("input: [1, 8, 8]\nlayers: [relu]\ntrain: {epochs: 1}\n").training).labelSmoothing == 0)
        #expect(throws: SpecError.self) { try network("input: [1, 8, 8]\nlayers: [relu]\ntrain: {label_smoothing: 1}\n") }
        #expect(throws: SpecError.self) { try network("input: [1, 8, 8]\nlayers: [relu]\ntrain: {label_smoothing: -0.1}\n") }
        #expect(t.optimizer.kind == .nesterov && t.optimizer.learningRate == 0.1 && t.optimizer.momentum == 0.8)
        #expect(t.optimizer.weightDecay == 0.0005)
        #expect(t.schedule == .step(stepSize: 2, gamma: 0.5))
        #expect(t.augment == Augmentation(shift: 2, rotate: 10))
    }

    @Test func dataAsNameOrFormatAndPath() throws {
        let named = try #require(try network("input: [1, 8, 8]\nlayers: [relu]\ntrain: {data: data/digits}\n").training)
        #expect(named.data == "data/digits" && named.dataFormat == nil)
        let mapped = try #require(try network("input: [1, 8, 8]\nlayers: [relu]\ntrain: {data: {format: idx, path: data/digits}}\n").training)
        #expect(mapped.data == "data/digits" && mapped.dataFormat == .idx)
        let detected = try #require(try network("input: [1, 8, 8]\nlayers: [relu]\ntrain: {data: {path: data/digits}}\n").training)
        #expect(detected.data == "data/digits" && detected.dataFormat == nil)
        #expect(throws: SpecError.self) { try network("input: [1, 8, 8]\nlayers: [relu]\ntrain: {data: {format: idx}}\n") }
        #expect(throws: SpecError.self) { try network("input: [1, 8, 8]\nlayers: [relu]\ntrain: {data: {format: tiff, path: x}}\n") }
        #expect(throws: SpecError.self) { try network("input: [1, 8, 8]\nlayers: [relu]\ntrain: {data: {path: x, colour: true}}\n") }
    }

    @Test func resizeModeAndFilter() throws {
        let none = try #require(try network("input: [3, 8, 8]\nlayers: [relu]\ntrain: {epochs: 1}\n").training)
        #expect(none.resize == nil)
        let defaults = try #require(try network("input: [3, 8, 8]\nlayers: [relu]\ntrain: {resize: {}}\n").training)
        #expect(defaults.resize == ImageResize(mode: .stretch, filter: .bilinear))
        let crop = try #require(try network("""
            input: [3, 8, 8]
            layers: [relu]
            train: {data: {format: imagefolder, path: pets}, resize: {mode: shorter-side-then-center-crop, filter: area}}
            """).training)
        #expect(crop.resize == ImageResize(mode: .shorterSideThenCenterCrop, filter: .area) && crop.dataFormat == .imagefolder)
        #expect(throws: SpecError.self) { try network("input: [3, 8, 8]\nlayers: [relu]\ntrain: {resize: {mode: crop}}\n") }
        #expect(throws: SpecError.self) { try network("input: [3, 8, 8]\nlayers: [relu]\ntrain: {resize: {filter: bicubic}}\n") }
        #expect(throws: SpecError.self) { try network("input: [3, 8, 8]\nlayers: [relu]\ntrain: {resize: {mode: stretch, size: 3}}\n") }
    }

    @Test func optimizerAndScheduleAsBareWords() throws {
        let t = try #require(try network("input: [1, 8, 8]\nlayers: [relu]\ntrain: {optimizer: sgd, schedule: cosine}\n").training)
        #expect(t.optimizer.kind == .sgd)
        #expect(t.schedule == .cosine(minLearningRate: 0))
    }

    @Test func everyShippedSpecParses() throws {
        for file in ["deepconv", "deepconv-aug", "fashion-bn", "vgg-like", "locality", "lenet5"] {
            let networks = try SpecParser.load(path: SpecFiles.path(file))
            #expect(!networks.isEmpty, "\(file)")
        }
    }

    @Test func editDistanceSuggestsNearestWord() {
        #expect(SpecError.editDistance("convv", "conv") == 1)
        #expect(SpecError.suggestion(for: "maxpol", among: SpecVocabulary.layerKeywords) == "did you mean 'maxpool'?")
        #expect(SpecError.suggestion(for: "zzzzzzzz", among: SpecVocabulary.layerKeywords) == nil)
    }
}

/// Locates the repository's specs/ from this source file.
enum SpecFiles {
    static let root: String = {
        let here = #filePath
        return String(here[..<here.range(of: "/Tests/")!.lowerBound])
    }()

    static func path(_ name: String) -> String { root + "/specs/\(name).yaml" }
}
