/// docs/spec.md's reference tables, printed from the declarations in `SpecVocabulary`: the table of
/// layer kinds and every section's keys. The file holds them between marker comments
/// (`<!-- generated: keys -->` … `<!-- end generated: keys -->`); a test checks it equals `update(_:)`.
public enum SpecDocumentation {
    /// Each generated region: its name in the markers, and its text.
    public static var regions: [(name: String, text: String)] {
        [("layer kinds", kindTable()), ("keys", keyReference())]
    }

    /// `document` with every generated region replaced by its current text.
    public static func update(_ document: String) -> String {
        var result = document
        for (name, text) in regions {
            let begin = "<!-- generated: \(name) (from Sources/CNNSpec/Vocabulary; do not edit) -->\n"
            let end = "<!-- end generated: \(name) -->"
            guard let start = result.range(of: begin), let stop = result.range(of: end, range: start.upperBound..<result.endIndex) else {
                continue
            }
            result.replaceSubrange(start.upperBound..<stop.lowerBound, with: text)
        }
        return result
    }

    // MARK: - Kinds

    /// One row per kind; neighbouring kinds that compute alike share a row.
    static func kindTable() -> String {
        var rows: [(kinds: [String], computes: String, output: String)] = []
        for kind in SpecVocabulary.layerKinds {
            if let last = rows.last, last.computes == kind.computes, last.output == kind.output {
                rows[rows.count - 1].kinds.append(kind.keyword)
            } else {
                rows.append(([kind.keyword], kind.computes, kind.output))
            }
        }
        var lines = ["| kind | what it computes | output shape |", "| --- | --- | --- |"]
        for row in rows {
            lines.append("| \(row.kinds.map { "`\($0)`" }.joined(separator: ", ")) | \(row.computes) | \(row.output) |")
        }
        return lines.joined(separator: "\n") + "\n"
    }

    // MARK: - Keys

    /// Every section's keys; kinds with the same keys share a section.
    static func keyReference() -> String {
        var sections: [String] = []
        sections.append(section(SpecVocabulary.network.title, keys: SpecVocabulary.network.keys))
        sections.append(section(SpecVocabulary.inputShape.title, keys: SpecVocabulary.inputShape.keys))
        var groups: [(kinds: [String], keys: [Key], note: String?)] = []
        for kind in SpecVocabulary.layerKinds {
            if let i = groups.firstIndex(where: { $0.keys == kind.keys && $0.note == kind.note }) {
                groups[i].kinds.append(kind.keyword)
            } else {
                groups.append(([kind.keyword], kind.keys, kind.note))
            }
        }
        for group in groups {
            sections.append(section(group.kinds.joined(separator: ", "), keys: group.keys, note: group.note))
        }
        sections.append(section(SpecVocabulary.train.title, keys: SpecVocabulary.train.keys))
        sections.append(section(SpecVocabulary.dataSource.title, keys: SpecVocabulary.dataSource.keys))
        for family in SpecVocabulary.families { sections.append(section(family)) }
        for extra in [SpecVocabulary.earlyStop, SpecVocabulary.normalize, SpecVocabulary.augment, SpecVocabulary.crop, SpecVocabulary.jitter,
                      SpecVocabulary.erase, SpecVocabulary.resize] {
            sections.append(section(extra.title, keys: extra.keys, note: extra.note))
        }
        return sections.joined(separator: "\n")
    }

    static func section(_ title: String, keys: [Key], note: String? = nil) -> String {
        var lines = ["### \(title)", "", "| key | type | default | meaning |", "| --- | --- | --- | --- |"]
        for key in keys {
            lines.append("| `\(key.name)` | \(escaped(key.type.text)) | \(key.defaultValue.text) | \(key.summary) |")
        }
        if let note { lines += ["", note] }
        return lines.joined(separator: "\n") + "\n"
    }

    /// A family's keys with the members that read each, then each member's rule.
    static func section(_ family: VariantFamily) -> String {
        var lines = ["### \(family.title)", "",
                     "`\(family.name): NAME` or `\(family.name): {name: NAME, key: value, …}`; a key the named \(family.name) does not read is an error.",
                     "", "| key | type | default | meaning | read by |", "| --- | --- | --- | --- | --- |"]
        let all = family.members.map(\.name)
        for key in family.allKeys {
            let uses = key.name == "name" ? family.members.map { ($0.name, key) }
                : family.members.compactMap { member in member.keys.first { $0.name == key.name }.map { (member.name, $0) } }
            let defaults = uses.map { $0.1.defaultValue.text }
            let defaultText = Set(defaults).count <= 1 ? (defaults.first ?? "")
                : uses.map { "\($0.1.defaultValue.text) (\($0.0))" }.joined(separator: ", ")
            let readers = uses.map(\.0)
            lines.append("| `\(key.name)` | \(escaped(key.type.text)) | \(defaultText) | \(key.summary) | "
                         + (readers == all ? "all" : readers.joined(separator: ", ")) + " |")
        }
        lines += ["", family.ruleHeading, "", "| name | \(family.ruleColumn) |", "| --- | --- |"]
        for member in family.members { lines.append("| \(member.name) | \(member.rule) |") }
        if let note = family.note { lines += ["", note] }
        return lines.joined(separator: "\n") + "\n"
    }

    static func escaped(_ text: String) -> String {
        text.split(separator: "|", omittingEmptySubsequences: false).joined(separator: "\\|")
    }
}
