import ArgumentParser
import CNNSpec

struct SchemaCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "schema",
        abstract: "Print the JSON Schema (draft 2020-12) of the spec format, for editors that validate YAML as you type.",
        discussion: """
            The same table drives the parser, docs/spec.md and this schema. docs/cnnc.schema.json is a copy; \
            a spec that starts with '# yaml-language-server: $schema=../docs/cnnc.schema.json' is checked by \
            editors with the YAML language server (VS Code's YAML extension, Neovim, Helix…).
            """)

    func run() throws {
        print(SpecSchema.json(), terminator: "")
    }
}
