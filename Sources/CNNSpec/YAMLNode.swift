import CNNIR

/// A YAML node with the place it was written. Aliases share the anchored node (no copy),
/// so a "billion laughs" document stays linear in memory; whoever walks the tree pays per visit.
public final class YAMLNode: Sendable {
    public enum Value: Sendable {
        /// `plain` is false for quoted and block scalars: those are always strings.
        case scalar(String, plain: Bool)
        case sequence([YAMLNode])
        case mapping([(key: YAMLNode, value: YAMLNode)])
    }

    public let value: Value
    public let location: SourceLocation

    public init(_ value: Value, at location: SourceLocation) {
        self.value = value
        self.location = location
    }

    /// The scalar text, or nil for collections.
    public var scalar: String? {
        if case .scalar(let text, _) = value { return text }
        return nil
    }

    /// A short description of the node's type for "expected X, found Y" messages.
    public var typeDescription: String {
        switch value {
        case .sequence: return "a list"
        case .mapping: return "a mapping"
        case .scalar(let text, let plain):
            guard plain else { return "the string \"\(text)\"" }
            if YAMLNode.isNull(text) { return "nothing (null)" }
            if Int(text) != nil { return "the integer \(text)" }
            if Double(text) != nil { return "the number \(text)" }
            if text == "true" || text == "false" { return "the boolean \(text)" }
            return "the word '\(text)'"
        }
    }

    static func isNull(_ text: String) -> Bool { text.isEmpty || text == "~" || text == "null" || text == "Null" || text == "NULL" }
}

/// One `---` document of a YAML stream.
public struct YAMLDocument: Sendable {
    public var root: YAMLNode
    public var location: SourceLocation
}
