import CNNIR

/// Expands `blocks:`, parameterised lists of layers written once and used like a layer kind:
///
///     blocks:
///       basic:
///         params: {filters: null, stride: 1}     # or [filters, stride]: all required
///         layers:
///           - residual: [conv: {filters: $filters, size: 3, stride: $stride, pad: 1}, batchnorm, relu]
///     layers:
///       - basic: {filters: 128, stride: 2, name: stage2}
///
/// Each use becomes the block's layers with every `$param` replaced by the argument's node, and with names
/// `<instance>_<layer>`: the instance is the use's `name:` or `<block><n>` (counted per list), the layer its
/// own `name:` or kind + index within the instance (`stage2_conv1`, `stage2_batchnorm1`, `basic1_relu1`).
/// Blocks may use other blocks (names nest: `down1_basic1_conv1`), never themselves.
struct BlockExpander {
    struct Block {
        var name: String
        /// In the order declared; a nil default makes the parameter required.
        var params: [(name: String, defaultValue: YAMLNode?)]
        var layers: [YAMLNode]
        var location: SourceLocation
    }

    static let maximumNesting = 16
    private(set) var blocks: [String: Block] = [:]
    private var madeLayers = 0
    /// Aliases share nodes: a walk pays per visit, so a nest of aliases in a block fails instead of exploding.
    private let budget = NodeBudget()

    init(_ root: YAMLNode) throws(SpecError) {
        guard let node = root["blocks"] else { return }
        guard let definitions = node.pairs else {
            throw .typeMismatch(what: "'blocks'", expected: "a mapping of block names to {params, layers}", found: node.typeDescription,
                                at: node.location)
        }
        for (keyNode, definition) in definitions {
            guard let name = keyNode.scalar, Self.isIdentifier(name) else {
                throw .invalidValue(what: "a block name", value: keyNode.scalar.map { "'\($0)'" } ?? keyNode.typeDescription,
                                    requirement: "letters, digits, '_' or '-'", at: keyNode.location)
            }
            guard SpecVocabulary.layerKind(name) == nil else {
                throw .invalidValue(what: "block name", value: "'\(name)'", requirement: "different from every layer kind's name",
                                    at: keyNode.location)
            }
            guard blocks[name] == nil else { throw .duplicateKey(key: name, at: keyNode.location) }
            blocks[name] = try Self.block(name, definition)
        }
    }

    private static func block(_ name: String, _ node: YAMLNode) throws(SpecError) -> Block {
        let section = "block '\(name)'"
        guard let pairs = node.pairs else {
            throw .typeMismatch(what: section, expected: "a mapping with 'layers' (and 'params')", found: node.typeDescription, at: node.location)
        }
        for pair in pairs where !["params", "layers"].contains(pair.key.scalar ?? "") {
            throw .unknownKey(key: pair.key.scalar ?? pair.key.typeDescription, section: section, allowed: ["params", "layers"],
                              at: pair.key.location)
        }
        guard let layersNode = node["layers"] else {
            throw .missingKey(key: "layers", section: section, example: "'layers: [...]'", at: node.location)
        }
        guard let layers = layersNode.items else {
            throw .typeMismatch(what: "'layers' of \(section)", expected: "a list of layers", found: layersNode.typeDescription,
                                at: layersNode.location)
        }
        guard !layers.isEmpty else { throw .emptyLayers(at: layersNode.location) }
        var params: [(name: String, defaultValue: YAMLNode?)] = []
        if let paramsNode = node["params"] {
            switch paramsNode.value {
            case .sequence(let items):
                for item in items { params.append((try parameterName(item, section: section), nil)) }
            case .mapping(let pairs):
                for pair in pairs { params.append((try parameterName(pair.key, section: section), pair.value.isNull ? nil : pair.value)) }
            case .scalar:
                throw .typeMismatch(what: "'params' of \(section)", expected: "a list of names or a mapping of names to defaults",
                                    found: paramsNode.typeDescription, at: paramsNode.location)
            }
        }
        return Block(name: name, params: params, layers: layers, location: node.location)
    }

    private static func parameterName(_ node: YAMLNode, section: String) throws(SpecError) -> String {
        guard let name = node.scalar, isIdentifier(name), name != "name" else {
            throw .invalidValue(what: "a parameter of \(section)", value: node.scalar.map { "'\($0)'" } ?? node.typeDescription,
                                requirement: "a word of letters, digits and '_' other than 'name'", at: node.location)
        }
        return name
    }

    private static func isIdentifier(_ text: String) -> Bool {
        !text.isEmpty && text.allSatisfy { $0.isLetter || $0.isNumber || $0 == "_" || $0 == "-" }
    }

    /// The document with every use of a block expanded and `blocks:` removed.
    mutating func expanded(_ root: YAMLNode) throws(SpecError) -> YAMLNode {
        guard root.pairs != nil, root["blocks"] != nil else { return root }
        let withoutBlocks = root.setting("blocks", to: nil)
        guard let layers = root["layers"], let items = layers.items else { return withoutBlocks }
        var counters: [String: Int] = [:]
        let expanded = try expandList(items, stack: [], counters: &counters)
        return withoutBlocks.setting("layers", to: YAMLNode(.sequence(expanded), at: layers.location))
    }

    // MARK: - Lists

    private mutating func expandList(_ items: [YAMLNode], stack: [String], counters: inout [String: Int]) throws(SpecError) -> [YAMLNode] {
        var result: [YAMLNode] = []
        for item in items {
            if let (block, arguments, keyNode) = use(item) {
                result += try instantiate(block, arguments: arguments, at: keyNode, stack: stack, counters: &counters)
            } else {
                result.append(try expandNested(item, stack: stack, counters: &counters))
            }
        }
        return result
    }

    /// `- basic` or `- basic: {filters: 64}`: the block, its arguments and the node naming it.
    private func use(_ item: YAMLNode) -> (Block, YAMLNode?, YAMLNode)? {
        if let word = item.scalar, let block = blocks[word] { return (block, nil, item) }
        if let pairs = item.pairs, pairs.count == 1, let word = pairs[0].key.scalar, let block = blocks[word] {
            return (block, pairs[0].value.isNull ? nil : pairs[0].value, pairs[0].key)
        }
        return nil
    }

    /// The lists of layers inside `repeat`, `residual` and `concat`, expanded in turn.
    private mutating func expandNested(_ item: YAMLNode, stack: [String], counters: inout [String: Int]) throws(SpecError) -> YAMLNode {
        guard let pairs = item.pairs, pairs.count == 1, let kind = pairs[0].key.scalar else { return item }
        let body = pairs[0].value
        func rebuilt(_ newBody: YAMLNode) -> YAMLNode { YAMLNode(.mapping([(key: pairs[0].key, value: newBody)]), at: item.location) }
        func list(_ node: YAMLNode, counters: inout [String: Int]) throws(SpecError) -> YAMLNode {
            guard let items = node.items else { return node }
            return YAMLNode(.sequence(try expandList(items, stack: stack, counters: &counters)), at: node.location)
        }
        func branches(_ node: YAMLNode, counters: inout [String: Int]) throws(SpecError) -> YAMLNode {
            guard let items = node.items else { return node }
            var made: [YAMLNode] = []
            for branch in items { made.append(try list(branch, counters: &counters)) }
            return YAMLNode(.sequence(made), at: node.location)
        }
        switch (kind, body.value) {
        case ("repeat", .mapping), ("residual", .mapping):
            var newBody = body
            if let layers = body["layers"] { newBody = newBody.setting("layers", to: try list(layers, counters: &counters)) }
            if kind == "residual", let shortcut = body["shortcut"], shortcut.items != nil {
                newBody = newBody.setting("shortcut", to: try list(shortcut, counters: &counters))
            }
            return rebuilt(newBody)
        case ("residual", .sequence):
            return rebuilt(try list(body, counters: &counters))
        case ("concat", .sequence):
            return rebuilt(try branches(body, counters: &counters))
        case ("concat", .mapping):
            guard let node = body["branches"] else { return item }
            return rebuilt(body.setting("branches", to: try branches(node, counters: &counters)))
        default:
            return item
        }
    }

    // MARK: - One use

    private mutating func instantiate(_ block: Block, arguments: YAMLNode?, at keyNode: YAMLNode, stack: [String],
                                      counters: inout [String: Int]) throws(SpecError) -> [YAMLNode] {
        if let start = stack.firstIndex(of: block.name) {
            throw .blockCycle(chain: Array(stack[start...]) + [block.name], at: keyNode.location)
        }
        guard stack.count < Self.maximumNesting else { throw .nestingTooDeep(limit: Self.maximumNesting, at: keyNode.location) }
        let section = "block '\(block.name)'"
        var given: [String: YAMLNode] = [:]
        var instanceName: String?
        if let arguments {
            guard let pairs = arguments.pairs else {
                throw .typeMismatch(what: "the arguments of \(section)", expected: "a mapping of its parameters",
                                    found: arguments.typeDescription, at: arguments.location)
            }
            let allowed = block.params.map(\.name) + ["name"]
            for pair in pairs {
                guard let key = pair.key.scalar, allowed.contains(key) else {
                    throw .unknownKey(key: pair.key.scalar ?? pair.key.typeDescription, section: section, allowed: allowed, at: pair.key.location)
                }
                guard given[key] == nil else { throw .duplicateKey(key: key, at: pair.key.location) }
                given[key] = pair.value
            }
            if let nameNode = given.removeValue(forKey: "name") {
                guard let name = nameNode.scalar, Self.isIdentifier(name) else {
                    throw .invalidValue(what: "'name'", value: nameNode.scalar.map { "'\($0)'" } ?? nameNode.typeDescription,
                                        requirement: "letters, digits, '_' or '-'", at: nameNode.location)
                }
                instanceName = name
            }
        }
        var bindings: [String: YAMLNode] = [:]
        for (name, defaultValue) in block.params {
            guard let value = given[name] ?? defaultValue else {
                throw .missingKey(key: name, section: section, example: "'\(block.name): {\(name): …}'", at: keyNode.location)
            }
            bindings[name] = value
        }
        let name = instanceName ?? Self.counted(block.name, &counters)
        var substituted: [YAMLNode] = []
        for layer in block.layers { substituted.append(try substitute(layer, bindings, block)) }
        var inner: [String: Int] = [:]
        let expanded = try expandList(substituted, stack: stack + [block.name], counters: &inner)
        // The items a use adds to the network's list, counted once (a nested use's are in its parent's); the walks
        // themselves are bounded by the node budget, and the parser counts the layers the list makes.
        if stack.isEmpty {
            madeLayers += expanded.count
            guard madeLayers <= SpecParser.maximumLayers else { throw .tooManyLayers(limit: SpecParser.maximumLayers, at: keyNode.location) }
        }
        var names: [String: Int] = [:]
        var made: [YAMLNode] = []
        for item in expanded { made.append(try named(item, prefix: name, counters: &names)) }
        return made
    }

    /// `basic1`, `basic2`, …; `stage2` after a block named `stage2` gives `stage2_1`.
    private static func counted(_ word: String, _ counters: inout [String: Int]) -> String {
        let n = (counters[word] ?? 0) + 1
        counters[word] = n
        return word.last?.isNumber == true ? "\(word)_\(n)" : "\(word)\(n)"
    }

    /// Every `$param` scalar (a value or a list item, not a key) replaced by its argument.
    private func substitute(_ node: YAMLNode, _ bindings: [String: YAMLNode], _ block: Block) throws(SpecError) -> YAMLNode {
        try budget.visit(node)
        switch node.value {
        case .scalar(let text, plain: true) where text.hasPrefix("$"):
            let name = String(text.dropFirst())
            guard let value = bindings[name] else {
                throw .unknownBlockParameter(name: name, block: block.name, declared: block.params.map(\.name), at: node.location)
            }
            return value
        case .scalar:
            return node
        case .sequence(let items):
            var made: [YAMLNode] = []
            for item in items { made.append(try substitute(item, bindings, block)) }
            return YAMLNode(.sequence(made), at: node.location)
        case .mapping(let pairs):
            var made: [(key: YAMLNode, value: YAMLNode)] = []
            for pair in pairs { made.append((key: pair.key, value: try substitute(pair.value, bindings, block))) }
            return YAMLNode(.mapping(made), at: node.location)
        }
    }

    // MARK: - Names

    /// The item with its name (and those of the layers inside it) prefixed by the instance's.
    private func named(_ item: YAMLNode, prefix: String, counters: inout [String: Int]) throws(SpecError) -> YAMLNode {
        try budget.visit(item)
        func namedList(_ list: YAMLNode, counters: inout [String: Int]) throws(SpecError) -> YAMLNode {
            guard let items = list.items else { return list }
            var made: [YAMLNode] = []
            for item in items { made.append(try named(item, prefix: prefix, counters: &counters)) }
            return YAMLNode(.sequence(made), at: list.location)
        }
        let kindWord: String
        var body: YAMLNode?
        var keyNode: YAMLNode
        if let word = item.scalar {
            kindWord = word
            keyNode = item
        } else if let pairs = item.pairs, pairs.count == 1, let word = pairs[0].key.scalar {
            kindWord = word
            keyNode = pairs[0].key
            body = pairs[0].value.isNull ? nil : pairs[0].value
        } else {
            return item // not a layer: the parser reports it
        }
        guard let kind = SpecVocabulary.layerKind(kindWord) else { return item }
        // Short forms (`residual: [...]`, `concat: [[...]]`) become mappings so that they can carry a name.
        if let list = body, list.items != nil, let listKey = kind.keys.first(where: \.isRequired)?.name, kindWord != "repeat" {
            body = YAMLNode(.mapping([(key: .word(listKey, at: list.location), value: list)]), at: list.location)
        }
        var newBody = body ?? YAMLNode(.mapping([]), at: keyNode.location)
        guard newBody.pairs != nil else { return item } // a malformed body: the parser reports it
        for listKey in ["layers", "shortcut"] {
            if let list = newBody[listKey], list.items != nil {
                newBody = newBody.setting(listKey, to: try namedList(list, counters: &counters))
            }
        }
        if let branches = newBody["branches"], let lists = branches.items {
            var made: [YAMLNode] = []
            for list in lists { made.append(try namedList(list, counters: &counters)) }
            newBody = newBody.setting("branches", to: YAMLNode(.sequence(made), at: branches.location))
        }
        if kind.keys.contains(where: { $0.name == "name" }) {
            let own = newBody["name"]?.scalar ?? Self.counted(kindWord, &counters)
            newBody = newBody.setting("name", to: .word("\(prefix)_\(own)", at: newBody["name"]?.location ?? keyNode.location),
                                      keyAt: keyNode.location)
        }
        if kindWord == "repeat", body == nil { return item }
        return YAMLNode(.mapping([(key: keyNode, value: newBody)]), at: item.location)
    }
}
