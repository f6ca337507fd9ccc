import ArgumentParser
import CNNIR
import CNNSpec

/// `--set PATH=VALUE`, on every command that reads a spec.
struct SpecOptions: ParsableArguments {
    @Option(name: .customLong("set"),
            help: ArgumentHelp("Override a value of the spec (repeatable): train.optimizer.lr=0.01, layers.conv3.filters=64 (layers by name), input=[3,64,64]; an empty value or null removes a key (a layer).",
                               discussion: "VALUE is YAML, checked as if the file said it. See docs/spec.md, \"Composition\".",
                               valueName: "path=value"))
    var overrides: [String] = []

    /// The overrides, and `input` (a command's --input) as the last.
    func parsed(input: Shape? = nil) throws -> [SpecOverride] {
        let texts = overrides + (input.map { ["input=[\($0.channels), \($0.height), \($0.width)]"] } ?? [])
        return try texts.map { text in try Report.catching { () throws(SpecError) in try SpecOverride(text) } }
    }
}
