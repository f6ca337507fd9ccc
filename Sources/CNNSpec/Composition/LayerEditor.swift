import CNNIR

/// Edits one layer of a document, found by the name the parser gives it: what `--set layers.NAME…=VALUE`
/// and a `layers: {NAME: …}` patch in a spec that `extends` another do.
enum LayerEditor {
    /// `path` goes inside the layer's parameters (`[filters]`); empty, `value` is the whole edit: a mapping of
    /// parameters merged onto the layer's (`{filters: 64}`), a whole layer (`{conv: {…}}`, `relu`) replacing it,
    /// or nil removing it.
    static func edit(_ root: YAMLNode, layer name: String, path: ArraySlice<String>, value: YAMLNode?,
                     at location: SourceLocation) throws(SpecError) -> YAMLNode {
        let index = try SpecParser.layerIndex(root)
        guard let item = index.items[name] else { throw .unknownLayer(name: name, known: index.names, at: location) }
        let copies = index.builds[ObjectIdentifier(item)] ?? 1
        guard copies == 1 else { throw .layerWrittenOnce(name: name, copies: copies, written: item.location, at: location) }
        guard let (kindKey, body) = split(item) else { return root }
        if path.isEmpty {
            guard let value else { return root.removing(item) }
            if isWholeLayer(value) { return root.replacing(item, with: value) }
            guard value.pairs != nil else {
                throw .typeMismatch(what: "the value for layer '\(name)'",
                                    expected: "a mapping of its keys ({filters: 64}), a whole layer ({conv: {filters: 64, size: 3}}) or null (removes it)",
                                    found: value.typeDescription, at: value.location)
            }
            let merged = (body ?? YAMLNode(.mapping([]), at: kindKey.location)).merging(value)
            return root.replacing(item, with: YAMLNode(.mapping([(key: kindKey, value: merged)]), at: item.location))
        }
        var mapping = body ?? YAMLNode(.mapping([]), at: kindKey.location)
        if let list = body, list.items != nil, let kind = SpecVocabulary.layerKind(kindKey.scalar ?? ""),
           let listKey = kind.keys.first(where: \.isRequired)?.name {
            // `residual: [...]` is `residual: {layers: [...]}`.
            mapping = YAMLNode(.mapping([(key: .word(listKey, at: list.location), value: list)]), at: list.location)
        }
        let edited = try setting(mapping, path: path, to: value, parentKey: kindKey.scalar ?? "", at: location)
        return root.replacing(item, with: YAMLNode(.mapping([(key: kindKey, value: edited ?? YAMLNode(.mapping([]), at: kindKey.location))]),
                                                   at: item.location))
    }

    /// `relu` or `{conv: {…}}`: a layer written out, rather than a mapping of a layer's keys.
    static func isWholeLayer(_ node: YAMLNode) -> Bool {
        if let word = node.scalar { return SpecVocabulary.layerKind(word) != nil }
        if let pairs = node.pairs, pairs.count == 1, let word = pairs[0].key.scalar { return SpecVocabulary.layerKind(word) != nil }
        return false
    }

    private static func split(_ item: YAMLNode) -> (YAMLNode, YAMLNode?)? {
        if item.scalar != nil { return (item, nil) }
        guard let pairs = item.pairs, pairs.count == 1 else { return nil }
        return (pairs[0].key, pairs[0].value.isNull ? nil : pairs[0].value)
    }

    /// Where a word stands for a mapping (`optimizer: adam` is `{name: adam}`), the key it fills.
    static let shorthands = ["optimizer": "name", "schedule": "name", "data": "path"]

    /// `node` with the key path set to `value` (nil removes it); missing mappings on the way are made.
    static func setting(_ node: YAMLNode?, path: ArraySlice<String>, to value: YAMLNode?, parentKey: String,
                        at location: SourceLocation) throws(SpecError) -> YAMLNode? {
        guard let key = path.first else { return value }
        var mapping: YAMLNode
        if let node, node.pairs != nil {
            mapping = node
        } else if node == nil || node!.isNull {
            mapping = YAMLNode(.mapping([]), at: node?.location ?? location)
            // An optimizer or schedule the spec leaves at its default is that default, named: `train.optimizer.lr=0.1` is adam's lr.
            if let family = SpecVocabulary.families.first(where: { $0.name == parentKey }), key != "name" {
                mapping = mapping.setting("name", to: .word(family.defaultName, at: location), keyAt: location)
            }
        } else if let node, node.scalar != nil, let shortKey = shorthands[parentKey] {
            mapping = YAMLNode(.mapping([(key: .word(shortKey, at: node.location), value: node)]), at: node.location)
        } else {
            throw .typeMismatch(what: "'\(parentKey)'", expected: "a mapping, to set '\(key)' in it", found: node!.typeDescription,
                                at: location)
        }
        let child = try setting(mapping[key], path: path.dropFirst(), to: value, parentKey: key, at: location)
        return mapping.setting(key, to: child, keyAt: location)
    }
}

extension YAMLNode {
    /// This tree without `target` (the same node object) wherever it is an item of a list.
    func removing(_ target: YAMLNode) -> YAMLNode {
        var done: [ObjectIdentifier: YAMLNode] = [:]
        return rebuilt(&done) { node in
            guard let items = node.items, items.contains(where: { $0 === target }) else { return nil }
            return YAMLNode(.sequence(items.filter { $0 !== target }), at: node.location)
        }
    }
}
