import CNNIR

/// Everything that can be wrong with a spec before shape inference. Each case carries where it happened;
/// `message` and `hint` are the words the CLI prints as `file:line:col: error: message`.
public enum SpecError: Error, Equatable, Sendable {
    case fileNotFound(path: String)
    case isDirectory(path: String)
    case fileTooLarge(path: String, bytes: Int, limit: Int)
    case unreadable(path: String, reason: String)
    case emptyFile(path: String)
    case syntax(problem: String, context: String?, at: SourceLocation)
    case nestingTooDeep(limit: Int, at: SourceLocation)
    case expansionLimit(limit: Int, at: SourceLocation)
    case unknownAnchor(name: String, at: SourceLocation)
    case unknownKey(key: String, section: String, allowed: [String], at: SourceLocation)
    /// A key this section lacks but other kinds or variants have (`beta1` in `optimizer: {name: sgd}`).
    case keyOfAnother(key: String, section: String, owners: [String], allowed: [String], at: SourceLocation)
    case unknownLayerKind(name: String, at: SourceLocation)
    case duplicateKey(key: String, at: SourceLocation)
    case typeMismatch(what: String, expected: String, found: String, at: SourceLocation)
    case invalidValue(what: String, value: String, requirement: String, at: SourceLocation)
    case missingKey(key: String, section: String, example: String, at: SourceLocation)
    case emptyLayers(at: SourceLocation)
    /// A concat with no branches, an empty branch, or a residual with no layers.
    case emptyBranch(block: String, at: SourceLocation)
    case duplicateName(name: String, first: SourceLocation, at: SourceLocation)
    case tooManyLayers(limit: Int, at: SourceLocation)

    public var location: SourceLocation {
        switch self {
        case .fileNotFound(let path), .isDirectory(let path), .fileTooLarge(let path, _, _),
             .unreadable(let path, _), .emptyFile(let path):
            return SourceLocation(file: path, line: 0, column: 0)
        case .syntax(_, _, let at), .nestingTooDeep(_, let at), .expansionLimit(_, let at),
             .unknownAnchor(_, let at), .unknownKey(_, _, _, let at), .keyOfAnother(_, _, _, _, let at), .unknownLayerKind(_, let at),
             .duplicateKey(_, let at), .typeMismatch(_, _, _, let at), .invalidValue(_, _, _, let at),
             .missingKey(_, _, _, let at), .emptyLayers(let at), .emptyBranch(_, let at), .duplicateName(_, _, let at),
             .tooManyLayers(_, let at):
            return at
        }
    }

    public var message: String {
        switch self {
        case .fileNotFound: return "no such file"
        case .isDirectory: return "is a directory, not a spec file"
        case .fileTooLarge(_, let bytes, let limit):
            return "spec file is \(bytes) bytes; cnnc reads specs of at most \(limit) bytes"
        case .unreadable(_, let reason): return "cannot read the file: \(reason)"
        case .emptyFile: return "the file holds no YAML document"
        case .syntax(let problem, let context, _):
            return "malformed YAML: \(problem)" + (context.map { " (\($0))" } ?? "")
        case .nestingTooDeep(let limit, _): return "YAML nested deeper than \(limit) levels"
        case .expansionLimit(let limit, _):
            return "aliases expand to more than \(limit) nodes (an alias bomb?)"
        case .unknownAnchor(let name, _): return "alias '*\(name)' names no anchor defined before it"
        case .unknownKey(let key, let section, _, _): return "unknown key '\(key)' in \(section)"
        case .keyOfAnother(let key, let section, let owners, _, _):
            return "'\(key)' is not a key of \(section); it belongs to \(Self.list(owners))"
        case .unknownLayerKind(let name, _): return "unknown layer kind '\(name)'"
        case .duplicateKey(let key, _): return "key '\(key)' is given twice"
        case .typeMismatch(let what, let expected, let found, _): return "\(what) must be \(expected), found \(found)"
        case .invalidValue(let what, let value, let requirement, _): return "\(what) is \(value); it must be \(requirement)"
        case .missingKey(let key, let section, _, _): return "\(section) has no '\(key)'"
        case .emptyLayers: return "'layers' is empty; a network needs at least one layer"
        case .emptyBranch(let block, _): return "this '\(block)' has an empty list; every branch needs at least one layer"
        case .duplicateName(let name, _, _): return "layer name '\(name)' is already used"
        case .tooManyLayers(let limit, _): return "the network expands to more than \(limit) layers"
        }
    }

    /// What to do about it, when there is something better to say than the message.
    public var hint: String? {
        switch self {
        case .fileNotFound(let path): return "check the path '\(path)'; specs ship in specs/"
        case .isDirectory: return "name a .yaml file inside it"
        case .fileTooLarge: return "a spec describes a network; data and weights belong in other files"
        case .emptyFile: return "start with 'name:', 'input:' and 'layers:' (see docs/spec.md)"
        case .syntax: return "check indentation and brackets near this point"
        case .nestingTooDeep: return "specs need only a few levels; flatten the structure"
        case .expansionLimit: return "use fewer nested aliases"
        case .unknownAnchor(let name, _): return "define '&\(name)' before using '*\(name)'"
        case .unknownKey(let key, _, let allowed, _):
            return Self.suggestion(for: key, among: allowed) ?? "allowed keys: \(allowed.joined(separator: ", "))"
        case .keyOfAnother(_, let section, _, let allowed, _):
            return "keys of \(section): \(allowed.joined(separator: ", "))"
        case .unknownLayerKind(let name, _):
            return Self.suggestion(for: name, among: SpecVocabulary.layerKeywords)
                ?? "layer kinds: \(SpecVocabulary.layerKeywords.joined(separator: ", "))"
        case .duplicateKey: return "remove one of them"
        case .missingKey(_, _, let example, _): return "add \(example)"
        case .emptyLayers: return "add layers, e.g. '- conv: {filters: 16, size: 3}'"
        case .emptyBranch: return "write each branch as a list of layers, e.g. '[conv: {filters: 8, size: 1}]'; an identity path is a 1×1 maxpool"
        case .duplicateName(_, let first, _):
            return "the first is at line \(first.line); give each layer its own name"
        case .tooManyLayers: return "reduce 'repeat: times'"
        case .typeMismatch, .invalidValue, .unreadable: return nil
        }
    }

    /// "adam", "momentum and nesterov", "conv, local and depthwise".
    static func list(_ words: [String]) -> String {
        guard words.count > 1 else { return words.first ?? "" }
        return words.dropLast().joined(separator: ", ") + " and " + words.last!
    }

    /// "did you mean 'conv'?" when a known word is within a few edits.
    static func suggestion(for word: String, among candidates: [String]) -> String? {
        let scored = candidates.map { ($0, editDistance(word.lowercased(), $0)) }
        guard let best = scored.min(by: { $0.1 < $1.1 }), best.1 <= max(2, word.count / 3) else { return nil }
        return "did you mean '\(best.0)'?"
    }

    /// Levenshtein distance over characters.
    static func editDistance(_ a: String, _ b: String) -> Int {
        let a = Array(a), b = Array(b)
        if a.isEmpty { return b.count }
        var previous = Array(0...b.count)
        for i in 1...a.count {
            var current = [i] + Array(repeating: 0, count: b.count)
            for j in stride(from: 1, through: b.count, by: 1) {
                current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
            }
            previous = current
        }
        return previous[b.count]
    }
}
