import ArgumentParser
import CNNIR
import Foundation

struct GraphCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "graph",
        abstract: "Draw a spec's networks: Graphviz DOT, or SVG, PNG or PDF through Graphviz's dot.",
        discussion: """
            Without -o, prints DOT. The output file's extension chooses the format: .svg, .png and .pdf run \
            Graphviz's 'dot' (Debian: apt-get install graphviz); .dot and .gv write DOT. Any other extension is \
            refused rather than guessed.
            """)

    @Argument(help: "Spec files (YAML); each document is one network.", completion: .file(extensions: ["yaml", "yml"])) var specs: [String]
    @Option(name: .shortAndLong, help: "Output file: .svg, .png or .pdf (rendered by Graphviz's dot), or .dot / .gv (DOT text).")
    var output: String?

    /// What `-o`'s extension asks for: DOT text, or a format `dot -T` renders.
    enum OutputFormat: Equatable {
        case dot
        case rendered(String)

        static let renderedFormats = ["svg", "png", "pdf"]

        init?(path: String) {
            let name = path.split(separator: "/").last.map(String.init) ?? path
            guard let dot = name.lastIndex(of: "."), dot != name.startIndex else { return nil }
            let suffix = name[name.index(after: dot)...].lowercased()
            if suffix == "dot" || suffix == "gv" { self = .dot } else if Self.renderedFormats.contains(suffix) { self = .rendered(suffix) } else { return nil }
        }
    }

    func validate() throws {
        if let depth, depth < 0 { throw ValidationError("--depth must be 0 or more (0 draws one node per top-level layer)") }
        if let output, OutputFormat(path: output) == nil {
            throw ValidationError("-o \(output): the extension chooses the format; use .svg, .png or .pdf (through Graphviz) or .dot / .gv (DOT text)")
        }
    }
    @Option(help: "Replace the spec's input shape, as CxHxW (e.g. 3x224x224).") var input: Shape?
    @Option(help: "Layout direction: TB (top to bottom) or LR (left to right).") var rankdir: RankDirection = .TB
    @Option(help: "Levels of blocks (residual, concat) drawn open; deeper ones become one node each (0: one node per top-level layer).")
    var depth: Int?
    @Flag(name: .customLong("receptive-field"), help: "Show each layer's receptive field (size and jump) in its node.")
    var receptiveField = false

    enum RankDirection: String, ExpressibleByArgument, CaseIterable {
        case TB, LR
    }
    @OptionGroup var spec: SpecOptions

    func run() throws {
        let analyses = try SpecInput.analyses(of: specs, inputOverride: input, overrides: try spec.parsed())
        let options = GraphRenderer.Options(rankdir: rankdir.rawValue, depth: depth, receptiveField: receptiveField)
        let dot = GraphRenderer.dot(analyses, options: options)
        guard let output else {
            print(dot, terminator: "")
            return
        }
        guard case .rendered(let format) = OutputFormat(path: output) else {
            try write(Data(dot.utf8), to: output)
            print("wrote \(output)")
            return
        }
        guard let dotProgram = Self.findDot() else {
            let fallback = String(output.dropLast(format.count)) + "dot"
            try write(Data(dot.utf8), to: fallback)
            DiagnosticRenderer.error("cannot write \(output): Graphviz's 'dot' is not installed (wrote the graph as DOT to \(fallback))",
                                     hint: "install Graphviz (Debian: apt-get install graphviz), or render the DOT file elsewhere")
            throw ExitCode(1)
        }
        let rendered = try Self.render(dot, format: format, with: dotProgram)
        try write(rendered, to: output)
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

    /// `dot -T<format>` (svg, png, pdf) over the DOT text.
    static func render(_ dot: String, format: String, with program: String) throws -> Data {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: program)
        process.arguments = ["-T\(format)"]
        let stdin = Pipe(), stdout = Pipe(), stderr = Pipe()
        process.standardInput = stdin
        process.standardOutput = stdout
        process.standardError = stderr
        do { try process.run() } catch {
            DiagnosticRenderer.error("cannot run \(program): \(error.localizedDescription)")
            throw ExitCode(1)
        }
        // Read both pipes while dot runs, so neither fills up.
        nonisolated(unsafe) var rendered = Data(), messages = Data()
        let group = DispatchGroup()
        DispatchQueue.global().async(group: group) { rendered = stdout.fileHandleForReading.readDataToEndOfFile() }
        DispatchQueue.global().async(group: group) { messages = stderr.fileHandleForReading.readDataToEndOfFile() }
        stdin.fileHandleForWriting.write(Data(dot.utf8))
        try? stdin.fileHandleForWriting.close()
        group.wait()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            DiagnosticRenderer.error("Graphviz's dot failed: " + String(decoding: messages, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines))
            throw ExitCode(1)
        }
        return rendered
    }
}
