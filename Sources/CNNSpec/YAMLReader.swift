import CNNIR
import CYAML

/// Reads YAML text into `YAMLNode` trees through libyaml's event API. The only file that touches libyaml.
///
/// Anchors and aliases resolve to shared nodes; `<<` merge keys are applied. Nesting depth and
/// merge work are bounded so hostile input fails with a message instead of exhausting memory.
public struct YAMLReader {
    public static let maximumDepth = 64
    public static let maximumMergedPairs = 100_000

    public let file: String

    public init(file: String) { self.file = file }

    /// Parses every document in `bytes`.
    public func documents(from bytes: [UInt8]) throws(SpecError) -> [YAMLDocument] {
        var parser = yaml_parser_t()
        guard yaml_parser_initialize(&parser) == 1 else {
            throw .unreadable(path: file, reason: "libyaml could not allocate a parser")
        }
        defer { yaml_parser_delete(&parser) }

        // libyaml keeps a pointer to the input, so it must outlive the parse.
        let input = UnsafeMutableBufferPointer<UInt8>.allocate(capacity: max(bytes.count, 1))
        defer { input.deallocate() }
        _ = input.initialize(from: bytes)
        yaml_parser_set_input_string(&parser, input.baseAddress, bytes.count)

        var builder = TreeBuilder(file: file)
        var event = yaml_event_t()
        while true {
            guard yaml_parser_parse(&parser, &event) == 1 else {
                throw syntaxError(parser, bytes: bytes)
            }
            defer { yaml_event_delete(&event) }
            let mark = location(event.start_mark)
            switch event.type {
            case YAML_STREAM_END_EVENT:
                return builder.documents
            case YAML_DOCUMENT_START_EVENT:
                builder.documentStart = mark
            case YAML_SCALAR_EVENT:
                let scalar = event.data.scalar
                let text = string(scalar.value, length: scalar.length)
                let plain = scalar.style == YAML_PLAIN_SCALAR_STYLE
                try builder.add(YAMLNode(.scalar(text, plain: plain), at: mark), anchor: optionalString(scalar.anchor))
            case YAML_ALIAS_EVENT:
                let name = optionalString(event.data.alias.anchor) ?? ""
                guard let node = builder.anchors[name] else { throw .unknownAnchor(name: name, at: mark) }
                try builder.add(node, anchor: nil)
            case YAML_SEQUENCE_START_EVENT:
                try builder.open(.sequence, at: mark, anchor: optionalString(event.data.sequence_start.anchor))
            case YAML_MAPPING_START_EVENT:
                try builder.open(.mapping, at: mark, anchor: optionalString(event.data.mapping_start.anchor))
            case YAML_SEQUENCE_END_EVENT, YAML_MAPPING_END_EVENT:
                try builder.close()
            default:
                break // stream start, document end: nothing to build
            }
        }
    }

    // MARK: - libyaml values to Swift

    private func location(_ mark: yaml_mark_t) -> SourceLocation {
        SourceLocation(file: file, line: Int(mark.line) + 1, column: Int(mark.column) + 1)
    }

    private func string(_ pointer: UnsafeMutablePointer<yaml_char_t>?, length: Int) -> String {
        guard let pointer else { return "" }
        return String(decoding: UnsafeBufferPointer(start: pointer, count: length), as: UTF8.self)
    }

    private func optionalString(_ pointer: UnsafeMutablePointer<yaml_char_t>?) -> String? {
        guard let pointer else { return nil }
        return String(cString: pointer)
    }

    private func syntaxError(_ parser: yaml_parser_t, bytes: [UInt8]) -> SpecError {
        let problem = parser.problem.map { String(cString: $0) } ?? "malformed YAML"
        let context = parser.context.map { String(cString: $0) }
        if parser.error == YAML_READER_ERROR {
            // Reader errors (bad encoding, control characters) carry a byte offset, not a mark.
            var where_ = Self.lineAndColumn(ofByte: parser.problem_offset, in: bytes)
            where_.file = file
            let value = parser.problem_value
            let detail = value >= 0 ? " (byte 0x" + String(value, radix: 16, uppercase: true) + ")" : ""
            return .syntax(problem: problem + detail, context: nil, at: where_)
        }
        return .syntax(problem: problem, context: context, at: location(parser.problem_mark))
    }

    /// 1-based line and column (in characters) of a byte offset; invalid UTF-8 counts one column per byte.
    static func lineAndColumn(ofByte offset: Int, in bytes: [UInt8]) -> SourceLocation {
        var line = 1, column = 1
        for byte in bytes.prefix(offset) {
            if byte == UInt8(ascii: "\n") {
                line += 1
                column = 1
            } else if byte & 0xC0 != 0x80 {
                column += 1
            }
        }
        return SourceLocation(file: "", line: line, column: column)
    }
}

/// Assembles nodes from the event stream, one open collection per nesting level.
private struct TreeBuilder {
    enum Kind { case sequence, mapping }
    struct Open {
        var kind: Kind
        var location: SourceLocation
        var anchor: String?
        var children: [YAMLNode] = []
    }

    let file: String
    var stack: [Open] = []
    var anchors: [String: YAMLNode] = [:]
    var documents: [YAMLDocument] = []
    var documentStart = SourceLocation.unknown
    var mergedPairs = 0

    init(file: String) { self.file = file }

    mutating func open(_ kind: Kind, at location: SourceLocation, anchor: String?) throws(SpecError) {
        guard stack.count < YAMLReader.maximumDepth else {
            throw .nestingTooDeep(limit: YAMLReader.maximumDepth, at: location)
        }
        stack.append(Open(kind: kind, location: location, anchor: anchor))
    }

    mutating func close() throws(SpecError) {
        let open = stack.removeLast()
        let node: YAMLNode
        switch open.kind {
        case .sequence:
            node = YAMLNode(.sequence(open.children), at: open.location)
        case .mapping:
            node = YAMLNode(.mapping(try merged(pairs(open.children))), at: open.location)
        }
        try add(node, anchor: open.anchor)
    }

    mutating func add(_ node: YAMLNode, anchor: String?) throws(SpecError) {
        if let anchor { anchors[anchor] = node }
        if stack.isEmpty {
            documents.append(YAMLDocument(root: node, location: documentStart))
        } else {
            stack[stack.count - 1].children.append(node)
        }
    }

    private func pairs(_ children: [YAMLNode]) -> [(key: YAMLNode, value: YAMLNode)] {
        stride(from: 0, to: children.count - 1, by: 2).map { (key: children[$0], value: children[$0 + 1]) }
    }

    /// Applies YAML merge keys (`<<: *defaults`): keys written in the mapping win over merged ones.
    private mutating func merged(_ pairs: [(key: YAMLNode, value: YAMLNode)]) throws(SpecError) -> [(key: YAMLNode, value: YAMLNode)] {
        guard pairs.contains(where: { Self.isMergeKey($0.key) }) else { return pairs }
        var result = pairs.filter { !Self.isMergeKey($0.key) }
        var seen = Set(result.compactMap { $0.key.scalar })
        for pair in pairs where Self.isMergeKey(pair.key) {
            let sources: [YAMLNode]
            switch pair.value.value {
            case .mapping: sources = [pair.value]
            case .sequence(let items): sources = items
            case .scalar: throw .typeMismatch(what: "merge key '<<'", expected: "a mapping or a list of mappings",
                                              found: pair.value.typeDescription, at: pair.value.location)
            }
            for source in sources {
                guard case .mapping(let sourcePairs) = source.value else {
                    throw .typeMismatch(what: "merge key '<<'", expected: "a mapping", found: source.typeDescription, at: source.location)
                }
                mergedPairs += sourcePairs.count
                guard mergedPairs <= YAMLReader.maximumMergedPairs else {
                    throw .expansionLimit(limit: YAMLReader.maximumMergedPairs, at: pair.key.location)
                }
                for sourcePair in sourcePairs {
                    let key = sourcePair.key.scalar
                    if let key, seen.contains(key) { continue }
                    if let key { seen.insert(key) }
                    result.append(sourcePair)
                }
            }
        }
        return result
    }

    private static func isMergeKey(_ node: YAMLNode) -> Bool {
        if case .scalar("<<", plain: true) = node.value { return true }
        return false
    }
}
