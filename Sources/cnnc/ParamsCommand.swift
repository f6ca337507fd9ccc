import ArgumentParser
import CNNIR
import Foundation

struct ParamsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "params",
        abstract: "Count parameters per layer; with several networks, compare them side by side (--markdown: as a GitHub table).")

    @Argument(help: "Spec files (YAML); each document is one network.", completion: .file(extensions: ["yaml", "yml"]))
    var specs: [String]

    @Option(help: "Replace the spec's input shape, as CxHxW (e.g. 3x224x224).")
    var input: Shape?
    @OptionGroup var spec: SpecOptions

    @Option(help: "Levels of blocks (residual, concat) listed open; deeper layers are summed into their block's row (0: top-level layers only).")
    var depth: Int?

    @Flag(help: "Print a JSON report instead of tables.")
    var json = false

    @Flag(help: "Print the comparison as a GitHub Markdown table (network, input, params, buffers, MACs, other ops, RF of the last conv).")
    var markdown = false

    @Option(help: "Also print the memory training takes at this batch size: parameters, gradients, optimizer state, activations, scratch, per layer.")
    var batch: Int?
    @Option(help: "With --batch: the threads the scratch is counted for (default: all cores).") var threads: Int?

    func validate() throws {
        if let depth, depth < 0 { throw ValidationError("--depth must be 0 or more (0 lists the top-level layers only)") }
        if let batch, batch < 1 { throw ValidationError("--batch must be at least 1") }
        if let threads, threads < 1 { throw ValidationError("--threads must be at least 1") }
        if batch != nil && (json || markdown) { throw ValidationError("--batch prints its own tables: leave out --json and --markdown") }
        if json && markdown { throw ValidationError("--json and --markdown are two forms of the report: choose one") }
    }

    func run() throws {
        let analyses = try SpecInput.analyses(of: specs, inputOverride: input, overrides: try spec.parsed())
        let names = Set(analyses.map(\.network.name))
        for analysis in analyses {
            if let target = analysis.network.compareTo, !names.contains(target) {
                DiagnosticRenderer.warning("network '\(analysis.network.name)' has compare_to: '\(target)', but no network of that name is "
                                           + "being compared; it is compared with itself", at: analysis.network.location)
            }
        }
        if json {
            print(JSONReport.networks(analyses).rendered())
            return
        }
        if markdown {
            print(ComparisonTable.markdown(analyses))
            return
        }
        if let batch {
            let threadCount = threads ?? ProcessInfo.processInfo.activeProcessorCount
            print(analyses.map { TrainingMemoryTable.render($0, batch: batch, threads: threadCount) }.joined(separator: "\n\n"))
            return
        }
        print(analyses.map { ParameterTable.render($0, depth: depth) }.joined(separator: "\n\n"))
        if analyses.count > 1 {
            print("\n" + ComparisonTable.render(analyses))
        }
        print("\n" + ParameterTable.convention)
    }
}
