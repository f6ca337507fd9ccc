import CNNIR

/// Typed access to YAML nodes, with a budget on how many nodes may be visited: aliases share nodes,
/// so a walk through nested aliases can be exponentially longer than the file.
final class NodeBudget {
    static let maximumVisits = 1_000_000
    private var visits = 0

    func visit(_ node: YAMLNode) throws(SpecError) {
        visits += 1
        guard visits <= Self.maximumVisits else { throw .expansionLimit(limit: Self.maximumVisits, at: node.location) }
    }
}

/// A mapping whose keys have been checked against a section's declared keys, read by their types:
/// a key's type gives the check (`integer ≥ 1`, `number in [0, 1)`), its default the value when
/// the key is absent, and its example the hint when a required key is missing.
struct MappingReader {
    let node: YAMLNode
    let section: String
    let keys: [Key]
    private var values: [String: YAMLNode] = [:]
    /// The keys written, with where, in the order written.
    private(set) var written: [(name: String, location: SourceLocation)] = []
    private let budget: NodeBudget

    /// `elsewhere` names, for a key this section lacks, the other kinds that have it: writing one of
    /// those is a `keyOfAnother` error rather than an unknown key.
    init(_ node: YAMLNode, section: String, keys: [Key], budget: NodeBudget,
         elsewhere: [String: [String]] = [:]) throws(SpecError) {
        self.node = node
        self.section = section
        self.keys = keys
        self.budget = budget
        try budget.visit(node)
        guard case .mapping(let pairs) = node.value else {
            throw .typeMismatch(what: section, expected: "a mapping of keys", found: node.typeDescription, at: node.location)
        }
        let names = keys.map(\.name)
        for pair in pairs {
            try budget.visit(pair.key)
            guard let key = pair.key.scalar else {
                throw .typeMismatch(what: "a key in \(section)", expected: "a word", found: pair.key.typeDescription, at: pair.key.location)
            }
            guard names.contains(key) else {
                if let owners = elsewhere[key], !owners.isEmpty {
                    throw .keyOfAnother(key: key, section: section, owners: owners, allowed: names, at: pair.key.location)
                }
                throw .unknownKey(key: key, section: section, allowed: names, at: pair.key.location)
            }
            guard values[key] == nil else { throw .duplicateKey(key: key, at: pair.key.location) }
            values[key] = pair.value
            written.append((key, pair.key.location))
        }
    }

    /// A section written without a mapping (`- relu`, `optimizer: adam`): every key takes its default,
    /// and a missing required key is reported at `node`.
    init(absentAt node: YAMLNode, section: String, keys: [Key], budget: NodeBudget) {
        self.node = node
        self.section = section
        self.keys = keys
        self.budget = budget
    }

    /// The same mapping read as a narrower set of keys (a variant's, once its name is known).
    func narrowed(to keys: [Key], section: String) -> MappingReader {
        MappingReader(node: node, section: section, keys: keys, values: values, written: written, budget: budget)
    }

    private init(node: YAMLNode, section: String, keys: [Key], values: [String: YAMLNode],
                 written: [(name: String, location: SourceLocation)], budget: NodeBudget) {
        self.node = node
        self.section = section
        self.keys = keys
        self.values = values
        self.written = written
        self.budget = budget
    }

    subscript(key: String) -> YAMLNode? { values[key] }

    func declares(_ name: String) -> Bool { keys.contains { $0.name == name } }

    /// The declaration of a key the code reads; reading an undeclared key is a programming error.
    func key(_ name: String) -> Key {
        guard let key = keys.first(where: { $0.name == name }) else {
            preconditionFailure("\(section) declares no key '\(name)'")
        }
        return key
    }

    /// The key's node, or nil when it is absent and has a default; a missing required key is an error.
    func node(_ name: String) throws(SpecError) -> YAMLNode? {
        if let value = values[name] { return value }
        let key = key(name)
        guard key.isRequired else { return nil }
        throw .missingKey(key: name, section: section, example: key.example ?? "'\(name): …'", at: node.location)
    }

    func required(_ name: String) throws(SpecError) -> YAMLNode { try node(name)! }

    func int(_ name: String) throws(SpecError) -> Int {
        let key = key(name)
        guard case .integer(let minimum) = key.type else { preconditionFailure("\(section).\(name) is not an integer") }
        guard let value = try node(name) else {
            guard case .integer(let fallback) = key.defaultValue else { preconditionFailure("\(section).\(name) has no integer default") }
            return fallback
        }
        return try NodeReading.int(value, what: "'\(name)'", minimum: minimum)
    }

    func double(_ name: String) throws(SpecError) -> Double {
        let key = key(name)
        guard case .number(let range) = key.type else { preconditionFailure("\(section).\(name) is not a number") }
        guard let value = try node(name) else {
            guard case .number(let fallback) = key.defaultValue else { preconditionFailure("\(section).\(name) has no number default") }
            return fallback
        }
        return try NodeReading.double(value, what: "'\(name)'", in: range)
    }

    func bool(_ name: String) throws(SpecError) -> Bool {
        let key = key(name)
        guard let value = try node(name) else {
            guard case .boolean(let fallback) = key.defaultValue else { preconditionFailure("\(section).\(name) has no boolean default") }
            return fallback
        }
        switch value.value {
        case .scalar("true", plain: true): return true
        case .scalar("false", plain: true): return false
        default: throw .typeMismatch(what: "'\(name)'", expected: "true or false", found: value.typeDescription, at: value.location)
        }
    }

    func string(_ name: String) throws(SpecError) -> String? {
        guard let value = try node(name) else {
            if case .word(let word) = key(name).defaultValue { return word }
            return nil
        }
        return try NodeReading.string(value, what: "'\(name)'")
    }

    /// One of the key's words (`mode: max`).
    func choice(_ name: String) throws(SpecError) -> String {
        let key = key(name)
        guard case .choice(let words) = key.type else { preconditionFailure("\(section).\(name) is not a choice") }
        guard let value = try node(name) else {
            guard case .word(let fallback) = key.defaultValue else { preconditionFailure("\(section).\(name) has no default word") }
            return fallback
        }
        let text = try NodeReading.string(value, what: "'\(name)'")
        guard words.contains(text) else {
            throw .unknownWord(what: "'\(name)'", word: text, expected: NodeReading.alternatives(words), words: words, at: value.location)
        }
        return text
    }

    /// `n` or `[h, w]`; nil when absent with a described default (a pool's stride is its size).
    func size(_ name: String) throws(SpecError) -> Size2? {
        guard let value = try node(name) else {
            if case .integer(let n) = key(name).defaultValue { return Size2(square: n) }
            return nil
        }
        return try NodeReading.size(value, what: "'\(name)'", minimum: 1, budget: budget)
    }

    func padding(_ name: String) throws(SpecError) -> Padding {
        guard let value = try node(name) else {
            guard case .integer(let n) = key(name).defaultValue else { preconditionFailure("\(section).\(name) has no padding default") }
            return .uniform(n)
        }
        return try NodeReading.padding(value, budget: budget)
    }

    /// nil when absent with a described default (the network's init).
    func initScheme(_ name: String) throws(SpecError) -> InitScheme? {
        guard let value = try node(name) else {
            if case .word(let word) = key(name).defaultValue {
                return try NodeReading.initScheme(YAMLNode(.scalar(word, plain: true), at: node.location))
            }
            return nil
        }
        return try NodeReading.initScheme(value)
    }

    /// A list of exactly `count` numbers, each in the key's range; `counted` says what the count is
    /// (`one per input channel`) in the error when the list has another length.
    func doubles(_ name: String, count: Int, counted: String) throws(SpecError) -> [Double] {
        guard case .numbers(let range) = key(name).type else { preconditionFailure("\(section).\(name) is not a list of numbers") }
        let value = try required(name)
        let items = try NodeReading.list(value, what: "'\(name)'")
        guard items.count == count else {
            throw .typeMismatch(what: "'\(name)'", expected: "a list of \(count) number\(count == 1 ? "" : "s") (\(counted))",
                                found: "\(items.count) item\(items.count == 1 ? "" : "s")", at: value.location)
        }
        var values: [Double] = []
        for item in items {
            try budget.visit(item)
            values.append(try NodeReading.double(item, what: "'\(name)'", in: range))
        }
        return values
    }

    /// A non-empty list of integers (of the key's count, when it has one).
    func ints(_ name: String) throws(SpecError) -> [Int] {
        guard case .integers(let minimum, let count) = key(name).type else { preconditionFailure("\(section).\(name) is not a list of integers") }
        let value = try required(name)
        let items = try NodeReading.list(value, what: "'\(name)'")
        return try NodeReading.ints(value, what: "'\(name)'", minimum: minimum, counts: [count ?? max(items.count, 1)], budget: budget)
    }
}

enum NodeReading {
    static func int(_ node: YAMLNode, what: String, minimum: Int) throws(SpecError) -> Int {
        if case .scalar(let text, true) = node.value, Int(text) == nil, isWholeNumber(text) {
            let bound = text.first == "-" ? "at least \(Int.min)" : "at most \(Int.max)"
            throw .invalidValue(what: what, value: text, requirement: "a 64-bit integer, \(bound) "
                                    + "(cnnc's limits on sizes are far lower: docs/spec.md, Limits)", at: node.location)
        }
        guard case .scalar(let text, true) = node.value, let value = Int(text) else {
            throw .typeMismatch(what: what, expected: "an integer", found: node.typeDescription, at: node.location)
        }
        guard value >= minimum else {
            throw .invalidValue(what: what, value: text, requirement: minimum == 1 ? "at least 1" : "at least \(minimum)", at: node.location)
        }
        return value
    }

    /// Digits with an optional sign: an integer, whatever its size.
    static func isWholeNumber(_ text: String) -> Bool {
        let digits = text.first == "-" || text.first == "+" ? text.dropFirst() : Substring(text)
        return !digits.isEmpty && digits.allSatisfy { $0.isASCII && $0.isNumber }
    }

    static func double(_ node: YAMLNode, what: String, in range: NumberRange) throws(SpecError) -> Double {
        guard case .scalar(let text, true) = node.value, let value = Double(text), value.isFinite else {
            throw .typeMismatch(what: what, expected: "a number", found: node.typeDescription, at: node.location)
        }
        guard range.contains(value) else {
            throw .invalidValue(what: what, value: text, requirement: range.requirement, at: node.location)
        }
        return value
    }

    /// "max or avg", "constant, step, exponential or cosine".
    static func alternatives(_ words: [String]) -> String {
        guard words.count > 1 else { return words.first ?? "" }
        return words.dropLast().joined(separator: ", ") + " or " + words.last!
    }

    static func string(_ node: YAMLNode, what: String) throws(SpecError) -> String {
        guard let text = node.scalar, !(YAMLNode.isNull(text) && isPlain(node)) else {
            throw .typeMismatch(what: what, expected: "a string", found: node.typeDescription, at: node.location)
        }
        return text
    }

    static func isPlain(_ node: YAMLNode) -> Bool {
        if case .scalar(_, plain: true) = node.value { return true }
        return false
    }

    static func list(_ node: YAMLNode, what: String) throws(SpecError) -> [YAMLNode] {
        guard case .sequence(let items) = node.value else {
            throw .typeMismatch(what: what, expected: "a list", found: node.typeDescription, at: node.location)
        }
        return items
    }

    static func ints(_ node: YAMLNode, what: String, minimum: Int, counts: [Int], budget: NodeBudget) throws(SpecError) -> [Int] {
        let items = try list(node, what: what)
        guard counts.contains(items.count) else {
            let expected = counts.map(String.init).joined(separator: " or ")
            throw .typeMismatch(what: what, expected: "a list of \(expected) integers", found: "\(items.count) items", at: node.location)
        }
        var values: [Int] = []
        for item in items {
            try budget.visit(item)
            values.append(try int(item, what: what, minimum: minimum))
        }
        return values
    }

    static func size(_ node: YAMLNode, what: String, minimum: Int, budget: NodeBudget) throws(SpecError) -> Size2 {
        if case .sequence = node.value {
            let v = try ints(node, what: what, minimum: minimum, counts: [2], budget: budget)
            return Size2(v[0], v[1])
        }
        return Size2(square: try int(node, what: what, minimum: minimum))
    }

    /// `n`, `[h, w]`, `[top, bottom, left, right]`, `valid`, `same` or `full`.
    static func padding(_ node: YAMLNode, budget: NodeBudget) throws(SpecError) -> Padding {
        let expected = "an integer, [h, w], [top, bottom, left, right], valid, same or full"
        switch node.value {
        case .scalar("valid", plain: true): return .valid
        case .scalar("same", plain: true): return .same
        case .scalar("full", plain: true): return .full
        case .sequence:
            let v = try ints(node, what: "'pad'", minimum: 0, counts: [2, 4], budget: budget)
            return v.count == 2 ? .explicit(top: v[0], bottom: v[0], left: v[1], right: v[1])
                                : .explicit(top: v[0], bottom: v[1], left: v[2], right: v[3])
        case .scalar(let text, true) where isWholeNumber(text):
            return .uniform(try int(node, what: "'pad'", minimum: 0))
        case .scalar(let text, true) where Double(text) == nil && !YAMLNode.isNull(text) && text != "true" && text != "false":
            throw .unknownWord(what: "'pad'", word: text, expected: expected, words: ["valid", "same", "full"], at: node.location)
        default:
            throw .typeMismatch(what: "'pad'", expected: expected, found: node.typeDescription, at: node.location)
        }
    }

    /// `he`, `xavier`, `normal(0.01)`, `uniform(0.05)`.
    static func initScheme(_ node: YAMLNode) throws(SpecError) -> InitScheme {
        let expected = "he, xavier, normal(std) or uniform(a)"
        guard case .scalar(let raw, _) = node.value else {
            throw .typeMismatch(what: "'init'", expected: expected, found: node.typeDescription, at: node.location)
        }
        let text = raw.replacingOccurrences(of: " ", with: "")
        switch text {
        case "he": return .he
        case "xavier", "glorot": return .xavier
        default: break
        }
        for (prefix, make) in [("normal(", { InitScheme.normal(std: $0) }), ("uniform(", { InitScheme.uniform(limit: $0) })] as [(String, (Double) -> InitScheme)] {
            guard text.hasPrefix(prefix), text.hasSuffix(")") else { continue }
            let argument = text.dropFirst(prefix.count).dropLast()
            guard let value = Double(argument), value > 0, value.isFinite else {
                throw .invalidValue(what: "'init'", value: raw, requirement: "\(prefix)x) with a number x > 0", at: node.location)
            }
            return make(value)
        }
        throw .typeMismatch(what: "'init'", expected: expected, found: node.typeDescription, at: node.location)
    }
}

private extension String {
    func replacingOccurrences(of target: String, with replacement: String) -> String {
        split(separator: Character(target), omittingEmptySubsequences: false).joined(separator: replacement)
    }
}
