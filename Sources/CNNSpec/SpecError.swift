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
    /// A word where one of a few words belongs (`pad: sam`); the hint names the nearest.
    case unknownWord(what: String, word: String, expected: String, words: [String], at: SourceLocation)
    case missingKey(key: String, section: String, example: String, at: SourceLocation)
    case emptyLayers(at: SourceLocation)
    /// A concat with no branches, an empty branch, or a residual with no layers.
    case emptyBranch(block: String, at: SourceLocation)
    case duplicateName(name: String, first: SourceLocation, at: SourceLocation)
    case tooManyLayers(limit: Int, at: SourceLocation)
    /// A `--set` that is not `PATH=VALUE`.
    case badOverride(text: String, problem: String, at: SourceLocation)
    /// `extends:` leading back to a file already being read; `chain` is the files in order.
    case extendsCycle(chain: [String], at: SourceLocation)
    case extendsTooDeep(limit: Int, at: SourceLocation)
    /// A `--set layers.NAME…` or a `layers:` patch naming no layer.
    case unknownLayer(name: String, known: [String], at: SourceLocation)
    /// A layer built several times from one written item (a `repeat` copy, an alias): an edit would change every copy.
    case layerWrittenOnce(name: String, copies: Int, written: SourceLocation, at: SourceLocation)
    /// `$name` in a block that declares no such parameter.
    case unknownBlockParameter(name: String, block: String, declared: [String], at: SourceLocation)
    /// A block that uses itself, directly or through others.
    case blockCycle(chain: [String], at: SourceLocation)
    /// Independent errors of one spec (several bad layers), in the order written; never nested, never empty.
    indirect case several([SpecError])

    public var location: SourceLocation {
        switch self {
        case .fileNotFound(let path), .isDirectory(let path), .fileTooLarge(let path, _, _),
             .unreadable(let path, _), .emptyFile(let path):
            return SourceLocation(file: path, line: 0, column: 0)
        case .syntax(_, _, let at), .nestingTooDeep(_, let at), .expansionLimit(_, let at),
             .unknownAnchor(_, let at), .unknownKey(_, _, _, let at), .keyOfAnother(_, _, _, _, let at), .unknownLayerKind(_, let at),
             .duplicateKey(_, let at), .typeMismatch(_, _, _, let at), .invalidValue(_, _, _, let at),
             .unknownWord(_, _, _, _, let at),
             .missingKey(_, _, _, let at), .emptyLayers(let at), .emptyBranch(_, let at), .duplicateName(_, _, let at),
             .tooManyLayers(_, let at), .badOverride(_, _, let at), .extendsCycle(_, let at), .extendsTooDeep(_, let at),
             .unknownLayer(_, _, let at), .layerWrittenOnce(_, _, _, let at), .unknownBlockParameter(_, _, _, let at),
             .blockCycle(_, let at):
            return at
        case .several(let errors): return errors.first?.location ?? SourceLocation(file: "", line: 0, column: 0)
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
        case .unknownWord(let what, let word, let expected, _, _): return "\(what) must be \(expected), found '\(word)'"
        case .missingKey(let key, let section, _, _): return "\(section) has no '\(key)'"
        case .emptyLayers: return "'layers' is empty; a network needs at least one layer"
        case .emptyBranch(let block, _): return "this '\(block)' has an empty list; every branch needs at least one layer"
        case .duplicateName(let name, _, _): return "layer name '\(name)' is already used"
        case .tooManyLayers(let limit, _): return "the network expands to more than \(limit) layers"
        case .badOverride(let text, let problem, _): return "'--set \(text)': \(problem)"
        case .extendsCycle(let chain, _): return "'extends' makes a cycle: " + chain.joined(separator: " → ")
        case .extendsTooDeep(let limit, _): return "'extends' chains more than \(limit) files"
        case .unknownLayer(let name, _, _): return "no layer is named '\(name)'"
        case .layerWrittenOnce(let name, let copies, _, _):
            return "layer '\(name)' is one of \(copies) layers built from one written layer (a 'repeat' copy or an alias); changing it would change them all"
        case .unknownBlockParameter(let name, let block, _, _): return "'$\(name)' is not a parameter of block '\(block)'"
        case .blockCycle(let chain, _): return "block '\(chain[0])' uses itself: " + chain.joined(separator: " → ")
        case .several(let errors): return (errors.first?.message ?? "") + " (and \(errors.count - 1) more)"
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
            return PeerNames.keyHint(for: key, allowed: allowed) ?? Self.suggestion(for: key, among: allowed) ?? "allowed keys: \(allowed.joined(separator: ", "))"
        case .keyOfAnother(_, let section, _, let allowed, _):
            return "keys of \(section): \(allowed.joined(separator: ", "))"
        case .unknownLayerKind(let name, _):
            return PeerNames.layerKindHint(for: name) ?? Self.suggestion(for: name, among: SpecVocabulary.layerKeywords)
                ?? "layer kinds: \(SpecVocabulary.layerKeywords.joined(separator: ", "))"
        case .unknownWord(_, let word, _, let words, _): return Self.suggestion(for: word, among: words)
        case .duplicateKey: return "remove one of them"
        case .missingKey(_, _, let example, _): return "add \(example)"
        case .emptyLayers: return "add layers, e.g. '- conv: {filters: 16, size: 3}'"
        case .emptyBranch: return "write each branch as a list of layers, e.g. '[conv: {filters: 8, size: 1}]'; an identity path is a 1×1 maxpool"
        case .duplicateName(_, let first, let at):
            let place = first.file == at.file ? "at line \(first.line)"
                : first.file.hasPrefix(SpecOverride.flag) ? "given by \(first.file)" : "at \(first.file):\(first.line)"
            return "the first is \(place); give each layer its own name"
        case .tooManyLayers: return "reduce 'repeat: times', or the uses of blocks inside blocks"
        case .badOverride: return "write --set PATH=VALUE, e.g. --set train.optimizer.lr=0.01 or --set layers.conv3.filters=64 (layers by name)"
        case .extendsCycle: return "a spec may extend a base, which may extend another, but never one already in the chain"
        case .extendsTooDeep: return "flatten the chain of bases"
        case .unknownLayer(let name, let known, _):
            return Self.suggestion(for: name, among: known) ?? "the layers: \(known.prefix(20).joined(separator: ", "))" + (known.count > 20 ? ", …" : "")
        case .layerWrittenOnce(_, _, let written, _):
            return "it is written at line \(written.line) of \(written.file); edit it there, or write the copies out (a block with parameters keeps that short)"
        case .unknownBlockParameter(_, let block, let declared, _):
            return declared.isEmpty ? "declare it: 'blocks: {\(block): {params: [...], layers: [...]}}'"
                : "its parameters: " + declared.map { "$" + $0 }.joined(separator: ", ")
        case .blockCycle: return "a block may use other blocks, but not itself"
        case .typeMismatch, .invalidValue, .unreadable: return nil
        case .several(let errors): return errors.first?.hint
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
