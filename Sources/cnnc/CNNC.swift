import ArgumentParser

@main
struct CNNC: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cnnc",
        abstract: "Compile, check, compare and train declarative CNN architectures.",
        discussion: """
            A network is a YAML file: see docs/spec.md and the examples in specs/.

            Exit status: 0 success, 1 a bad spec, data or file (the message names the place), 64 a command-line \
            mistake, 75 a data-parallel peer that stopped answering, 130 interrupted (the run folder can be resumed).
            """,
        version: "0.1.0",
        subcommands: [CheckCommand.self, ParamsCommand.self, DiffCommand.self, TrainCommand.self, SweepCommand.self, EvalCommand.self,
                      PredictCommand.self, ReportCommand.self, BenchCommand.self, GraphCommand.self, ExportCommand.self, SchemaCommand.self])

    /// Parses and runs the subcommand. A command-line mistake is reported as every other error is
    /// (`cnnc: error: …`, then a hint), not in the argument parser's own style.
    static func main() {
        OpenBLASCore.selectKernels()
        let arguments = Array(CommandLine.arguments.dropFirst())
        var command: ParsableCommand
        do {
            command = try parseAsRoot(arguments)
        } catch {
            UsageError.exit(error, arguments: arguments)
        }
        do {
            try command.run()
        } catch {
            UsageError.exit(error, arguments: arguments)
        }
    }
}
