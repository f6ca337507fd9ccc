import ArgumentParser
import CNNIR

struct CheckCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Check a spec's shapes and print every layer's output, parameters, multiply-adds, other operations and receptive field.")

    @Argument(help: "Spec files (YAML); each document is one network.", completion: .file(extensions: ["yaml", "yml"]))
    var specs: [String]

    @Option(help: "Replace the spec's input shape, as CxHxW (e.g. 3x224x224).")
    var input: Shape?
    @OptionGroup var spec: SpecOptions

    @Option(help: "Levels of blocks (residual, concat) listed open; deeper layers are summed into their block's row (0: top-level layers only).")
    var depth: Int?

    @Flag(help: "Print a JSON report instead of tables.")
    var json = false

    @Option(help: ArgumentHelp("List the square input sizes in MIN..MAX (or 1..MAX; MAX at most 8192) that every layer reads whole, and the smallest.",
                               valueName: "MIN..MAX"))
    var sizes: SizeRange?

    @Flag(help: "Print the spec as cnnc reads it, as YAML: after 'extends', 'blocks' and --set (and --input), with no comments.")
    var resolved = false

    func validate() throws {
        if let depth, depth < 0 { throw ValidationError("--depth must be 0 or more (0 lists the top-level layers only)") }
        if json && resolved { throw ValidationError("--json and --resolved print different things: choose one") }
        if sizes != nil && (json || resolved) { throw ValidationError("--sizes prints its own report: leave out --json and --resolved") }
    }

    func run() throws {
        if resolved {
            let overrides = try spec.parsed(input: input)
            print(try specs.map { try SpecInput.resolved($0, overrides: overrides) }.joined(separator: "---\n"), terminator: "")
            return
        }
        // --sizes tries every size; the spec's own size's warnings would only repeat part of its report.
        let analyses = try SpecInput.analyses(of: specs, inputOverride: input, overrides: try spec.parsed(), warnings: sizes == nil)
        if let sizes {
            print(analyses.map { InputSizeReport.render($0.network, range: sizes.range) }.joined(separator: "\n\n"))
        } else if json {
            print(JSONReport.networks(analyses).rendered())
        } else {
            print(analyses.map { LayerTable.render($0, depth: depth) }.joined(separator: "\n\n"))
        }
    }
}
