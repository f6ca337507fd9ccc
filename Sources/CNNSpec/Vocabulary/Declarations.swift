import CNNIR

/// A layer kind declared once: its word, what it computes and its output shape (docs/spec.md's
/// kinds table), its keys (parser, schema, key tables) and how its checked keys become a `LayerKind`.
public struct LayerKindDeclaration: Sendable {
    public let keyword: String
    public let computes: String
    public let output: String
    public let keys: [Key]
    /// How the parameter mapping is written, for the hint when a kind with required keys has none.
    public let example: String?
    /// Said after the kind's key table in docs/spec.md.
    public let note: String?
    let build: Build

    enum Build: Sendable {
        /// One layer made from the kind's checked keys (defaults filled in when the kind stands alone).
        case layer(@Sendable (MappingReader) throws(SpecError) -> LayerKind)
        /// Kinds the parser expands itself: they make several layers or hold layers.
        case separable, concat, residual, repeatBlock
    }

    init(_ keyword: String, computes: String, output: String, keys: [Key], example: String? = nil, note: String? = nil,
         build: Build) {
        self.keyword = keyword
        self.computes = computes
        self.output = output
        self.keys = keys
        self.example = example
        self.note = note
        self.build = build
    }

    /// A kind without required keys may be written as a bare word (`- relu`).
    public var mayStandAlone: Bool { !keys.contains(where: \.isRequired) }
}

/// One choice of a family such as the optimizers: its name, the keys it reads besides `name`, and
/// its rule for docs/spec.md.
public struct Variant: Sendable {
    public let name: String
    public let keys: [Key]
    public let rule: String

    public init(_ name: String, keys: [Key], rule: String) {
        self.name = name
        self.keys = keys
        self.rule = rule
    }
}

/// A key whose value is a name or `{name: …, key: value}`, each name with keys of its own
/// (`optimizer: {name: sgd, beta1: 0.5}` is an error: beta1 belongs to adam).
public struct VariantFamily: Sendable {
    /// The key's name, also the word in messages ("optimizer 'sgd'").
    public let name: String
    /// The docs/spec.md section title.
    public let title: String
    public let defaultName: String
    public let nameSummary: String
    /// The hint when a mapping has no `name:`.
    public let nameExample: String
    public let members: [Variant]
    /// Said above the table of rules in docs/spec.md, and the rule column's heading.
    public let ruleHeading: String
    public let ruleColumn: String
    public let note: String?

    /// The `name` key, whose choices are the members.
    public var nameKey: Key {
        Key("name", .choice(members.map(\.name)), .word(defaultName), nameSummary, example: nameExample)
    }

    public func member(_ name: String) -> Variant? { members.first { $0.name == name } }

    /// Every key of any member, each once, in order of first use: the keys a mapping may hold at all.
    public var allKeys: [Key] {
        var seen: Set<String> = []
        return ([nameKey] + members.flatMap(\.keys)).filter { seen.insert($0.name).inserted }
    }

    /// The members that read a key.
    public func owners(of key: String) -> [String] {
        members.filter { $0.keys.contains { $0.name == key } }.map(\.name)
    }
}

/// A section that is not a layer or variant: the network's top level, `input`, `train`, `augment`.
public struct Section: Sendable {
    public let title: String
    public let keys: [Key]
    /// Printed under the section's table in docs/spec.md.
    public var note: String? = nil
}
