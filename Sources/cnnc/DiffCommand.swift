import ArgumentParser
import CNNAnalysis
import CNNIR

struct DiffCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "diff",
        abstract: "Compare two networks layer by layer: what was added, removed and changed, with the change in parameters, "
            + "multiply-adds, activation memory and receptive field.",
        discussion: """
            Give two spec files, or one file with two networks (two YAML documents), or name two networks with \
            --network. Layers are matched by name, then, between two matched layers, by position among layers of \
            the same kind. Only the layers that differ are listed unless --all is given.
            """)

    @Argument(help: "One or two spec files (YAML).", completion: .file(extensions: ["yaml", "yml"])) var specs: [String]
    @Option(name: .customLong("network"), help: "A network to compare, by name (twice: the first and the second).")
    var networks: [String] = []
    @Flag(help: "List every layer, the unchanged ones too.") var all = false
    @Flag(help: "Print JSON instead of a table.") var json = false
    @Option(help: "Replace both networks' input shape, as CxHxW (e.g. 3x224x224).") var input: Shape?
    @OptionGroup var spec: SpecOptions

    func validate() throws {
        guard (1...2).contains(specs.count) else { throw ValidationError("give one or two spec files (got \(specs.count))") }
        guard networks.isEmpty || networks.count == 2 else { throw ValidationError("give --network twice, or not at all") }
    }

    func run() throws {
        let analyses = try SpecInput.analyses(of: specs, inputOverride: input, overrides: try spec.parsed())
        let pair: [NetworkAnalysis]
        if networks.isEmpty {
            guard analyses.count == 2 else {
                let names = analyses.map(\.network.name).joined(separator: ", ")
                let holds = specs.count == 1 ? "\(specs[0]) holds" : "\(specs.joined(separator: " and ")) hold"
                throw ValidationError("diff compares two networks, and \(holds) \(Format.count(analyses.count, "network")) (\(names)): "
                                      + (analyses.count < 2 ? "give a second spec file" : "choose two with --network NAME --network NAME"))
            }
            pair = analyses
        } else {
            pair = try networks.map { name in
                guard let found = analyses.first(where: { $0.network.name == name }) else {
                    throw ValidationError("--network \(name): no network has that name; the networks: "
                                          + analyses.map(\.network.name).joined(separator: ", "))
                }
                return found
            }
        }
        let diff = NetworkDiff(old: pair[0], new: pair[1])
        print(json ? JSONReport.diff(diff).rendered() : DiffTable.render(diff, all: all))
    }
}
