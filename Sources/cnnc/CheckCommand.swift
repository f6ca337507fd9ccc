import ArgumentParser
import CNNIR

struct CheckCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Check a spec's shapes and print every layer's output, parameters, multiply-adds, other operations and receptive field.")

    @Argument(help: "Spec files (YAML); each document is one network.")
    var specs: [String]

    @Option(help: "Replace the spec's input shape, as CxHxW (e.g. 3x224x224).")
    var input: Shape?
    @OptionGroup var spec: SpecOptions

    @Flag(help: "Print a JSON report instead of tables.")
    var json = false

    @Flag(help: "Print the spec as cnnc reads it, as YAML: after 'extends', 'blocks' and --set (and --input), with no comments.")
    var resolved = false

    func validate() throws {
        if json && resolved { throw ValidationError("--json and --resolved print different things: choose one") }
    }

    func run() throws {
        if resolved {
            let overrides = try spec.parsed(input: input)
            print(try specs.map { try SpecInput.resolved($0, overrides: overrides) }.joined(separator: "---\n"), terminator: "")
            return
        }
        let analyses = try SpecInput.analyses(of: specs, inputOverride: input, overrides: try spec.parsed())
        if json {
            print(JSONReport.networks(analyses).rendered())
        } else {
            print(analyses.map(LayerTable.render).joined(separator: "\n\n"))
        }
    }
}
