import CNNIR

/// One `--set PATH=VALUE`: a dotted path into the spec (`train.optimizer.lr`, `layers.conv3.filters`, `input`)
/// and a YAML value, checked afterwards exactly as if the file had said it. Its nodes' locations name the
/// flag (`--set train.optimizer.lr=abc`, column of the value), so an error points at the command line.
public struct SpecOverride: Sendable {
    public let text: String
    public let path: [String]
    /// Nil for an empty value or `null`: the key is removed (a layer: the layer is removed).
    public let value: YAMLNode?
    /// Where the path starts, for errors about the path itself.
    public let location: SourceLocation

    /// The prefix of every location in an override, so that renderers can show the flag as the source line.
    public static let flag = "--set "

    public init(_ text: String) throws(SpecError) {
        self.text = text
        let file = Self.flag + text
        location = SourceLocation(file: file, line: 1, column: Self.flag.count + 1)
        guard let equals = text.firstIndex(of: "=") else {
            throw .badOverride(text: text, problem: "it has no '='", at: location)
        }
        let pathText = text[..<equals]
        let components = pathText.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
        guard !pathText.isEmpty, components.allSatisfy({ !$0.isEmpty && $0.allSatisfy { $0.isLetter || $0.isNumber || $0 == "_" || $0 == "-" } }) else {
            throw .badOverride(text: text, problem: "'\(pathText)' is not a path of keys joined by dots", at: location)
        }
        path = components
        let valueText = String(text[text.index(after: equals)...])
        let valueColumn = Self.flag.count + pathText.count + 2
        let documents: [YAMLDocument]
        do {
            documents = try YAMLReader(file: file).documents(from: Array(valueText.utf8))
        } catch {
            throw Self.shifted(error, columns: valueColumn - 1, valueLength: valueText.count)
        }
        guard documents.count <= 1 else {
            throw .badOverride(text: text, problem: "its value holds several YAML documents", at: location)
        }
        let node = documents.first.map { Self.shifted($0.root, columns: valueColumn - 1) }
        value = node.flatMap { $0.isNull ? nil : $0 }
    }

    /// The reader's errors moved, as the nodes, to their column in the flag.
    private static func shifted(_ error: SpecError, columns: Int, valueLength: Int) -> SpecError {
        func moved(_ location: SourceLocation) -> SourceLocation {
            var location = location
            if location.line == 1 {
                location.column += columns
            } else {
                // Past the end of the one-line value (an unclosed bracket): the caret goes after it.
                location.line = 1
                location.column = columns + valueLength + 1
            }
            return location
        }
        switch error {
        case .syntax(let problem, let context, let at): return .syntax(problem: problem, context: context, at: moved(at))
        case .unknownAnchor(let name, let at): return .unknownAnchor(name: name, at: moved(at))
        case .nestingTooDeep(let limit, let at): return .nestingTooDeep(limit: limit, at: moved(at))
        case .expansionLimit(let limit, let at): return .expansionLimit(limit: limit, at: moved(at))
        case .typeMismatch(let what, let expected, let found, let at): return .typeMismatch(what: what, expected: expected, found: found, at: moved(at))
        default: return error
        }
    }

    /// The value's nodes moved from column 1 of their own text to their column in the flag.
    private static func shifted(_ node: YAMLNode, columns: Int) -> YAMLNode {
        var location = node.location
        if location.line == 1 { location.column += columns }
        switch node.value {
        case .scalar:
            return YAMLNode(node.value, at: location)
        case .sequence(let items):
            return YAMLNode(.sequence(items.map { shifted($0, columns: columns) }), at: location)
        case .mapping(let pairs):
            return YAMLNode(.mapping(pairs.map { (key: shifted($0.key, columns: columns), value: shifted($0.value, columns: columns)) }),
                            at: location)
        }
    }
}
