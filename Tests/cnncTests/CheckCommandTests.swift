import Foundation
import Testing

/// `cnnc check` and `cnnc params` end to end: the binary, real spec files, exit codes and golden output.
struct CheckCommandTests {
    @Test func checkDeepConvMatchesSnapshot() throws {
        let result = try CLI.run(["check", "specs/deepconv.yaml"])
        #expect(result.status == 0)
        #expect(result.stdout == (try CLI.snapshot("check-deepconv.txt")))
    }

    @Test func paramsVGGLikeMatchesSnapshot() throws {
        let result = try CLI.run(["params", "specs/vgg-like.yaml"])
        #expect(result.status == 0)
        #expect(result.stdout == (try CLI.snapshot("params-vgg-like.txt")))
    }

    @Test func paramsLocalityShowsTheThreeCounts() throws {
        let result = try CLI.run(["params", "specs/locality.yaml"])
        #expect(result.status == 0)
        #expect(result.stdout == (try CLI.snapshot("params-locality.txt")))
    }

    @Test func jsonReportHasTheStableKeys() throws {
        let result = try CLI.run(["check", "--json", "specs/deepconv.yaml"])
        #expect(result.status == 0)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        let networks = try #require(object["networks"] as? [[String: Any]])
        #expect(networks.count == 1)
        let net = networks[0]
        #expect(net["name"] as? String == "deepconv")
        #expect(net["params"] as? Int == 123_552 && net["buffers"] as? Int == 0)
        #expect(net["total_macs"] as? Int == 8_772_340)
        // relu: 2·12,544 + 6,272 + 8,192 + 2·4,096 + 50; max-pooling 4 per output: 12,544 + 8,192 + 4,096.
        #expect(net["total_other_ops"] as? Int == 2 * 12_544 + 6_272 + 8_192 + 2 * 4_096 + 50 + 12_544 + 8_192 + 4_096)
        #expect(net["output"] as? [Int] == [10, 1, 1] && net["output_shape"] as? [Int] == [10])
        let lastConv = try #require(net["rf_last_conv"] as? [String: Any])
        #expect(lastConv["size"] as? Int == 36 && lastConv["jump"] as? Int == 8)
        #expect((net["rf"] as? [String: Any])?["size"] as? Int == 60)
        #expect(net["total_params"] == nil && net["trainable_params"] == nil)
        let layers = try #require(net["layers"] as? [[String: Any]])
        #expect(layers.count == 20)
        let first = layers[0]
        #expect(first["name"] as? String == "conv1" && first["kind"] as? String == "conv")
        #expect(first["output"] as? [Int] == [16, 28, 28] && first["output_shape"] as? [Int] == [16, 28, 28])
        #expect(first["params"] as? Int == 160 && first["buffers"] as? Int == 0 && first["macs"] as? Int == 112_896)
        #expect(first["other_ops"] as? Int == 0 && layers[1]["other_ops"] as? Int == 12_544)
        #expect(layers[15]["output"] as? [Int] == [50, 1, 1] && layers[15]["output_shape"] as? [Int] == [50])
        let rf = try #require(first["rf"] as? [String: Any])
        #expect(rf["size"] as? Int == 3 && rf["jump"] as? Int == 1 && rf["start"] as? Double == 0.5)
    }

    @Test func jsonReportSeparatesBatchnormBuffers() throws {
        let result = try CLI.run(["params", "--json", "specs/fashion-bn.yaml"])
        #expect(result.status == 0)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        let net = try #require((object["networks"] as? [[String: Any]])?.first)
        #expect(net["params"] as? Int == 339_394 && net["buffers"] as? Int == 544)
        #expect(net["total_macs"] as? Int == 10_632_320 && net["total_other_ops"] as? Int == 197_952)
        let layers = try #require(net["layers"] as? [[String: Any]])
        let norm = try #require(layers.first { $0["name"] as? String == "batchnorm1" })
        #expect(norm["params"] as? Int == 48 && norm["buffers"] as? Int == 48)
        #expect(norm["macs"] as? Int == 0 && norm["other_ops"] as? Int == 2 * 24 * 28 * 28)
        // The batchnorm after the dense layer keeps its vector.
        let last = try #require(layers.first { $0["name"] as? String == "batchnorm5" })
        #expect(last["output_shape"] as? [Int] == [128])
    }

    @Test func paramsHeadlineIsTheLearnedCount() throws {
        let result = try CLI.run(["params", "specs/fashion-bn.yaml"])
        #expect(result.status == 0)
        #expect(result.stdout.hasPrefix("fashion-bn: 339,394 parameters (339.4 k; + 544 buffers)\n"))
        #expect(result.stdout.contains("\n  batchnorm5  batchnorm    [128]         256      256   0.1%\n"), "\(result.stdout)")
        #expect(result.stdout.hasSuffix("\n\nparams: learned (batchnorm's running mean and variance are buffers); MACs: multiply-adds "
                                        + "of conv, local and dense layers; other ops: batchnorm, pooling, activations, residual adds "
                                        + "(docs/spec.md, Reports)\n"))
        let check = try CLI.run(["check", "specs/fashion-bn.yaml"])
        #expect(check.stdout.contains("\n  parameters: 339,394 (339.4 k, learned)\n  buffers: 544 (batchnorm running mean and variance, not learned)\n"
                                      + "  multiply-adds per image: 10,632,320 (10.63 M MACs = 21.26 M FLOPs, a multiply-add counting as 2; "
                                      + "conv, local and dense layers; share: of this total)\n"
                                      + "  other operations per image: 197,952 (198.0 k; batchnorm, pooling, activations, residual adds)\n"),
                "\(check.stdout)")
    }

    @Test func markdownComparisonForAREADME() throws {
        let result = try CLI.run(["params", "--markdown", "specs/kernel-choice.yaml", "specs/fashion-bn.yaml", "specs/deepconv.yaml"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout == """
            | network | input | params | buffers | MACs | other ops | RF (last conv) |
            | --- | --- | ---: | ---: | ---: | ---: | ---: |
            | conv64-3x3 | 1x28x28 | 640 | 0 | 389,376 | 0 | 3 |
            | conv32-7x7 | 1x28x28 | 1,600 | 0 | 758,912 | 0 | 7 |
            | fashion-bn | 1x28x28 | 339,394 | 544 | 10,632,320 | 197,952 | 16 |
            | deepconv | 1x28x28 | 123,552 | 0 | 8,772,340 | 72,626 | 36 |

            """)
        let both = try CLI.run(["params", "--markdown", "--json", "specs/deepconv.yaml"])
        #expect(both.status != 0 && both.stderr.contains("--json and --markdown"))
    }

    @Test func markdownEscapesANameThatWouldBreakTheTable() throws {
        let path = try CLI.temporarySpec("name: \"a|b\"\ninput: [1, 4, 4]\nlayers: [relu]\n", name: "pipe")
        let result = try CLI.run(["params", "--markdown", path])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.hasSuffix("| a\\|b | 1x4x4 | 0 | 0 | 0 | 16 | 1 |\n"))
    }

    /// A residual's shortcut (written or the automatic projection) is a list of layers under `shortcut`.
    @Test func jsonReportListsTheShortcut() throws {
        let spec = try CLI.temporarySpec("""
            input: [4, 8, 8]
            layers:
              - residual: {layers: [conv: {filters: 8, size: 3, stride: 2, pad: 1}], shortcut: [conv: {filters: 8, size: 2, stride: 2}, batchnorm]}
              - residual: {layers: [conv: {filters: 16, size: 1}], name: wide}
              - residual: {layers: [relu], shortcut: identity}
            """, name: "shortcut-json")
        let result = try CLI.run(["check", "--json", spec])
        #expect(result.status == 0, "\(result.stderr)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        let layers = try #require((object["networks"] as? [[String: Any]])?.first?["layers"] as? [[String: Any]])
        let written = try #require(layers[0]["shortcut"] as? [[String: Any]])
        #expect(written.map { $0["name"] as? String } == ["conv2", "batchnorm1"])
        #expect(written[0]["params"] as? Int == 4 * 8 * 4 + 8)
        #expect((layers[1]["shortcut"] as? [[String: Any]])?.map { $0["name"] as? String } == ["wide_projection"])
        #expect(layers[2]["shortcut"] == nil)
    }

    @Test func paramsJSONCoversEveryDocument() throws {
        let result = try CLI.run(["params", "--json", "specs/vgg-like.yaml", "specs/locality.yaml"])
        let object = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        let networks = try #require(object["networks"] as? [[String: Any]])
        #expect(networks.compactMap { $0["params"] as? Int } == [25, 18, 49, 27, 200_704, 110_592, 1_000_000_000_000, 100_000_000, 100])
    }

    @Test func inputOverride() throws {
        let result = try CLI.run(["check", "--json", "--input", "1x32x32", "specs/lenet5.yaml"])
        #expect(result.status == 0)
        #expect(result.stdout.contains("\"input\": [1, 32, 32]"))
    }

    // MARK: - Errors as a user sees them

    @Test func impossibleShapeIsACompilerStyleError() throws {
        let path = try CLI.temporarySpec("input: [1, 8, 8]\nlayers:\n  - conv: {filters: 4, size: 3}\n  - maxpool: {size: 2}\n  - conv: {filters: 4, size: 5}\n", name: "shape")
        let result = try CLI.run(["check", path])
        #expect(result.status == 1)
        #expect(result.stdout.isEmpty)
        #expect(result.stderr == """
            \(path):5:5: error: layer 'conv2' has no output: output height = ⌊(3 + 0 + 0 − 1·(5 − 1) − 1) / 1⌋ + 1 = -1
                - conv: {filters: 4, size: 5}
                  ^
            hint: the input is too small here: use a smaller size or stride, add padding (pad: same), or remove an earlier pooling layer

            """)
    }

    @Test func unknownKindSuggestsAFix() throws {
        let path = try CLI.temporarySpec("input: [1, 8, 8]\nlayers:\n  - maxpol: {size: 2}\n", name: "kind")
        let result = try CLI.run(["check", path])
        #expect(result.status == 1)
        #expect(result.stderr.hasPrefix("\(path):3:5: error: unknown layer kind 'maxpol'\n"))
        #expect(result.stderr.contains("hint: did you mean 'maxpool'?"))
    }

    @Test func warningsDoNotFailTheCheck() throws {
        let path = try CLI.temporarySpec("input: [1, 7, 7]\nlayers:\n  - maxpool: {size: 2}\n", name: "warn")
        let result = try CLI.run(["check", path])
        #expect(result.status == 0)
        #expect(result.stderr.contains("\(path):3:5: warning: layer 'maxpool1'"))
    }

    @Test func missingFileAndDirectoryExitNonZero() throws {
        let missing = try CLI.run(["check", "no/such.yaml"])
        #expect(missing.status == 1)
        #expect(missing.stderr.hasPrefix("no/such.yaml: error: no such file"))
        let directory = try CLI.run(["params", "specs"])
        #expect(directory.status == 1)
        #expect(directory.stderr.hasPrefix("specs: error: is a directory"))
    }

    @Test func malformedYAMLShowsLibyamlsMessage() throws {
        let path = try CLI.temporarySpec("input: [1, 8, 8\nlayers:\n", name: "malformed")
        let result = try CLI.run(["check", path])
        #expect(result.status == 1)
        #expect(result.stderr.hasPrefix("\(path):2:7: error: malformed YAML: did not find expected ',' or ']'"))
    }

    // MARK: - Sizes near Int.max (issue 14): exit 1 with a located message, never a signal

    @Test(arguments: [
        ("dilation", "  - conv: {filters: 4, size: 3, dilation: 4611686018427387904}", "3:5: error: layer 'conv1': the window height"),
        ("pad", "  - conv: {filters: 4, size: 3, pad: 9223372036854775807}", "3:5: error: layer 'conv1': the padded height"),
        ("same", "  - conv: {filters: 4, size: 9223372036854775807, pad: same}", "3:5: error: layer 'conv1': the window height"),
        ("stride", "  - conv: {filters: 4, size: 3, stride: 9223372036854775807}\n  - maxpool: {size: 1, stride: 2}",
         "4:5: error: layer 'maxpool1': the receptive field"),
        ("multiplier", "  - depthwise: {size: 3, multiplier: 4611686018427387904}", "3:5: error: layer 'depthwise1': the filter count"),
        ("units", "  - dense: {units: 9223372036854775807}", "3:5: error: layer 'dense1': the weight count"),
        ("repeat", "  - repeat: {times: 1000000000, layers: [relu]}", "3:5: error: the network expands to more than 10000 layers"),
        ("literal", "  - conv: {filters: 9223372036854775808, size: 3}", "3:21: error: 'filters' is 9223372036854775808"),
    ])
    func hugeSizesAreLocatedErrors(name: String, layers: String, expected: String) throws {
        let path = try CLI.temporarySpec("input: [1, 28, 28]\nlayers:\n\(layers)\n", name: "huge-\(name)")
        for command in ["check", "params"] {
            let result = try CLI.run([command, path])
            #expect(result.status == 1, "\(command) \(name): \(result.stderr)")
            #expect(result.stderr.hasPrefix("\(path):\(expected)"), "\(result.stderr)")
            #expect(result.stderr.contains("\nhint: ") || name == "literal", "\(result.stderr)")
        }
    }

    @Test func hugeInputIsLocatedAtInput() throws {
        let path = try CLI.temporarySpec("input: [1, 1000, 9223372036854775807]\nlayers: [relu]\n", name: "huge-input")
        let result = try CLI.run(["check", path])
        #expect(result.status == 1)
        #expect(result.stderr.hasPrefix("\(path):1:8: error: the input 1x1000x9223372036854775807 is too large"))
        // The same through --input, on a spec that is fine as written.
        let override = try CLI.run(["check", "--input", "2x1048576x1048576", "specs/deepconv.yaml"])
        #expect(override.status == 1)
        #expect(override.stderr.hasPrefix("specs/deepconv.yaml:6:8: error: the input 2x1048576x1048576 is too large"), "\(override.stderr)")
    }

    @Test func farPaddingPrintsItsStartWithoutTrapping() throws {
        // Jump 2^30, then 2^39 rows of padding: the receptive field starts at 0.5 − 2^69, past Int's range.
        let path = try CLI.temporarySpec("input: [1, 1, 1]\nlayers:\n  - maxpool: {size: 1, stride: 1073741824}\n"
                                         + "  - conv: {filters: 1, size: 1, pad: [549755813888, 0, 0, 0]}\n", name: "far-start")
        let table = try CLI.run(["check", path])
        #expect(table.status == 0, "\(table.stderr)")
        #expect(table.stdout.contains("-590295810358705651712.0") || table.stdout.contains("e+20"), "\(table.stdout)")
        let json = try CLI.run(["check", "--json", path])
        #expect(json.status == 0, "\(json.stderr)")
    }
}
