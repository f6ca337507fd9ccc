import CNNIR

/// What changed between two analysed networks, layer by layer (`cnnc diff`).
///
/// Layers are matched by name first; the name matches that keep their order are anchors. Between two
/// anchors, a layer left over on each side is matched by position with the next left-over layer of the
/// same kind on the other side (a renamed or resized conv). The rest were removed or added. Branches
/// are walked depth first, so a layer inside a residual block is matched on its own, and the block's
/// row carries the sum of what changed inside it.
public struct NetworkDiff: Sendable {
    public enum Change: String, Sendable {
        case same, changed, renamed, moved, added, removed
    }

    public struct Entry: Sendable {
        public var change: Change
        /// The layer in the first network, and its depth in the branch tree; nil for an added layer.
        public var old: LayerAnalysis?
        public var new: LayerAnalysis?
        public var depth: Int

        /// For a layer in both networks: whether anything but its name and place differs (kind, settings, shapes,
        /// parameters, receptive field), so that a renamed or moved layer that also changed says so.
        public var differsBesidesName = false
        public var parameterDelta: Int { (new?.trainableParameters ?? 0) - (old?.trainableParameters ?? 0) }
        public var multiplyAddDelta: Int { (new?.multiplyAdds ?? 0) - (old?.multiplyAdds ?? 0) }
        /// Bytes of this layer's output for one image, float32 (a block's row: its own output, not its layers').
        public var activationByteDelta: Int { 4 * ((new?.output.count ?? 0) - (old?.output.count ?? 0)) }
    }

    public let old: NetworkAnalysis
    public let new: NetworkAnalysis
    /// Every layer of both networks, in the first network's order with added layers where they appear.
    public let entries: [Entry]

    public init(old: NetworkAnalysis, new: NetworkAnalysis) {
        self.old = old
        self.new = new
        entries = Self.match(Self.flattened(old.layers), Self.flattened(new.layers))
    }

    public var changedEntries: [Entry] { entries.filter { $0.change != .same } }
    public var parameterDelta: Int { new.trainableParameters - old.trainableParameters }
    public var multiplyAddDelta: Int { new.totalMultiplyAdds - old.totalMultiplyAdds }
    public var otherOperationDelta: Int { new.totalOtherOperations - old.totalOtherOperations }
    public var activationByteDelta: Int { new.activationBytesPerImage - old.activationBytesPerImage }

    /// Each layer and the layers of its branches and shortcut, depth first, with their depth.
    public static func flattened(_ layers: [LayerAnalysis], depth: Int = 0) -> [(LayerAnalysis, Int)] {
        layers.flatMap { layer in
            [(layer, depth)] + layer.branches.flatMap { flattened($0, depth: depth + 1) } + flattened(layer.shortcut, depth: depth + 1)
        }
    }

    static func match(_ a: [(LayerAnalysis, Int)], _ b: [(LayerAnalysis, Int)]) -> [Entry] {
        var indexInB: [String: Int] = [:]
        for (j, (layer, _)) in b.enumerated() where indexInB[layer.name] == nil { indexInB[layer.name] = j }
        // Name matches, in the first network's order; those on a longest increasing run of the second's
        // indices are anchors, the others moved.
        let named = a.indices.compactMap { i in indexInB[a[i].0.name].map { (i, $0) } }
        let anchors = Set(longestIncreasing(named.map(\.1)).map { named[$0].0 })
        var partnerOfA = [Int?](repeating: nil, count: a.count)
        var partnerOfB = [Int?](repeating: nil, count: b.count)
        for (i, j) in named { (partnerOfA[i], partnerOfB[j]) = (j, i) }
        // Between anchors, left-over layers are paired by position among those of the same kind.
        var anchorPairs = named.filter { anchors.contains($0.0) }
        anchorPairs.append((a.count, b.count))
        var (startA, startB) = (0, 0)
        for (endA, endB) in anchorPairs {
            var freeB = (startB..<endB).filter { partnerOfB[$0] == nil }
            for i in startA..<endA where partnerOfA[i] == nil {
                guard let k = freeB.firstIndex(where: { a[i].0.layer.kind.keyword == b[$0].0.layer.kind.keyword }) else { continue }
                (partnerOfA[i], partnerOfB[freeB[k]]) = (freeB[k], i)
                freeB.remove(at: k)
            }
            (startA, startB) = (endA + 1, endB + 1)
        }
        // The first network's order, each added layer after the last first-network layer before it.
        var entries: [Entry] = []
        var nextB = 0
        func flushAdded(upTo end: Int) {
            while nextB < end {
                if partnerOfB[nextB] == nil { entries.append(Entry(change: .added, old: nil, new: b[nextB].0, depth: b[nextB].1)) }
                nextB += 1
            }
        }
        for (i, (layer, depth)) in a.enumerated() {
            guard let j = partnerOfA[i] else {
                entries.append(Entry(change: .removed, old: layer, new: nil, depth: depth))
                continue
            }
            if anchors.contains(i) || j >= nextB { flushAdded(upTo: j) }
            let other = b[j].0
            let differs = !sameSettings(layer.layer.kind, other.layer.kind) || layer.output != other.output || layer.input != other.input
                || layer.trainableParameters != other.trainableParameters || layer.receptiveField != other.receptiveField
            let change: Change
            if layer.name != other.name {
                change = .renamed
            } else if !anchors.contains(i) {
                change = .moved
            } else if differs {
                change = .changed
            } else {
                change = .same
            }
            entries.append(Entry(change: change, old: layer, new: other, depth: depth, differsBesidesName: differs))
            nextB = max(nextB, j + 1)
        }
        flushAdded(upTo: b.count)
        // A block whose layers changed has changed.
        for k in entries.indices.reversed() where entries[k].change == .same {
            var next = k + 1
            while next < entries.count && entries[next].depth > entries[k].depth {
                if entries[next].change != .same {
                    entries[k].change = .changed
                    entries[k].differsBesidesName = true
                    break
                }
                next += 1
            }
        }
        return entries
    }

    /// Equal kinds and settings; a branching layer's own kind only, since its layers are compared one by one
    /// (they carry where they were written, which differs between two files).
    static func sameSettings(_ x: LayerKind, _ y: LayerKind) -> Bool {
        x.branches.isEmpty && y.branches.isEmpty ? x == y : x.keyword == y.keyword
    }

    /// Positions (in `values`) of one longest strictly increasing subsequence (patience sorting).
    static func longestIncreasing(_ values: [Int]) -> [Int] {
        var tails: [Int] = []            // positions of the smallest tail of each length
        var previous = [Int](repeating: -1, count: values.count)
        for (k, value) in values.enumerated() {
            var (low, high) = (0, tails.count)
            while low < high {
                let mid = (low + high) / 2
                if values[tails[mid]] < value { low = mid + 1 } else { high = mid }
            }
            if low > 0 { previous[k] = tails[low - 1] }
            if low == tails.count { tails.append(k) } else { tails[low] = k }
        }
        var result: [Int] = []
        var k = tails.last ?? -1
        while k >= 0 {
            result.append(k)
            k = previous[k]
        }
        return result.reversed()
    }
}
