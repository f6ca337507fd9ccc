import CNNTestSupport
import Foundation
import Testing

/// `cnnc graph`: DOT with one node per layer, the branch point fanning out and joining again.
struct GraphCommandTests {
    @Test func inceptionDOTShowsEveryPathAndTheJoin() throws {
        let result = try CLI.run(["graph", "specs/inception.yaml"])
        #expect(result.status == 0, "\(result.stderr)")
        let dot = result.stdout
        #expect(dot.hasPrefix("digraph cnnc {"))
        #expect(dot.contains("subgraph cluster_0") && dot.contains("subgraph cluster_1"))
        #expect(dot.contains("inception-reduced: 163,696 parameters"))
        // The reduced module: 6 convs + 6 relus + 1 maxpool + the concat node + input and output, per network counted by id.
        let reduced = String(dot[dot.range(of: "subgraph cluster_1")!.lowerBound...])
        let nodes = reduced.components(separatedBy: "\n").filter { $0.contains("[label=") && !$0.contains("->") }
        #expect(nodes.count == 6 + 6 + 1 + 1 + 2)
        // Four paths end in the concat node.
        let concatID = try #require(nodes.first { $0.contains("concat1\\nconcat") }?.split(separator: " ").first.map(String.init))
        #expect(reduced.components(separatedBy: "\n").filter { $0.contains("-> \(concatID) [label=") }.count == 4)
    }

    @Test func residualShortcutIsDashedAndProjected() throws {
        let result = try CLI.run(["graph", "specs/resnet-mini.yaml"])
        #expect(result.status == 0)
        #expect(result.stdout.contains("down1_projection\\nconv 1x1/2"))
        #expect(result.stdout.contains("[style=dashed, label=\" 16x28x28 (identity)\"]"))
        // The dense layer's output is a feature vector; the batchnorms show their learned scale and shift.
        #expect(result.stdout.contains("[label=\"dense1\\ndense\\n650 params\""))
        #expect(result.stdout.contains("[label=\" [10]\"]"))
        #expect(result.stdout.contains("[label=\"output\\n[10]\""))
        #expect(result.stdout.contains("[label=\"batchnorm1\\nbatchnorm\\n32 params\""))
    }

    /// A written shortcut: its layers in order on the dashed path into the sum, which the body also enters.
    @Test func writtenShortcutIsDrawnLayerByLayer() throws {
        let spec = try CLI.temporarySpec("""
            input: [4, 8, 8]
            layers:
              - residual:
                  layers: [conv: {filters: 8, size: 3, stride: 2, pad: 1}]
                  shortcut: [conv: {filters: 8, size: 2, stride: 2, bias: false}, batchnorm]
            """, name: "shortcut")
        let result = try CLI.run(["graph", spec])
        #expect(result.status == 0, "\(result.stderr)")
        let lines = result.stdout.components(separatedBy: "\n")
        func id(_ label: String) throws -> String {
            try #require(lines.first { $0.contains("[label=\"\(label)") }?.trimmingCharacters(in: .whitespaces).split(separator: " ").first.map(String.init))
        }
        let (input, body, conv, norm, sum) = (try id("input"), try id("conv1\\n"), try id("conv2\\n"), try id("batchnorm1\\n"), try id("residual1\\n+"))
        // Each edge is labelled with the shape it carries.
        #expect(lines.contains("    \(input) -> \(conv) [style=dashed, label=\" 4x8x8\"];"))
        #expect(lines.contains("    \(conv) -> \(norm) [label=\" 8x4x4\"];"))
        #expect(lines.contains("    \(norm) -> \(sum) [style=dashed, label=\" 8x4x4\"];"))
        #expect(lines.contains("    \(body) -> \(sum) [label=\" 8x4x4\"];"))
    }

    @Test func anExtensionThatNamesNoFormatIsRefused() throws {
        // The extension chooses the format (.svg, .png, .pdf through Graphviz; .dot, .gv as DOT text; branches.sh
        // checks each file's contents); anything else is refused before a file is written, never filled with DOT.
        for refused in ["net.jpg", "net", "net.svg.txt", "net.svg/graph"] {
            let path = Scratch.directory("graph") + "/" + refused
            let result = try CLI.run(["graph", CLI.repositoryRoot + "/specs/inception.yaml", "-o", path])
            #expect(result.status == 64, "\(refused): \(result.stderr)")
            #expect(result.stderr.contains("use .svg, .png or .pdf"), "\(refused): \(result.stderr)")
            #expect(!FileManager.default.fileExists(atPath: path), "\(refused)")
        }
        let dot = Scratch.directory("graph") + "/net.gv"
        #expect(try CLI.run(["graph", CLI.repositoryRoot + "/specs/inception.yaml", "-o", dot]).status == 0)
        #expect(try String(contentsOfFile: dot, encoding: .utf8).hasPrefix("digraph"))
    }

    @Test func svgWithoutGraphvizIsAClearError() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("cnnc-graph-\(getpid())").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        // Run with a PATH where no `dot` exists.
        let process = Process()
        process.executableURL = URL(fileURLWithPath: CLI.binary)
        process.arguments = ["graph", CLI.repositoryRoot + "/specs/inception.yaml", "-o", directory + "/net.svg"]
        process.environment = ["PATH": directory]
        let err = Pipe()
        process.standardError = err
        process.standardOutput = Pipe()
        try process.run()
        let message = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(process.terminationStatus == 1)
        #expect(message.contains("Graphviz's 'dot' is not installed"))
        #expect(FileManager.default.fileExists(atPath: directory + "/net.dot"))
    }

    @Test func depthCollapsesBlocksRankdirAndReceptiveField() throws {
        let open = try CLI.run(["graph", "specs/zoo/resnet18.yaml"])
        let closed = try CLI.run(["graph", "specs/zoo/resnet18.yaml", "--depth", "0", "--rankdir", "LR", "--receptive-field"])
        #expect(open.status == 0 && closed.status == 0)
        func nodes(_ dot: String) -> Int { dot.components(separatedBy: "\n").filter { $0.hasPrefix("    n") && !$0.contains("->") }.count }
        // Eight residual blocks, each one node, and the relu after each; stem conv, batchnorm, relu, maxpool;
        // the pool, flatten, the head; input and output.
        #expect(nodes(closed.stdout) == 8 + 8 + 4 + 3 + 2)
        #expect(nodes(open.stdout) > 50)
        #expect(closed.stdout.contains("rankdir=LR;"))
        #expect(closed.stdout.contains("residual3\\nresidual (+ shortcut)\\n7 layers inside\\n230,144 params\\nRF 67, jump 8"),
                "\(closed.stdout)")
        let bad = try CLI.run(["graph", "specs/zoo/resnet18.yaml", "--rankdir", "BT"])
        #expect(bad.status == 64 && bad.stderr.hasPrefix("cnnc: error:"))
    }
}
