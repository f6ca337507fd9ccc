import Foundation
import Testing

/// `cnnc diff`, and the messages a newcomer's first mistakes get: one error style, exit 64 for the command line.
struct DiffAndUsageTests {
    @Test func diffOfTwoNetworksInOneFileMatchesSnapshot() throws {
        let result = try CLI.run(["diff", "specs/kernel-choice.yaml"])
        #expect(result.status == 0)
        #expect(result.stdout == (try CLI.snapshot("diff-kernel-choice.txt")))
    }

    @Test func diffOfTwoFilesMatchesSnapshot() throws {
        let result = try CLI.run(["diff", "specs/deepconv.yaml", "specs/lenet5.yaml"])
        #expect(result.status == 0)
        #expect(result.stdout == (try CLI.snapshot("diff-deepconv-lenet5.txt")))
    }

    @Test func diffOfOneChangedLayerListsOnlyIt() throws {
        let result = try CLI.run(["diff", "specs/deepconv.yaml", "specs/deepconv.yaml", "--set", "layers.conv5.filters=32"])
        // --set applies to both: the same network twice.
        #expect(result.status == 0 && result.stdout.contains("no layer differs"))
        var text = try String(contentsOfFile: CLI.repositoryRoot + "/specs/deepconv.yaml", encoding: .utf8)
            .replacingOccurrences(of: "name: deepconv", with: "name: wider")
        let conv5 = try #require(text.range(of: "filters: 64, size: 3, pad: 1"))   // the first 64-filter conv is conv5
        text.replaceSubrange(conv5, with: "filters: 96, size: 3, pad: 1")
        let wider = try CLI.temporarySpec(text, name: "wider")
        let changed = try CLI.run(["diff", "specs/deepconv.yaml", wider, "--json"])
        #expect(changed.status == 0)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(changed.stdout.utf8)) as? [String: Any])
        let layers = try #require(object["layers"] as? [[String: Any]])
        let changes = layers.filter { $0["change"] as? String != "same" }.compactMap { ($0["new"] as? [String: Any])?["name"] as? String }
        // conv5's filters and conv6's input channels changed; nothing else.
        #expect(changes == ["conv5", "relu5", "conv6"], "\(changes)")
        // conv5 reads 32 channels: 32 more filters of 9·32 weights and a bias; conv6 reads 32 more channels.
        #expect(object["params_delta"] as? Int == (9 * 32 + 1) * 32 + 9 * 32 * 64)
    }

    @Test func diffNeedsTwoNetworks() throws {
        let result = try CLI.run(["diff", "specs/deepconv.yaml"])
        #expect(result.status == 64)
        #expect(result.stderr.hasPrefix("cnnc: error: diff compares two networks, and specs/deepconv.yaml holds 1 network (deepconv): "
                                        + "give a second spec file\n"), "\(result.stderr)")
        let three = try CLI.run(["diff", "specs/locality.yaml"])
        #expect(three.status == 64 && three.stderr.contains("holds 3 networks (dense, locally-connected, shared-conv): choose two with --network"))
        let named = try CLI.run(["diff", "specs/locality.yaml", "--network", "dense", "--network", "shared-conv"])
        #expect(named.status == 0 && named.stdout.hasPrefix("dense → shared-conv"))
        let unknown = try CLI.run(["diff", "specs/locality.yaml", "--network", "dense", "--network", "nope"])
        #expect(unknown.status == 64 && unknown.stderr.contains("--network nope: no network has that name"))
    }

    @Test(arguments: [
        (["train", "specs/deepconv.yaml", "--epochs", "-1"],
         "cnnc: error: --epochs is -1; it must not be negative\nusage: cnnc train [<options>] [<spec>]\n"
            + "hint: see 'cnnc train --help' for what --epochs takes\n"),
        (["train", "specs/deepconv.yaml", "--lr", "0.1"],
         "cnnc: error: unknown option '--lr'\nusage: cnnc train [<options>] [<spec>]\n"
            + "hint: the spec's train.optimizer.lr is set with --set train.optimizer.lr=VALUE (or edit the spec)\n"),
        (["check"],
         "cnnc: error: missing expected argument '<specs> ...'\n"
            + "usage: cnnc check <specs> ... [--input <input>] [--set <path=value> ...] [--depth <depth>] [--json] [--sizes <MIN..MAX>] [--resolved]\nhint: see 'cnnc check --help'\n"),
        (["train", "specs/deepconv.yaml", "--threads", "0"],
         "cnnc: error: --threads must be from 1 to 256 (this machine has \(ProcessInfo.processInfo.activeProcessorCount) cores)\n"
            + "usage: cnnc train [<options>] [<spec>]\nhint: see 'cnnc train --help'\n"),
    ])
    func commandLineMistakesAreErrorsInCnncsStyle(arguments: [String], stderr: String) throws {
        let result = try CLI.run(arguments)
        #expect(result.status == 64)
        #expect(result.stderr == stderr)
        #expect(result.stdout.isEmpty)
    }

    @Test func helpAndVersionStillGoToStandardOutput() throws {
        let help = try CLI.run(["diff", "--help"])
        #expect(help.status == 0 && help.stdout.contains("USAGE: cnnc diff"))
        let version = try CLI.run(["--version"])
        #expect(version.status == 0 && version.stdout == "0.1.0\n")
    }

    @Test func everyBadLayerIsReportedThenTheCount() throws {
        let spec = try CLI.temporarySpec("name: m\ninput: 3x32x32\nlayers:\n  - Conv2D: {filters: 8, size: 3}\n  - relu\n"
                                         + "  - conv: {filters: 8, size: 3, pad: sam}\n", name: "multi")
        let result = try CLI.run(["check", spec])
        #expect(result.status == 1)
        #expect(result.stderr.contains("\(spec):4:5: error: unknown layer kind 'Conv2D'"))
        #expect(result.stderr.contains("\(spec):6:38: error: 'pad' must be"))
        #expect(result.stderr.hasSuffix("hint: did you mean 'same'?\n2 errors\n"), "\(result.stderr)")
    }

    @Test func aKerasSpecGetsCnncsWords() throws {
        let spec = try CLI.temporarySpec("""
            name: keras
            input: 3x32x32
            layers:
              - Conv2D: {filters: 8, size: 3}
            """, name: "keras")
        let result = try CLI.run(["check", spec])
        #expect(result.status == 1)
        #expect(result.stderr.contains("\(spec):4:5: error: unknown layer kind 'Conv2D'"))
        #expect(result.stderr.contains("hint: 'Conv2D' is Keras/PyTorch's word; in cnnc this is 'conv'"))
        let padSpec = try CLI.temporarySpec("name: p\ninput: 3x32x32\nlayers:\n  - conv: {filters: 8, size: 3, pad: sam}\n", name: "pad")
        let pad = try CLI.run(["check", padSpec])
        #expect(pad.status == 1)
        #expect(pad.stderr.hasSuffix("hint: did you mean 'same'?\n"), "\(pad.stderr)")
    }
}

/// `cnnc check --sizes` and the hint under an unread-rows warning.
struct InputSizeCommandTests {
    @Test func sizesOfDeepConvMatchSnapshot() throws {
        let result = try CLI.run(["check", "specs/deepconv.yaml", "--sizes", "1..64"])
        #expect(result.status == 0 && result.stderr.isEmpty)
        #expect(result.stdout == (try CLI.snapshot("sizes-deepconv.txt")))
    }

    @Test func aSizeThatLeavesRowsUnreadGetsTheNearestWholeOnes() throws {
        let result = try CLI.run(["check", "specs/deepconv.yaml", "--input", "1x30x30"])
        #expect(result.status == 0)
        #expect(result.stderr.contains("hint: the nearest input sizes every layer reads whole: 1x28x28 and 1x36x36"), "\(result.stderr)")
    }

    @Test func aBadRangeIsAUsageError() throws {
        let result = try CLI.run(["check", "specs/deepconv.yaml", "--sizes", "64..1"])
        #expect(result.status == 64 && result.stderr.hasPrefix("cnnc: error: the value '64..1' is invalid for '--sizes <MIN..MAX>'"),
                "\(result.stderr)")
    }
}

/// `cnnc params --batch N`: the training memory table.
struct TrainingMemoryCommandTests {
    @Test func deepConvAtBatch100MatchesSnapshot() throws {
        let result = try CLI.run(["params", "specs/deepconv.yaml", "--batch", "100", "--threads", "2"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout == (try CLI.snapshot("params-batch-deepconv.txt")))
    }

    @Test func theOptimizerOfTheSpecSetsTheState() throws {
        let sgd = try CLI.run(["params", "specs/deepconv.yaml", "--batch", "10", "--set", "train.optimizer.name=sgd"])
        #expect(sgd.stdout.contains("  optimizer state: 0 B (sgd: none per parameter)"), "\(sgd.stdout)")
        let bad = try CLI.run(["params", "specs/deepconv.yaml", "--batch", "0"])
        #expect(bad.status == 64 && bad.stderr.hasPrefix("cnnc: error: --batch must be at least 1"))
    }
}

/// `check --depth` and `params --depth`: blocks listed as one row each.
struct DepthTableTests {
    @Test func depthZeroListsTheTopLevelLayersOnly() throws {
        let closed = try CLI.run(["check", "specs/zoo/resnet18.yaml", "--depth", "0"])
        let open = try CLI.run(["check", "specs/zoo/resnet18.yaml"])
        #expect(closed.status == 0 && open.status == 0)
        // Rows that start with a number: the top-level layers (a block's layers have no number, or a branch label).
        let numbered = { (text: String) in text.split(separator: "\n").filter { Int($0.split(separator: " ").first ?? "") != nil }.count }
        let all = { (text: String) in text.split(separator: "\n").count }
        #expect(numbered(closed.stdout) == 23 && numbered(open.stdout) == 23)
        #expect(all(open.stdout) > all(closed.stdout) + 40)
        #expect(closed.stdout.contains("   5  residual1       residual (+ input)     64x56x56       73,984"))
        // The totals do not depend on what is listed.
        #expect(closed.stdout.split(separator: "\n").suffix(7) == open.stdout.split(separator: "\n").suffix(7))
        let params = try CLI.run(["params", "specs/zoo/resnet50.yaml", "--depth", "0"])
        #expect(params.status == 0 && !params.stdout.split(separator: "\n").contains { $0.hasPrefix("    ") })
        let bad = try CLI.run(["check", "specs/zoo/resnet18.yaml", "--depth", "-1"])
        #expect(bad.status == 64)
    }
}
