import CNNIR
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Turns spec files into `Network` values: YAML -> typed IR, checking every key and value.
/// Shapes are not checked here; that is the analysis stage's job.
public enum SpecParser {
    /// Specs are small; anything larger is not a spec.
    public static let maximumFileBytes = 1 << 20
    /// Bounds `repeat` expansion: a network has at most this many layers, branches included
    /// (docs/spec.md, "Limits"). Real networks have hundreds; the bound keeps a `repeat: {times: 1000000000}`
    /// a message rather than a billion-layer allocation.
    public static let maximumLayers = 10_000
    /// The most errors one run reports (a spec with a systematic mistake would otherwise fill the terminal).
    public static let maximumReportedErrors = 10

    /// Reads and parses every network (YAML document) in a file, composed (`extends`, `blocks`) and with
    /// the `--set` overrides applied.
    public static func load(path: String, overrides: [SpecOverride] = []) throws(SpecError) -> [Network] {
        let bytes = try readFile(path)
        return try parse(bytes, file: path, overrides: overrides)
    }

    /// Parses spec text; `file` names it in locations (and `extends` paths are relative to it).
    public static func parse(_ text: String, file: String = "<string>", overrides: [SpecOverride] = []) throws(SpecError) -> [Network] {
        try parse(Array(text.utf8), file: file, overrides: overrides)
    }

    public static func parse(_ bytes: [UInt8], file: String, overrides: [SpecOverride] = []) throws(SpecError) -> [Network] {
        try networks(try composed(bytes, file: file, overrides: overrides), file: file)
    }

    /// The spec as YAML after composition and overrides: a plain spec (no `extends`, no `blocks`) that parses
    /// to the same networks. It is checked by building it first.
    public static func resolved(path: String, overrides: [SpecOverride] = []) throws(SpecError) -> String {
        let documents = try composed(try readFile(path), file: path, overrides: overrides)
        _ = try networks(documents, file: path)
        return YAMLWriter.text(documents.map(\.root))
    }

    static func composed(_ bytes: [UInt8], file: String, overrides: [SpecOverride]) throws(SpecError) -> [YAMLDocument] {
        let documents = try YAMLReader(file: file).documents(from: bytes)
        guard !documents.isEmpty else { throw .emptyFile(path: file) }
        return try SpecComposer(overrides: overrides).compose(documents, file: file)
    }

    static func networks(_ documents: [YAMLDocument], file: String) throws(SpecError) -> [Network] {
        let stem = baseName(file)
        var networks: [Network] = []
        for (index, document) in documents.enumerated() {
            let fallbackName = documents.count == 1 ? stem : "\(stem)-\(index + 1)"
            var builder = NetworkBuilder(budget: NodeBudget())
            networks.append(try builder.network(document.root, fallbackName: fallbackName))
        }
        return networks
    }

    /// Each layer name of a document with the list item it was built from, and how many layers each item built
    /// (more than one for a `repeat`'s copies and for an alias used twice). `names` in the order built.
    struct LayerIndex {
        var items: [String: YAMLNode] = [:]
        var builds: [ObjectIdentifier: Int] = [:]
        var names: [String] = []
    }

    static func layerIndex(_ root: YAMLNode) throws(SpecError) -> LayerIndex {
        var builder = NetworkBuilder(budget: NodeBudget())
        builder.index = LayerIndex()
        _ = try builder.network(root, fallbackName: "index")
        return builder.index!
    }

    /// Reads a whole file with POSIX calls, turning each failure into an error a user can act on.
    static func readFile(_ path: String) throws(SpecError) -> [UInt8] {
        var info = stat()
        guard stat(path, &info) == 0 else {
            if errno == ENOENT { throw .fileNotFound(path: path) }
            throw .unreadable(path: path, reason: String(cString: strerror(errno)))
        }
        if (info.st_mode & S_IFMT) == S_IFDIR { throw .isDirectory(path: path) }
        guard info.st_size <= maximumFileBytes else {
            throw .fileTooLarge(path: path, bytes: Int(info.st_size), limit: maximumFileBytes)
        }
        guard let file = fopen(path, "rb") else {
            throw .unreadable(path: path, reason: String(cString: strerror(errno)))
        }
        defer { fclose(file) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = fread(&chunk, 1, chunk.count, file)
            if n > 0 { bytes.append(contentsOf: chunk[0..<n]) }
            if n < chunk.count { break }
            guard bytes.count <= maximumFileBytes else {
                throw .fileTooLarge(path: path, bytes: bytes.count, limit: maximumFileBytes)
            }
        }
        if ferror(file) != 0 { throw .unreadable(path: path, reason: "read error") }
        return bytes
    }

    static func baseName(_ path: String) -> String {
        let last = path.split(separator: "/").last.map(String.init) ?? path
        for suffix in [".yaml", ".yml"] where last.hasSuffix(suffix) {
            return String(last.dropLast(suffix.count))
        }
        return last
    }
}

/// Builds one network from its document's root node. Keys are checked and read through the
/// declarations in `SpecVocabulary`; this builder only threads names, counts and nesting.
struct NetworkBuilder {
    let budget: NodeBudget
    /// Recorded only when set (for edits by layer name).
    var index: SpecParser.LayerIndex?
    /// Names given so far, with where each was given, for the duplicate check.
    var names: [String: SourceLocation] = [:]
    /// Per-kind counters for default names (`conv1`, `conv2`, `relu1`, …).
    var counters: [String: Int] = [:]
    /// Layers made so far, branches included, against `maximumLayers`.
    var layerCount = 0

    init(budget: NodeBudget) { self.budget = budget }

    mutating func network(_ root: YAMLNode, fallbackName: String) throws(SpecError) -> Network {
        let map = try MappingReader(root, section: "the network", keys: SpecVocabulary.network.keys, budget: budget)
        let name = try map.string("name") ?? fallbackName
        let inputNode = try map.required("input")
        let input = try shape(inputNode)
        let defaultInit = try map.initScheme("init") ?? .he
        let layersNode = try map.required("layers")
        let items = try NodeReading.list(layersNode, what: "'layers'")
        guard !items.isEmpty else { throw .emptyLayers(at: layersNode.location) }
        var layers: [Layer] = []
        try appendLayers(items, to: &layers, repetition: nil)
        let loss = Loss(rawValue: try map.choice("loss"))!
        var training = try map["train"].map { n throws(SpecError) in try self.training(n, input: input) }
        if let freezeNode = map["train"]?["freeze"] {
            layers = try frozen(layers, by: freezeNode)
            training?.freeze = try NodeReading.list(freezeNode, what: "'freeze'").compactMap(\.scalar)
        }
        var network = Network(name: name, input: input, defaultInit: defaultInit, layers: layers, loss: loss,
                              training: training, location: root.location, inputLocation: inputNode.location)
        network.compareTo = try map.string("compare_to")
        return network
    }

    // MARK: - Input

    func shape(_ node: YAMLNode) throws(SpecError) -> Shape {
        if case .mapping = node.value {
            let map = try MappingReader(node, section: "'input'", keys: SpecVocabulary.inputShape.keys, budget: budget)
            func dim(_ key: String) throws(SpecError) -> Int {
                guard case .integer(let minimum) = map.key(key).type else { preconditionFailure("input.\(key) is not an integer") }
                return try NodeReading.int(try map.required(key), what: "input \(key)", minimum: minimum)
            }
            return Shape(channels: try dim("channels"), height: try dim("height"), width: try dim("width"))
        }
        if case .scalar(let text, true) = node.value, text.contains("x") {
            // `3x32x32`, as --input is written on the command line; each number is read as the list's are.
            let parts = text.split(separator: "x", omittingEmptySubsequences: false)
            if parts.count == 3, parts.allSatisfy({ !$0.isEmpty && NodeReading.isWholeNumber(String($0)) }) {
                let v = try parts.map { (part) throws(SpecError) in
                    try NodeReading.int(YAMLNode(.scalar(String(part), plain: true), at: node.location), what: "'input'", minimum: 1)
                }
                return Shape(channels: v[0], height: v[1], width: v[2])
            }
        }
        guard case .sequence = node.value else {
            throw .typeMismatch(what: "'input'", expected: "[channels, height, width], {channels, height, width} or CxHxW (3x32x32)",
                                found: node.typeDescription, at: node.location)
        }
        let v = try NodeReading.ints(node, what: "'input'", minimum: 1, counts: [3], budget: budget)
        return Shape(channels: v[0], height: v[1], width: v[2])
    }

    // MARK: - Layers

    /// Reads each item into `layers`. A bad layer does not stop the others being read: their errors are
    /// independent, and all of them (up to `maximumReportedErrors`) are thrown together as `.several`. Limits
    /// (nesting, expansion, layer count) stop at once.
    mutating func appendLayers(_ items: [YAMLNode], to layers: inout [Layer], repetition: String?) throws(SpecError) {
        var errors: [SpecError] = []
        for item in items {
            do throws(SpecError) {
                try appendLayer(item, to: &layers, repetition: repetition)
            } catch {
                switch error {
                case .nestingTooDeep, .expansionLimit, .tooManyLayers: throw error
                case .several(let inner): errors += inner
                default: errors.append(error)
                }
                if errors.count >= SpecParser.maximumReportedErrors { break }
            }
        }
        // A layer of a `repeat` block is read once per copy: its error is reported once.
        var seen = Set<String>()
        errors = errors.filter { seen.insert("\($0.location.file):\($0.location.line):\($0.location.column) \($0.message)").inserted }
        if errors.count == 1 { throw errors[0] }
        if errors.count > 1 { throw .several(Array(errors.prefix(SpecParser.maximumReportedErrors))) }
    }

    mutating func appendLayer(_ item: YAMLNode, to layers: inout [Layer], repetition: String?) throws(SpecError) {
        try budget.visit(item)
        let (kind, kindNode, body) = try split(item)
        if case .repeatBlock = kind.build {
            try appendRepeat(kind, body: body, at: kindNode.location, to: &layers, outer: repetition)
            return
        }
        let built = layers.count
        defer { record(item, names: layers[built...].map(\.name)) }
        guard layerCount < SpecParser.maximumLayers else {
            throw .tooManyLayers(limit: SpecParser.maximumLayers, at: item.location)
        }
        layerCount += 1
        switch kind.build {
        case .concat, .residual:
            let block = try branching(kind, keyNode: kindNode, body: body, repetition: repetition)
            let map = try body.flatMap { node throws(SpecError) in node.pairs == nil ? nil : try parameters(kind, keyNode: kindNode, body: node) }
            layers.append(try tuned(block, map))
        case .separable:
            let map = try parameters(kind, keyNode: kindNode, body: body)
            for layer in try separable(kind, keyNode: kindNode, body: body, repetition: repetition) { layers.append(try tuned(layer, map)) }
        case .layer(let build):
            let map = try parameters(kind, keyNode: kindNode, body: body)
            let layerKind = try build(map)
            let name = try assignName(try Self.explicitName(map), keyword: layerKind.keyword, repetition: repetition,
                                      at: kindNode.location)
            if case .squeezeExcite = layerKind {
                // Its convs' tensors are named `<name>_squeeze.weight`, …: no other layer may take those names.
                for part in ["squeeze", "excite"] { try reserve("\(name)_\(part)", at: kindNode.location) }
            }
            layers.append(try tuned(Layer(name: name, kind: layerKind, location: kindNode.location), map))
        case .repeatBlock:
            preconditionFailure("repeat is expanded above")
        }
    }

    /// `freeze` and `lr_scale` where the kind declares them; a block's apply to every layer inside it.
    func tuned(_ layer: Layer, _ map: MappingReader?) throws(SpecError) -> Layer {
        guard let map, map.declares("freeze") else { return layer }
        let freeze = try map["freeze"].map { node throws(SpecError) in try Self.freeze(node, budget: budget) } ?? .none
        let scale = try map.double("lr_scale")
        return freeze == .none && scale == 1 ? layer : layer.tuned(freeze: freeze, learningRateScale: scale)
    }

    /// `true`, `false` or `{statistics: true}`.
    static func freeze(_ node: YAMLNode, budget: NodeBudget) throws(SpecError) -> Layer.Freeze {
        switch node.value {
        case .scalar("true", plain: true): return .weights
        case .scalar("false", plain: true): return .none
        case .mapping:
            let map = try MappingReader(node, section: "'freeze'",
                                        keys: [Key("statistics", .boolean, .boolean(false), "batchnorm's running statistics too")], budget: budget)
            return try map.bool("statistics") ? .statistics : .weights
        default:
            throw .typeMismatch(what: "'freeze'", expected: "true, false or {statistics: true}", found: node.typeDescription, at: node.location)
        }
    }

    /// `train.freeze: [conv1, "stage2_*"]`: each pattern (fnmatch: `*`, `?`, `[...]`) freezes the layers it names,
    /// blocks with everything inside them, and must name at least one.
    func frozen(_ layers: [Layer], by node: YAMLNode) throws(SpecError) -> [Layer] {
        let patterns = try NodeReading.list(node, what: "'freeze'")
        var result = layers
        for patternNode in patterns {
            let pattern = try NodeReading.string(patternNode, what: "a layer name or pattern in 'freeze'")
            var matched = 0, matchedWithoutTensors: [String] = []
            func apply(_ layers: [Layer]) -> [Layer] {
                layers.map { layer in
                    if fnmatch(pattern, layer.name, 0) == 0 {
                        // As `freeze:` on a layer: only kinds with learned tensors (and blocks) can be frozen.
                        guard SpecVocabulary.layerKind(layer.kind.keyword)?.keys.contains(where: { $0.name == "freeze" }) == true else {
                            matchedWithoutTensors.append(layer.name)
                            return layer
                        }
                        matched += 1
                        return layer.tuned(freeze: .weights, learningRateScale: 1)
                    }
                    return layer.mappingSublayers { apply([$0])[0] }
                }
            }
            result = apply(result)
            guard matched > 0 else {
                if let first = matchedWithoutTensors.first {
                    throw .invalidValue(what: "'\(pattern)' in 'freeze'", value: "a pattern naming \(first)" + (matchedWithoutTensors.count > 1 ? " and others" : ""),
                                        requirement: "one naming layers with learned tensors (conv, dense, batchnorm, …) or blocks",
                                        at: patternNode.location)
                }
                throw .unknownLayer(name: pattern, known: Self.allNames(layers), at: patternNode.location)
            }
        }
        return result
    }

    static func allNames(_ layers: [Layer]) -> [String] {
        layers.flatMap { [$0.name] + $0.kind.branches.flatMap { allNames($0) } }
    }

    mutating func record(_ item: YAMLNode, names: [String]) {
        guard index != nil, !names.isEmpty else { return }
        index!.builds[ObjectIdentifier(item), default: 0] += 1
        // A separable's two layers answer to its base name too.
        var all = names
        if names.count == 2, names[0].hasSuffix("_depthwise") { all.append(String(names[0].dropLast("_depthwise".count))) }
        for name in all {
            index!.items[name] = item
            index!.names.append(name)
        }
    }

    /// A layer is a bare word (`relu`) or a one-key mapping (`conv: {filters: 16, size: 3}`).
    func split(_ item: YAMLNode) throws(SpecError) -> (LayerKindDeclaration, YAMLNode, YAMLNode?) {
        switch item.value {
        case .scalar(let word, _):
            guard let kind = SpecVocabulary.layerKind(word) else { throw .unknownLayerKind(name: word, at: item.location) }
            return (kind, item, nil)
        case .mapping(let pairs):
            guard pairs.count == 1, let word = pairs[0].key.scalar else {
                let found = pairs.compactMap { $0.key.scalar }.map { "'\($0)'" }.joined(separator: ", ")
                throw .typeMismatch(what: "a layer", expected: "one key naming its kind (parameters go inside it, e.g. 'conv: {filters: 16, size: 3}')",
                                    found: pairs.isEmpty ? "an empty mapping" : "the keys \(found)", at: item.location)
            }
            guard let kind = SpecVocabulary.layerKind(word) else { throw .unknownLayerKind(name: word, at: pairs[0].key.location) }
            try budget.visit(pairs[0].value)
            if case .scalar(let text, true) = pairs[0].value.value, YAMLNode.isNull(text) {
                return (kind, pairs[0].key, nil) // `- relu:` with nothing after it
            }
            return (kind, pairs[0].key, pairs[0].value)
        case .sequence:
            throw .typeMismatch(what: "a layer", expected: "a kind (relu) or a mapping (conv: {...})", found: "a list", at: item.location)
        }
    }

    /// A kind's parameter mapping, its keys checked against the kind's declaration (a key of
    /// another kind says which). Without a mapping, every key takes its default; a kind with
    /// required keys cannot go without one.
    func parameters(_ kind: LayerKindDeclaration, keyNode: YAMLNode, body: YAMLNode?) throws(SpecError) -> MappingReader {
        let section = "'\(kind.keyword)'"
        guard let body else {
            if let first = kind.keys.first(where: \.isRequired) {
                throw .missingKey(key: first.name, section: section, example: kind.example ?? first.example ?? "'\(first.name): …'",
                                  at: keyNode.location)
            }
            return MappingReader(absentAt: keyNode, section: section, keys: kind.keys, budget: budget)
        }
        return try MappingReader(body, section: section, keys: kind.keys, budget: budget, elsewhere: Self.keysOfOtherKinds(than: kind))
    }

    /// For each key some layer kind has, the other kinds that have it (not `name`, which all have),
    /// when they are few enough to name.
    static func keysOfOtherKinds(than kind: LayerKindDeclaration) -> [String: [String]] {
        var owners: [String: [String]] = [:]
        for other in SpecVocabulary.layerKinds where other.keyword != kind.keyword {
            for key in other.keys where key.name != "name" && !kind.keys.contains(where: { $0.name == key.name }) {
                owners[key.name, default: []].append(other.keyword)
            }
        }
        return owners.filter { $0.value.count <= 4 }
    }

    mutating func appendRepeat(_ kind: LayerKindDeclaration, body: YAMLNode?, at location: SourceLocation, to layers: inout [Layer],
                               outer: String?) throws(SpecError) {
        let map = try parameters(kind, keyNode: YAMLNode(.scalar(kind.keyword, plain: true), at: location), body: body)
        let times = try map.int("times")
        let layersNode = try map.required("layers")
        let items = try NodeReading.list(layersNode, what: "'layers'")
        guard !items.isEmpty else { throw .emptyLayers(at: layersNode.location) }
        // Checked before any copy is made, so `times: 1000000000` costs nothing.
        guard let copies = CheckedSize.product(times, items.count), let total = CheckedSize.sum(layerCount, copies),
              total <= SpecParser.maximumLayers else {
            throw .tooManyLayers(limit: SpecParser.maximumLayers, at: location)
        }
        for copy in 1...times {
            // Nested repeats number their copies `outer_inner`, so names stay unique.
            try appendLayers(items, to: &layers, repetition: outer.map { "\($0)_\(copy)" } ?? "\(copy)")
        }
    }

    mutating func assignName(_ explicit: (String, SourceLocation)?, keyword: String, repetition: String?,
                             at location: SourceLocation) throws(SpecError) -> String {
        let name: String
        let place: SourceLocation
        if let (given, givenAt) = explicit {
            name = repetition.map { "\(given)_\($0)" } ?? given
            place = givenAt
        } else {
            let n = (counters[keyword] ?? 0) + 1
            counters[keyword] = n
            // relu6's third layer is relu6_3, not relu63.
            name = keyword.last?.isNumber == true ? "\(keyword)_\(n)" : "\(keyword)\(n)"
            place = location
        }
        if let first = names[name] { throw .duplicateName(name: name, first: first, at: place) }
        names[name] = place
        return name
    }

    /// Takes a name made from another (`<base>_pointwise`), which must not clash with one given before.
    mutating func reserve(_ name: String, at location: SourceLocation) throws(SpecError) {
        if let first = names[name] { throw .duplicateName(name: name, first: first, at: location) }
        names[name] = location
    }

    /// A layer's `name:`, checked for the characters names may use.
    static func explicitName(_ map: MappingReader?) throws(SpecError) -> (String, SourceLocation)? {
        guard let map, let node = map["name"] else { return nil }
        let text = try NodeReading.string(node, what: "'name'")
        guard !text.isEmpty, text.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" || $0 == "-" }) else {
            throw .invalidValue(what: "'name'", value: "'\(text)'", requirement: "letters, digits, '_' or '-'", at: node.location)
        }
        return (text, node.location)
    }

    // MARK: - Branches and sugar

    /// `concat: [[...], [...]]` or `concat: {branches: [[...], ...], name: n}`;
    /// `residual: [...]` or `residual: {layers: [...], name: n}`.
    mutating func branching(_ kind: LayerKindDeclaration, keyNode: YAMLNode, body: YAMLNode?, repetition: String?) throws(SpecError) -> Layer {
        let word = kind.keyword
        let listKey = kind.keys.first(where: \.isRequired)!
        guard let body else { throw .missingKey(key: listKey.name, section: "'\(word)'", example: listKey.example!, at: keyNode.location) }
        var explicit: (String, SourceLocation)?
        var listNode = body
        var shortcutNode: YAMLNode?
        if case .mapping = body.value {
            let map = try parameters(kind, keyNode: keyNode, body: body)
            explicit = try Self.explicitName(map)
            listNode = try map.required(listKey.name)
            if map.declares("shortcut") { shortcutNode = try map.node("shortcut") } // concat has none
        }
        // The block's own name comes before its layers' (so `concat1` holds `conv3`, not the reverse).
        let name = try assignName(explicit, keyword: word, repetition: repetition, at: keyNode.location)
        let items = try NodeReading.list(listNode, what: "'\(word)'")
        guard !items.isEmpty else { throw .emptyBranch(block: word, at: listNode.location) }
        if case .concat = kind.build {
            var branches: [[Layer]] = []
            for branchNode in items {
                try budget.visit(branchNode)
                let branchItems = try NodeReading.list(branchNode, what: "a concat branch (a list of layers)")
                guard !branchItems.isEmpty else { throw .emptyBranch(block: word, at: branchNode.location) }
                var branch: [Layer] = []
                try appendLayers(branchItems, to: &branch, repetition: repetition)
                branches.append(branch)
            }
            return Layer(name: name, kind: .concat(branches), location: keyNode.location)
        }
        var layers: [Layer] = []
        try appendLayers(items, to: &layers, repetition: repetition)
        let shortcut = try shortcutNode.map { node throws(SpecError) in try self.shortcut(node, repetition: repetition) } ?? .automatic
        return Layer(name: name, kind: .residual(Residual(body: layers, shortcut: shortcut)), location: keyNode.location)
    }

    /// A residual's `shortcut:`: the word `identity` or a non-empty list of layers (named by the usual
    /// counters, after the body's).
    mutating func shortcut(_ node: YAMLNode, repetition: String?) throws(SpecError) -> Residual.Shortcut {
        let expected = "'identity' or a list of layers (e.g. [conv: {filters: 128, size: 1, stride: 2, bias: false}, batchnorm])"
        switch node.value {
        case .scalar(let word, _):
            guard word == "identity" else {
                throw .invalidValue(what: "'shortcut'", value: "'\(word)'", requirement: expected, at: node.location)
            }
            return .identity
        case .sequence(let items):
            guard !items.isEmpty else { throw .invalidValue(what: "'shortcut'", value: "an empty list", requirement: expected, at: node.location) }
            var layers: [Layer] = []
            try appendLayers(items, to: &layers, repetition: repetition)
            return .layers(layers)
        case .mapping:
            throw .typeMismatch(what: "'shortcut'", expected: expected, found: node.typeDescription, at: node.location)
        }
    }

    /// `separable: {filters, size, ...}`: a depthwise conv (one filter per input channel, no bias)
    /// followed by a 1×1 conv to `filters` channels, named `<name>_depthwise` and `<name>_pointwise`.
    mutating func separable(_ kind: LayerKindDeclaration, keyNode: YAMLNode, body: YAMLNode?, repetition: String?) throws(SpecError) -> [Layer] {
        let map = try parameters(kind, keyNode: keyNode, body: body)
        let filters = try map.int("filters")
        let size = try map.size("size")!
        let initScheme = try map.initScheme("init")
        let depthwise = Convolution(
            filters: 1, size: size, stride: try map.size("stride")!, padding: try map.padding("pad"),
            dilation: try map.size("dilation")!, bias: false, initScheme: initScheme, depthwiseMultiplier: 1)
        let pointwise = Convolution(filters: filters, size: Size2(square: 1), bias: try map.bool("bias"), initScheme: initScheme)
        let base = try assignName(try Self.explicitName(map), keyword: "separable", repetition: repetition, at: keyNode.location)
        var made: [Layer] = []
        for (suffix, conv) in [("depthwise", depthwise), ("pointwise", pointwise)] {
            let name = "\(base)_\(suffix)"
            try reserve(name, at: keyNode.location)
            made.append(Layer(name: name, kind: .conv(conv), location: keyNode.location))
        }
        return made
    }

    // MARK: - Training

    /// The `train:` section; `input` checks what must agree with it (a mean per channel, the crop's size).
    func training(_ node: YAMLNode, input: Shape) throws(SpecError) -> TrainingConfig {
        let map = try MappingReader(node, section: "'train'", keys: SpecVocabulary.train.keys, budget: budget)
        var config = TrainingConfig()
        config.location = node.location
        config.epochs = try map.int("epochs")
        config.batch = try map.int("batch")
        config.seed = UInt64(try map.int("seed"))
        config.validation = try map.double("validation")
        config.labelSmoothing = try map.double("label_smoothing")
        config.warmupEpochs = try map.double("warmup")
        if let node = map["early_stop"] {
            let stop = try MappingReader(node, section: "'early_stop'", keys: SpecVocabulary.earlyStop.keys, budget: budget)
            config.earlyStop = EarlyStop(metric: EarlyStop.Metric(rawValue: try stop.choice("metric"))!, patience: try stop.int("patience"),
                                         minDelta: try stop.double("min_delta"))
            guard config.validation > 0 else {
                throw .invalidValue(what: "'early_stop'", value: "set", requirement: "used with a validation split: add 'validation: 0.1' to train",
                                    at: node.location)
            }
        }
        if let node = map["data"] { (config.data, config.dataFormat) = try dataSource(node) }
        if let node = map["optimizer"] { config.optimizer = try optimizer(node) }
        if let node = map["schedule"] {
            config.schedule = try schedule(node)
            if case .oneCycle = config.schedule, config.warmupEpochs > 0, let warmup = map["warmup"] {
                throw .invalidValue(what: "'warmup'", value: "set", requirement: "left out with schedule onecycle, which rises from lr / div_factor itself",
                                    at: warmup.location)
            }
        }
        if let node = map["augment"] { config.augment = try augmentation(node, input: input) }
        if let node = map["normalize"] { config.normalize = try normalization(node, input: input) }
        if let node = map["resize"] {
            let resize = try MappingReader(node, section: "'resize'", keys: SpecVocabulary.resize.keys, budget: budget)
            config.resize = ImageResize(mode: ImageResize.Mode(rawValue: try resize.choice("mode"))!,
                                        filter: ImageResize.Filter(rawValue: try resize.choice("filter"))!)
        }
        return config
    }

    /// `auto` or `{mean: [...], std: [...]}` with one value per input channel.
    func normalization(_ node: YAMLNode, input: Shape) throws(SpecError) -> NormalizationSetting {
        let expected = "auto or {mean: [...], std: [...]} (one value per input channel)"
        switch node.value {
        case .scalar("auto", _):
            return .auto
        case .scalar(let word, _):
            throw .invalidValue(what: "'normalize'", value: "'\(word)'", requirement: expected, at: node.location)
        case .sequence:
            throw .typeMismatch(what: "'normalize'", expected: expected, found: node.typeDescription, at: node.location)
        case .mapping:
            let map = try MappingReader(node, section: "'normalize'", keys: SpecVocabulary.normalize.keys, budget: budget)
            let counted = "one per input channel: the input is \(input.description)"
            return .fixed(Normalization(mean: try map.doubles("mean", count: input.channels, counted: counted),
                                        std: try map.doubles("std", count: input.channels, counted: counted)))
        }
    }

    /// `augment:`: shift, rotate, crop, hflip, jitter and erase; the crop must give back the input's size.
    func augmentation(_ node: YAMLNode, input: Shape) throws(SpecError) -> Augmentation {
        let aug = try MappingReader(node, section: "'augment'", keys: SpecVocabulary.augment.keys, budget: budget)
        var augmentation = Augmentation(shift: try aug.int("shift"), rotate: try aug.double("rotate"), hflip: try aug.double("hflip"))
        // A shift or padding beyond the image only adds all-black images (and a huge one would overflow the offsets' range).
        let side = max(input.height, input.width)
        if augmentation.shift > side, let shiftNode = aug["shift"] {
            throw .invalidValue(what: "'shift'", value: "\(augmentation.shift)",
                                requirement: "at most the input's larger side, \(side) pixels", at: shiftNode.location)
        }
        if let node = aug["crop"] {
            let crop = try MappingReader(node, section: "'crop'", keys: SpecVocabulary.crop.keys, budget: budget)
            let pad = try crop.int("pad")
            if let sizeNode = crop["size"], let size = try crop.size("size"), size != Size2(input.height, input.width) {
                throw .invalidValue(what: "'size'", value: size.description,
                                    requirement: "the network's input height and width, \(input.height)×\(input.width) (leave it out: that is the default)",
                                    at: sizeNode.location)
            }
            let fill = RandomCrop.Fill(rawValue: try crop.choice("fill"))!
            if pad > side, let padNode = crop["pad"] {
                throw .invalidValue(what: "'pad'", value: "\(pad)", requirement: "at most the input's larger side, \(side) pixels",
                                    at: padNode.location)
            }
            if fill == .reflect, pad >= min(input.height, input.width), let padNode = crop["pad"] {
                throw .invalidValue(what: "'pad'", value: "\(pad)",
                                    requirement: "less than the input's height and width (\(input.height)×\(input.width)) with fill: reflect",
                                    at: padNode.location)
            }
            augmentation.crop = RandomCrop(pad: pad, fill: fill)
        }
        if let node = aug["jitter"] {
            let jitter = try MappingReader(node, section: "'jitter'", keys: SpecVocabulary.jitter.keys, budget: budget)
            augmentation.brightness = try jitter.double("brightness")
            augmentation.contrast = try jitter.double("contrast")
        }
        if let node = aug["erase"] {
            let erase = try MappingReader(node, section: "'erase'", keys: SpecVocabulary.erase.keys, budget: budget)
            var config = RandomErasing(probability: try erase.double("p"), fill: RandomErasing.Fill(rawValue: try erase.choice("fill"))!)
            /// `[low, high]` with low ≤ high, or the default.
            func interval(_ name: String, default value: ClosedRange<Double>) throws(SpecError) -> ClosedRange<Double> {
                guard let node = erase[name] else { return value }
                let pair = try erase.doubles(name, count: 2, counted: "[low, high]")
                guard pair[0] <= pair[1] else {
                    throw .invalidValue(what: "'\(name)'", value: "[\(NumberText.format(pair[0])), \(NumberText.format(pair[1]))]",
                                        requirement: "low ≤ high", at: node.location)
                }
                return pair[0]...pair[1]
            }
            config.scale = try interval("scale", default: config.scale)
            config.ratio = try interval("ratio", default: config.ratio)
            augmentation.erase = config
        }
        return augmentation
    }

    /// `mnist`, `data/pets`, or `{format: imagefolder, path: data/pets}`.
    func dataSource(_ node: YAMLNode) throws(SpecError) -> (String, DataFormat?) {
        guard case .mapping = node.value else { return (try NodeReading.string(node, what: "'data'"), nil) }
        let map = try MappingReader(node, section: "'data'", keys: SpecVocabulary.dataSource.keys, budget: budget)
        let path = try NodeReading.string(try map.required("path"), what: "'path'")
        return (path, map["format"] == nil ? nil : DataFormat(rawValue: try map.choice("format")))
    }

    /// `adam` or `{name: adam, lr: 0.001, ...}`, with only the keys the named rule reads.
    func optimizer(_ node: YAMLNode) throws(SpecError) -> OptimizerConfig {
        let (member, map) = try variant(node, of: SpecVocabulary.optimizers)
        var config = OptimizerConfig()
        config.kind = OptimizerConfig.Kind(rawValue: member.name)!
        func read(_ name: String, into value: inout Double) throws(SpecError) {
            if map.declares(name) { value = try map.double(name) }
        }
        try read("lr", into: &config.learningRate)
        try read("momentum", into: &config.momentum)
        try read("beta1", into: &config.beta1)
        try read("beta2", into: &config.beta2)
        try read("rho", into: &config.rho)
        try read("eps", into: &config.epsilon)
        try read("weight_decay", into: &config.weightDecay)
        return config
    }

    /// `cosine` or `{name: step, step_size: 5, gamma: 0.5}`, with only the keys the named schedule reads.
    func schedule(_ node: YAMLNode) throws(SpecError) -> Schedule {
        let (member, map) = try variant(node, of: SpecVocabulary.schedules)
        switch member.name {
        case "constant": return .constant
        case "step": return .step(stepSize: try map.int("step_size"), gamma: try map.double("gamma"))
        case "exponential": return .exponential(gamma: try map.double("gamma"))
        case "cosine": return .cosine(minLearningRate: try map.double("min_lr"))
        case "plateau":
            return .plateau(factor: try map.double("factor"), patience: try map.int("patience"), threshold: try map.double("threshold"),
                            minLearningRate: try map.double("min_lr"))
        case "onecycle":
            return .oneCycle(peakFraction: try map.double("pct_start"), divFactor: try map.double("div_factor"),
                             finalDivFactor: try map.double("final_div_factor"))
        default: preconditionFailure("schedule '\(member.name)' is declared but not built")
        }
    }

    /// A family member written as its name or as `{name: …, key: value}`; a key of another member
    /// (`beta1` for sgd) is an error naming the members it belongs to.
    func variant(_ node: YAMLNode, of family: VariantFamily) throws(SpecError) -> (Variant, MappingReader) {
        let section = "'\(family.name)'"
        var written: MappingReader?
        let nameNode: YAMLNode
        if case .mapping = node.value {
            let map = try MappingReader(node, section: section, keys: family.allKeys, budget: budget)
            // `name` has a default as a bare word, but a mapping must say which member it configures.
            guard let named = map["name"] else {
                throw .missingKey(key: "name", section: section, example: family.nameExample, at: node.location)
            }
            nameNode = named
            written = map
        } else {
            nameNode = node
        }
        let name = try NodeReading.string(nameNode, what: "\(family.name) name")
        guard let member = family.member(name) else {
            let names = family.members.map(\.name)
            throw .unknownWord(what: family.name, word: name, expected: NodeReading.alternatives(names), words: names, at: nameNode.location)
        }
        let keys = [family.nameKey] + member.keys
        guard let written else { return (member, MappingReader(absentAt: node, section: section, keys: keys, budget: budget)) }
        for (key, location) in written.written where !keys.contains(where: { $0.name == key }) {
            throw .keyOfAnother(key: key, section: "\(family.name) '\(name)'", owners: family.owners(of: key),
                                allowed: keys.map(\.name), at: location)
        }
        return (member, written.narrowed(to: keys, section: section))
    }
}
