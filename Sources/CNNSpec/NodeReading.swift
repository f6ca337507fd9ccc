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

/// A mapping whose keys have been checked against a section's vocabulary.
struct MappingReader {
    let node: YAMLNode
    let section: String
    private var values: [String: YAMLNode] = [:]
    private let budget: NodeBudget

    init(_ node: YAMLNode, section: String, allowed: [SpecVocabulary.Key], budget: NodeBudget) throws(SpecError) {
        self.node = node
        self.section = section
        self.budget = budget
        try budget.visit(node)
        guard case .mapping(let pairs) = node.value else {
            throw .typeMismatch(what: section, expected: "a mapping of keys", found: node.typeDescription, at: node.location)
        }
        let names = allowed.map(\.name)
        for pair in pairs {
            try budget.visit(pair.key)
            guard let key = pair.key.scalar else {
                throw .typeMismatch(what: "a key in \(section)", expected: "a word", found: pair.key.typeDescription, at: pair.key.location)
            }
            guard names.contains(key) else {
                throw .unknownKey(key: key, section: section, allowed: names, at: pair.key.location)
            }
            guard values[key] == nil else { throw .duplicateKey(key: key, at: pair.key.location) }
            values[key] = pair.value
        }
    }

    subscript(key: String) -> YAMLNode? { values[key] }

    func required(_ key: String, example: String) throws(SpecError) -> YAMLNode {
        guard let value = values[key] else {
            throw .missingKey(key: key, section: section, example: example, at: node.location)
        }
        return value
    }

    func int(_ key: String, default fallback: Int, minimum: Int) throws(SpecError) -> Int {
        guard let value = values[key] else { return fallback }
        return try NodeReading.int(value, what: "'\(key)'", minimum: minimum)
    }

    func double(_ key: String, default fallback: Double, in range: ClosedRange<Double>? = nil,
                requirement: String = "") throws(SpecError) -> Double {
        guard let value = values[key] else { return fallback }
        return try NodeReading.double(value, what: "'\(key)'", in: range, requirement: requirement)
    }

    func bool(_ key: String, default fallback: Bool) throws(SpecError) -> Bool {
        guard let value = values[key] else { return fallback }
        switch value.value {
        case .scalar("true", plain: true): return true
        case .scalar("false", plain: true): return false
        default: throw .typeMismatch(what: "'\(key)'", expected: "true or false", found: value.typeDescription, at: value.location)
        }
    }

    func string(_ key: String) throws(SpecError) -> String? {
        guard let value = values[key] else { return nil }
        return try NodeReading.string(value, what: "'\(key)'")
    }

    /// `n` or `[h, w]`.
    func size(_ key: String, default fallback: Size2?) throws(SpecError) -> Size2? {
        guard let value = values[key] else { return fallback }
        return try NodeReading.size(value, what: "'\(key)'", minimum: 1, budget: budget)
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

    static func double(_ node: YAMLNode, what: String, in range: ClosedRange<Double>?, requirement: String) throws(SpecError) -> Double {
        guard case .scalar(let text, true) = node.value, let value = Double(text), value.isFinite else {
            throw .typeMismatch(what: what, expected: "a number", found: node.typeDescription, at: node.location)
        }
        if let range, !range.contains(value) {
            throw .invalidValue(what: what, value: text, requirement: requirement, at: node.location)
        }
        return value
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
        default:
            throw .typeMismatch(what: "'pad'", expected: "an integer, [h, w], [top, bottom, left, right], valid, same or full",
                                found: node.typeDescription, at: node.location)
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
