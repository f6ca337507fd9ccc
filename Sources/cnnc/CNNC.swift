import ArgumentParser

@main
struct CNNC: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cnnc",
        abstract: "Compile, check, compare and train declarative CNN architectures.",
        discussion: "A network is a YAML file: see docs/spec.md and the examples in specs/.",
        version: "0.1.0",
        subcommands: [CheckCommand.self, ParamsCommand.self, TrainCommand.self, SweepCommand.self, EvalCommand.self, PredictCommand.self, BenchCommand.self, GraphCommand.self, ExportCommand.self, SchemaCommand.self])
}
