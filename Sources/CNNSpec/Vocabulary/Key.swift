/// One key of a section, layer kind or variant: name, type, default and a one-line meaning.
public struct Key: Hashable, Sendable {
    public var name: String
    public var type: KeyType
    public var defaultValue: KeyDefault
    public var summary: String
    /// For a required key: how to write it, for the "add …" hint when it is missing.
    public var example: String?

    public init(_ name: String, _ type: KeyType, _ defaultValue: KeyDefault, _ summary: String, example: String? = nil) {
        self.name = name
        self.type = type
        self.defaultValue = defaultValue
        self.summary = summary
        self.example = example
    }

    public var isRequired: Bool { defaultValue == .required }
}

/// A key's default: a value of its type (which the parser uses and the schema states), or words
/// for a default that depends on something else (`network's init`, `kind + index`).
public enum KeyDefault: Hashable, Sendable {
    case required
    case integer(Int)
    case number(Double)
    case boolean(Bool)
    case word(String)
    case described(String)

    /// The default as docs/spec.md writes it.
    public var text: String {
        switch self {
        case .required: "required"
        case .integer(let n): String(n)
        case .number(let x): NumberText.format(x)
        case .boolean(let b): b ? "true" : "false"
        case .word(let w): w
        case .described(let d): d
        }
    }
}
