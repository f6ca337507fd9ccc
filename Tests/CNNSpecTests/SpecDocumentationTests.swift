import Foundation
import Testing
@testable import CNNSpec

/// docs/spec.md's kind and key tables are the ones printed from the declarations the parser reads.
struct SpecDocumentationTests {
    static let path = SpecFiles.root + "/docs/spec.md"

    @Test func committedDocsEqualTheGeneratedTables() throws {
        let doc = try String(contentsOfFile: Self.path, encoding: .utf8)
        for (name, _) in SpecDocumentation.regions {
            #expect(doc.contains("<!-- generated: \(name) "), "docs/spec.md lacks the markers of '\(name)'")
            #expect(doc.contains("<!-- end generated: \(name) -->"), "docs/spec.md lacks the end marker of '\(name)'")
        }
        let generated = SpecDocumentation.update(doc)
        if ProcessInfo.processInfo.environment["CNNC_UPDATE_DOCS"] == "1", generated != doc {
            try generated.write(toFile: Self.path, atomically: true, encoding: .utf8)
            return
        }
        #expect(doc == generated, "regenerate with: CNNC_UPDATE_DOCS=1 swift test --filter SpecDocumentationTests")
    }

    /// Every key of every declaration appears in a table row of its section.
    @Test func everyDeclaredKeyIsDocumented() {
        let reference = SpecDocumentation.keyReference()
        for kind in SpecVocabulary.layerKinds {
            #expect(reference.contains("### \(kind.keyword)") || reference.contains(", \(kind.keyword)\n") || reference.contains(" \(kind.keyword),"),
                    "no key section names \(kind.keyword)")
            for key in kind.keys { #expect(reference.contains("| `\(key.name)` | \(SpecDocumentation.escaped(key.type.text)) |")) }
        }
        for family in SpecVocabulary.families {
            for member in family.members { #expect(reference.contains("| \(member.name) | \(member.rule) |")) }
        }
    }

    /// Number defaults print as a spec would write them.
    @Test func numbersPrintAsWritten() {
        #expect(NumberText.format(1e-5) == "1e-5")
        #expect(NumberText.format(1e-8) == "1e-8")
        #expect(NumberText.format(0.001) == "0.001")
        #expect(NumberText.format(0.5) == "0.5")
        #expect(NumberText.format(180) == "180")
    }
}
