import Foundation
import Testing

/// `cnnc schema` and the copy editors read stay the same file; every spec points editors at it.
struct SchemaCommandTests {
    @Test func shippedSchemaEqualsTheGeneratedOne() throws {
        let result = try CLI.run(["schema"])
        #expect(result.status == 0)
        let shipped = try String(contentsOfFile: CLI.repositoryRoot + "/docs/cnnc.schema.json", encoding: .utf8)
        #expect(result.stdout == shipped, "regenerate with: .build/release/cnnc schema > docs/cnnc.schema.json")
        let json = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any]
        #expect(json?["$schema"] as? String == "https://json-schema.org/draft/2020-12/schema")
        let layer = (json?["$defs"] as? [String: Any])?["layer"] as? [String: Any]
        #expect(layer != nil)
    }

    @Test func everySpecNamesTheSchema() throws {
        let specs = try FileManager.default.contentsOfDirectory(atPath: CLI.repositoryRoot + "/specs").filter { $0.hasSuffix(".yaml") }
        #expect(!specs.isEmpty)
        for spec in specs {
            let text = try String(contentsOfFile: CLI.repositoryRoot + "/specs/" + spec, encoding: .utf8)
            #expect(text.hasPrefix("# yaml-language-server: $schema=../docs/cnnc.schema.json\n"), "\(spec)")
        }
    }
}
