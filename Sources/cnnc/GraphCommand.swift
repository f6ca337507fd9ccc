import ArgumentParser
import CNNIR
import Foundation

struct GraphCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "graph",
        abstract: "Draw a spec's networks: Graphviz DOT, or SVG through Graphviz's dot.",
        discussion: """
            Without -o, prints DOT. With -o FILE.svg, runs Graphviz's 'dot' (Debian: apt-get install graphviz) \
            to write SVG; -o FILE.dot (or any other name) writes DOT.
            """)

    @Argument(help: "Spec files (YAML); each document is one network.") var specs: [String]
    @Option(name: .shortAndLong, help: "Output file: .svg renders through Graphviz's dot, anything else gets DOT.") var output: String?
    @Option(help: "Replace the spec's input shape, as CxHxW (e.g. 3x224x224).") var input: Shape?

    func run() throws {
        let analyses = try SpecInput.analyses(of: specs, inputOverride: input)
        let dot = GraphRenderer.dot(analyses)
        guard let output else {
            print(dot, terminator: "")
            return
        }
        guard output.lowercased().hasSuffix(".svg") else {
            try write(Data(dot.utf8), to: output)
            print("wrote \(output)")
            return
        }
        guard let dotProgram = Self.findDot() else {
            let fallback = String(output.dropLast(4)) + ".dot"
            try write(Data(dot.utf8), to: fallback)
            DiagnosticRenderer.error("cannot write \(output): Graphviz's 'dot' is not installed (wrote the graph as DOT to \(fallback))",
                                     hint: "install Graphviz (Debian: apt-get install graphviz), or render the DOT file elsewhere")
            throw ExitCode(1)
        }
        let svg = try Self.render(dot, with: dotProgram)
        try write(svg, to: output)
        print("wrote \(output)")
    }

    private func write(_ data: Data, to path: String) throws {
        do {
            try data.write(to: URL(fileURLWithPath: path), options: .atomic)
        } catch {
            DiagnosticRenderer.error("cannot write \(path): \(error.localizedDescription)")
            throw ExitCode(1)
        }
    }

    /// `dot` on the PATH, if any.
    static func findDot() -> String? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        return path.split(separator: ":").map { "\($0)/dot" }.first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    static func render(_ dot: String, with program: String) throws -> Data {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: program)
        process.arguments = ["-Tsvg"]
        let stdin = Pipe(), stdout = Pipe(), stderr = Pipe()
        process.standardInput = stdin
        process.standardOutput = stdout
        process.standardError = stderr
        do { try process.run() } catch {
            DiagnosticRenderer.error("cannot run \(program): \(error.localizedDescription)")
            throw ExitCode(1)
        }
        // Read both pipes while dot runs, so neither fills up.
        nonisolated(unsafe) var svg = Data(), messages = Data()
        let group = DispatchGroup()
        DispatchQueue.global().async(group: group) { svg = stdout.fileHandleForReading.readDataToEndOfFile() }
        DispatchQueue.global().async(group: group) { messages = stderr.fileHandleForReading.readDataToEndOfFile() }
        stdin.fileHandleForWriting.write(Data(dot.utf8))
        try? stdin.fileHandleForWriting.close()
        group.wait()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            DiagnosticRenderer.error("Graphviz's dot failed: " + String(decoding: messages, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines))
            throw ExitCode(1)
        }
        return svg
    }
}
