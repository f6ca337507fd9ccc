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

    @Flag(help: "Print a JSON report instead of tables.")
    var json = false

    func run() throws {
        let analyses = try SpecInput.analyses(of: specs, inputOverride: input)
        if json {
            print(JSONReport.networks(analyses).rendered())
        } else {
            print(analyses.map(LayerTable.render).joined(separator: "\n\n"))
        }
    }
}
