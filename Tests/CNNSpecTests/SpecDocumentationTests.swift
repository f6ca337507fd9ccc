import Foundation
import Testing
@testable import CNNSpec

/// docs/spec.md documents exactly the keys the parser accepts.
struct SpecDocumentationTests {
    @Test func everyVocabularyKeyIsDocumented() throws {
        let doc = try String(contentsOfFile: SpecFiles.root + "/docs/spec.md", encoding: .utf8)
        for (title, keys) in SpecVocabulary.sections {
            let heading = "### \(title)\n"
            let start = try #require(doc.range(of: heading), "docs/spec.md lacks a section for \(title)")
            let rest = doc[start.upperBound...]
            let section = rest[..<(rest.range(of: "\n#")?.lowerBound ?? rest.endIndex)]
            for key in keys {
                #expect(section.contains("| `\(key.name)` | \(key.type.replacingOccurrences(of: "|", with: "\\|")) | \(key.defaultValue) |"),
                        "docs/spec.md section \(title) does not document \(key.name) as in SpecVocabulary")
            }
            let rows = section.components(separatedBy: "\n").filter { $0.hasPrefix("| `") }
            #expect(rows.count == keys.count, "docs/spec.md section \(title) documents keys the parser does not accept")
        }
    }
}
