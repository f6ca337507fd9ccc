import CNNIR

/// Trees are immutable: an edit builds the path from the root to the change anew and shares every
/// other subtree with the original.
extension YAMLNode {
    var pairs: [(key: YAMLNode, value: YAMLNode)]? {
        if case .mapping(let pairs) = value { return pairs }
        return nil
    }

    var items: [YAMLNode]? {
        if case .sequence(let items) = value { return items }
        return nil
    }

    /// The value of a key of a mapping (the first, if written twice: the parser reports the second).
    subscript(key: String) -> YAMLNode? {
        pairs?.first { $0.key.scalar == key }?.value
    }

    var isNull: Bool {
        if case .scalar(let text, plain: true) = value { return YAMLNode.isNull(text) }
        return false
    }

    static func word(_ text: String, at location: SourceLocation) -> YAMLNode {
        YAMLNode(.scalar(text, plain: true), at: location)
    }

    /// This mapping with `key` set to `newValue` (in place when present, else appended), or removed when nil.
    func setting(_ key: String, to newValue: YAMLNode?, keyAt keyLocation: SourceLocation? = nil) -> YAMLNode {
        var result = pairs ?? []
        if let index = result.firstIndex(where: { $0.key.scalar == key }) {
            if let newValue { result[index].value = newValue } else { result.remove(at: index) }
        } else if let newValue {
            result.append((key: .word(key, at: keyLocation ?? newValue.location), value: newValue))
        }
        return YAMLNode(.mapping(result), at: location)
    }

    /// This tree with every occurrence of `target` (the same node object) replaced. Each node is visited once
    /// however many aliases share it, so the walk stays linear in the file.
    func replacing(_ target: YAMLNode, with replacement: YAMLNode) -> YAMLNode {
        var done: [ObjectIdentifier: YAMLNode] = [:]
        return rebuilt(&done) { $0 === target ? replacement : nil }
    }

    /// This tree with `edit` applied to every node (a nil result keeps the node and goes inside it),
    /// sharing the subtrees it leaves alone; `done` remembers each node's result.
    func rebuilt(_ done: inout [ObjectIdentifier: YAMLNode], _ edit: (YAMLNode) -> YAMLNode?) -> YAMLNode {
        if let result = done[ObjectIdentifier(self)] { return result }
        let result: YAMLNode
        if let edited = edit(self) {
            result = edited
        } else {
            switch value {
            case .scalar:
                result = self
            case .sequence(let items):
                let edited = items.map { $0.rebuilt(&done, edit) }
                result = zip(items, edited).allSatisfy({ $0 === $1 }) ? self : YAMLNode(.sequence(edited), at: location)
            case .mapping(let pairs):
                let edited = pairs.map { (key: $0.key, value: $0.value.rebuilt(&done, edit)) }
                result = zip(pairs, edited).allSatisfy({ $0.value === $1.value }) ? self : YAMLNode(.mapping(edited), at: location)
            }
        }
        done[ObjectIdentifier(self)] = result
        return result
    }

    /// `overlay` merged onto this node: mappings merge key by key (recursively), a null value removes
    /// the key, and anything else (scalars, lists) replaces. A word written for a mapping (`optimizer: sgd`)
    /// merges as that mapping (`{name: sgd}`), so `optimizer: {lr: 0.1}` over it keeps sgd.
    func merging(_ overlay: YAMLNode, key: String? = nil) -> YAMLNode {
        if let key, let shortKey = LayerEditor.shorthands[key], scalar != nil, !isNull, overlay.pairs != nil {
            return YAMLNode(.mapping([(key: .word(shortKey, at: location), value: self)]), at: location).merging(overlay)
        }
        guard let basePairs = pairs, let overlayPairs = overlay.pairs else { return overlay }
        var result = basePairs
        for pair in overlayPairs {
            guard let key = pair.key.scalar else { result.append(pair); continue }
            let index = result.firstIndex { $0.key.scalar == key }
            if pair.value.isNull {
                if let index { result.remove(at: index) }
            } else if let index {
                result[index] = (key: pair.key, value: result[index].value.merging(pair.value, key: key))
            } else {
                result.append(pair)
            }
        }
        return YAMLNode(.mapping(result), at: overlay.location)
    }
}
