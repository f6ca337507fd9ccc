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

    /// Reads and parses every network (YAML document) in a file.
    public static func load(path: String) throws(SpecError) -> [Network] {
        let bytes = try readFile(path)
        return try parse(bytes, file: path)
    }

    /// Parses spec text; `file` names it in locations.
    public static func parse(_ text: String, file: String = "<string>") throws(SpecError) -> [Network] {
        try parse(Array(text.utf8), file: file)
    }

    public static func parse(_ bytes: [UInt8], file: String) throws(SpecError) -> [Network] {
        let documents = try YAMLReader(file: file).documents(from: bytes)
        guard !documents.isEmpty else { throw .emptyFile(path: file) }
        let stem = baseName(file)
        var networks: [Network] = []
        for (index, document) in documents.enumerated() {
            let fallbackName = documents.count == 1 ? stem : "\(stem)-\(index + 1)"
            var builder = NetworkBuilder(budget: NodeBudget())
            networks.append(try builder.network(document.root, fallbackName: fallbackName))
        }
        return networks
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

/// Builds one network from its document's root node.
private struct NetworkBuilder {
    /// The ranges that docs/spec.md and the schema promise for "number > 0" and "number ≥ 0".
    static let positive = Double.leastNonzeroMagnitude...Double.greatestFiniteMagnitude
    static let nonNegative = 0...Double.greatestFiniteMagnitude
    let budget: NodeBudget
    /// Names given so far, with where each was given, for the duplicate check.
    var names: [String: SourceLocation] = [:]
    /// Per-kind counters for default names (`conv1`, `conv2`, `relu1`, …).
    var counters: [String: Int] = [:]
    /// Layers made so far, branches included, against `maximumLayers`.
    var layerCount = 0

    init(budget: NodeBudget) { self.budget = budget }

    mutating func network(_ root: YAMLNode, fallbackName: String) throws(SpecError) -> Network {
        let map = try MappingReader(root, section: "the network", allowed: SpecVocabulary.network, budget: budget)
        let name = try map.string("name") ?? fallbackName
        let inputNode = try map.required("input", example: "'input: [1, 28, 28]' (channels, height, width)")
        let input = try shape(inputNode)
        let defaultInit = try map["init"].map { n throws(SpecError) in try NodeReading.initScheme(n) } ?? .he
        let layersNode = try map.required("layers", example: "'layers:' with a list of layers")
        let items = try NodeReading.list(layersNode, what: "'layers'")
        guard !items.isEmpty else { throw .emptyLayers(at: layersNode.location) }
        var layers: [Layer] = []
        try appendLayers(items, to: &layers, repetition: nil)

        var loss = Loss.softmaxCrossEntropy
        if let node = map["loss"] {
            let text = try NodeReading.string(node, what: "'loss'")
            guard let value = Loss(rawValue: text) else {
                throw .invalidValue(what: "'loss'", value: text, requirement: Loss.allCases.map(\.rawValue).joined(separator: " or "), at: node.location)
            }
            loss = value
        }
        let training = try map["train"].map { n throws(SpecError) in try self.training(n) }
        var network = Network(name: name, input: input, defaultInit: defaultInit, layers: layers, loss: loss,
                              training: training, location: root.location, inputLocation: inputNode.location)
        network.compareTo = try map.string("compare_to")
        return network
    }

    // MARK: - Input

    func shape(_ node: YAMLNode) throws(SpecError) -> Shape {
        if case .mapping = node.value {
            let map = try MappingReader(node, section: "'input'", allowed: SpecVocabulary.inputShape, budget: budget)
            func dim(_ key: String) throws(SpecError) -> Int {
                try NodeReading.int(try map.required(key, example: "'\(key): N'"), what: "input \(key)", minimum: 1)
            }
            return Shape(channels: try dim("channels"), height: try dim("height"), width: try dim("width"))
        }
        guard case .sequence = node.value else {
            throw .typeMismatch(what: "'input'", expected: "[channels, height, width] or {channels, height, width}",
                                found: node.typeDescription, at: node.location)
        }
        let v = try NodeReading.ints(node, what: "'input'", minimum: 1, counts: [3], budget: budget)
        return Shape(channels: v[0], height: v[1], width: v[2])
    }

    // MARK: - Layers

    mutating func appendLayers(_ items: [YAMLNode], to layers: inout [Layer], repetition: String?) throws(SpecError) {
        for item in items {
            try budget.visit(item)
            let (kindWord, kindNode, body) = try split(item)
            if kindWord == "repeat" {
                try appendRepeat(body, at: kindNode.location, to: &layers, outer: repetition)
                continue
            }
            guard layerCount < SpecParser.maximumLayers else {
                throw .tooManyLayers(limit: SpecParser.maximumLayers, at: item.location)
            }
            layerCount += 1
            switch kindWord {
            case "concat", "residual":
                layers.append(try branching(kindWord, keyNode: kindNode, body: body, repetition: repetition))
            case "separable":
                layers.append(contentsOf: try separable(keyNode: kindNode, body: body, repetition: repetition))
            default:
                let (kind, explicitName) = try layerKind(kindWord, keyNode: kindNode, body: body)
                let name = try assignName(explicitName, keyword: kind.keyword, repetition: repetition, at: kindNode.location)
                layers.append(Layer(name: name, kind: kind, location: kindNode.location))
            }
        }
    }

    /// A layer is a bare word (`relu`) or a one-key mapping (`conv: {filters: 16, size: 3}`).
    func split(_ item: YAMLNode) throws(SpecError) -> (String, YAMLNode, YAMLNode?) {
        switch item.value {
        case .scalar(let word, _):
            guard SpecVocabulary.layerKinds.contains(word) else { throw .unknownLayerKind(name: word, at: item.location) }
            return (word, item, nil)
        case .mapping(let pairs):
            guard pairs.count == 1, let word = pairs[0].key.scalar else {
                let found = pairs.compactMap { $0.key.scalar }.map { "'\($0)'" }.joined(separator: ", ")
                throw .typeMismatch(what: "a layer", expected: "one key naming its kind (parameters go inside it, e.g. 'conv: {filters: 16, size: 3}')",
                                    found: pairs.isEmpty ? "an empty mapping" : "the keys \(found)", at: item.location)
            }
            guard SpecVocabulary.layerKinds.contains(word) else { throw .unknownLayerKind(name: word, at: pairs[0].key.location) }
            try budget.visit(pairs[0].value)
            if case .scalar(let text, true) = pairs[0].value.value, YAMLNode.isNull(text) {
                return (word, pairs[0].key, nil) // `- relu:` with nothing after it
            }
            return (word, pairs[0].key, pairs[0].value)
        case .sequence:
            throw .typeMismatch(what: "a layer", expected: "a kind (relu) or a mapping (conv: {...})", found: "a list", at: item.location)
        }
    }

    mutating func appendRepeat(_ body: YAMLNode?, at location: SourceLocation, to layers: inout [Layer], outer: String?) throws(SpecError) {
        guard let body else {
            throw .missingKey(key: "times", section: "'repeat'", example: "'repeat: {times: 2, layers: [...]}'", at: location)
        }
        let map = try MappingReader(body, section: "'repeat'", allowed: SpecVocabulary.repeatBlock, budget: budget)
        let times = try NodeReading.int(try map.required("times", example: "'times: 2'"), what: "'times'", minimum: 1)
        let layersNode = try map.required("layers", example: "'layers: [...]'")
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
            name = "\(keyword)\(n)"
            place = location
        }
        if let first = names[name] { throw .duplicateName(name: name, first: first, at: place) }
        names[name] = place
        return name
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
    mutating func branching(_ word: String, keyNode: YAMLNode, body: YAMLNode?, repetition: String?) throws(SpecError) -> Layer {
        let isConcat = word == "concat"
        let listKey = isConcat ? "branches" : "layers"
        let example = isConcat ? "'concat: [[conv: {filters: 8, size: 1}], [conv: {filters: 8, size: 3, pad: 1}]]'"
                               : "'residual: [conv: {filters: 16, size: 3, pad: 1}, relu]'"
        guard let body else { throw .missingKey(key: listKey, section: "'\(word)'", example: example, at: keyNode.location) }
        var explicit: (String, SourceLocation)?
        var listNode = body
        if case .mapping = body.value {
            let map = try MappingReader(body, section: "'\(word)'", allowed: isConcat ? SpecVocabulary.concat : SpecVocabulary.residual,
                                        budget: budget)
            explicit = try Self.explicitName(map)
            listNode = try map.required(listKey, example: example)
        }
        // The block's own name comes before its layers' (so `concat1` holds `conv3`, not the reverse).
        let name = try assignName(explicit, keyword: word, repetition: repetition, at: keyNode.location)
        let items = try NodeReading.list(listNode, what: "'\(word)'")
        guard !items.isEmpty else { throw .emptyBranch(block: word, at: listNode.location) }
        if isConcat {
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
        return Layer(name: name, kind: .residual(layers), location: keyNode.location)
    }

    /// `separable: {filters, size, ...}`: a depthwise conv (one filter per input channel, no bias)
    /// followed by a 1×1 conv to `filters` channels, named `<name>_depthwise` and `<name>_pointwise`.
    mutating func separable(keyNode: YAMLNode, body: YAMLNode?, repetition: String?) throws(SpecError) -> [Layer] {
        guard let body else {
            throw .missingKey(key: "filters", section: "'separable'", example: "'separable: {filters: 32, size: 3, pad: 1}'", at: keyNode.location)
        }
        let map = try MappingReader(body, section: "'separable'", allowed: SpecVocabulary.separable, budget: budget)
        let filters = try NodeReading.int(try map.required("filters", example: "'filters: 32'"), what: "'filters'", minimum: 1)
        let size = try NodeReading.size(try map.required("size", example: "'size: 3'"), what: "'size'", minimum: 1, budget: budget)
        let initScheme = try map["init"].map { n throws(SpecError) in try NodeReading.initScheme(n) }
        let depthwise = Convolution(
            filters: 1, size: size, stride: try map.size("stride", default: Size2(square: 1))!,
            padding: try map["pad"].map { n throws(SpecError) in try NodeReading.padding(n, budget: budget) } ?? .zero,
            dilation: try map.size("dilation", default: Size2(square: 1))!, bias: false, initScheme: initScheme,
            depthwiseMultiplier: 1)
        let pointwise = Convolution(filters: filters, size: Size2(square: 1), bias: try map.bool("bias", default: true), initScheme: initScheme)
        let base = try assignName(try Self.explicitName(map), keyword: "separable", repetition: repetition, at: keyNode.location)
        var made: [Layer] = []
        for (suffix, conv) in [("depthwise", depthwise), ("pointwise", pointwise)] {
            let name = "\(base)_\(suffix)"
            if let first = names[name] { throw .duplicateName(name: name, first: first, at: keyNode.location) }
            names[name] = keyNode.location
            made.append(Layer(name: name, kind: .conv(conv), location: keyNode.location))
        }
        return made
    }

    func layerKind(_ word: String, keyNode: YAMLNode, body: YAMLNode?) throws(SpecError) -> (LayerKind, (String, SourceLocation)?) {
        func reader(_ keys: [SpecVocabulary.Key]) throws(SpecError) -> MappingReader? {
            guard let body else { return nil }
            return try MappingReader(body, section: "'\(word)'", allowed: keys, budget: budget)
        }
        /// The parameter mapping of a kind that cannot go without one (`conv`, `dense`, pools).
        func requiredReader(_ keys: [SpecVocabulary.Key], firstKey: String, example: String) throws(SpecError) -> MappingReader {
            guard let body else {
                throw .missingKey(key: firstKey, section: "'\(word)'", example: "'\(word): {\(example)}'", at: keyNode.location)
            }
            return try MappingReader(body, section: "'\(word)'", allowed: keys, budget: budget)
        }
        func name(_ map: MappingReader?) throws(SpecError) -> (String, SourceLocation)? { try Self.explicitName(map) }

        switch word {
        case "conv", "local":
            let map = try requiredReader(SpecVocabulary.convolution, firstKey: "filters", example: "filters: 16, size: 3")
            let filters = try NodeReading.int(try map.required("filters", example: "'filters: 16'"), what: "'filters'", minimum: 1)
            let size = try NodeReading.size(try map.required("size", example: "'size: 3'"), what: "'size'", minimum: 1, budget: budget)
            let conv = Convolution(
                filters: filters, size: size,
                stride: try map.size("stride", default: Size2(square: 1))!,
                padding: try map["pad"].map { n throws(SpecError) in try NodeReading.padding(n, budget: budget) } ?? .zero,
                dilation: try map.size("dilation", default: Size2(square: 1))!,
                groups: try map.int("groups", default: 1, minimum: 1),
                bias: try map.bool("bias", default: true),
                initScheme: try map["init"].map { n throws(SpecError) in try NodeReading.initScheme(n) })
            if word == "local", conv.groups != 1, let node = map["groups"] {
                throw .invalidValue(what: "'groups'", value: "\(conv.groups)", requirement: "1 for a locally connected layer", at: node.location)
            }
            return (word == "conv" ? .conv(conv) : .local(conv), try name(map))
        case "depthwise":
            let map = try requiredReader(SpecVocabulary.depthwise, firstKey: "size", example: "size: 3, pad: 1")
            let size = try NodeReading.size(try map.required("size", example: "'size: 3'"), what: "'size'", minimum: 1, budget: budget)
            let multiplier = try map.int("multiplier", default: 1, minimum: 1)
            let conv = Convolution(
                filters: multiplier, size: size,
                stride: try map.size("stride", default: Size2(square: 1))!,
                padding: try map["pad"].map { n throws(SpecError) in try NodeReading.padding(n, budget: budget) } ?? .zero,
                dilation: try map.size("dilation", default: Size2(square: 1))!,
                bias: try map.bool("bias", default: true),
                initScheme: try map["init"].map { n throws(SpecError) in try NodeReading.initScheme(n) },
                depthwiseMultiplier: multiplier)
            return (.conv(conv), try name(map))
        case "spp":
            let map = try requiredReader(SpecVocabulary.spp, firstKey: "levels", example: "levels: [1, 2, 4]")
            let levelsNode = try map.required("levels", example: "'levels: [1, 2, 4]'")
            let items = try NodeReading.list(levelsNode, what: "'levels'")
            let levels = try NodeReading.ints(levelsNode, what: "'levels'", minimum: 1, counts: [max(items.count, 1)], budget: budget)
            var mode = SpatialPyramid.Mode.max
            if let node = map["mode"] {
                let text = try NodeReading.string(node, what: "'mode'")
                guard let value = SpatialPyramid.Mode(rawValue: text) else {
                    throw .invalidValue(what: "'mode'", value: text, requirement: "max or avg", at: node.location)
                }
                mode = value
            }
            return (.spp(SpatialPyramid(levels: levels, mode: mode)), try name(map))
        case "maxpool", "avgpool":
            let map = try requiredReader(SpecVocabulary.pooling, firstKey: "size", example: "size: 2")
            let size = try NodeReading.size(try map.required("size", example: "'size: 2'"), what: "'size'", minimum: 1, budget: budget)
            let pool = Pooling(size: size, stride: try map.size("stride", default: nil),
                               padding: try map["pad"].map { n throws(SpecError) in try NodeReading.padding(n, budget: budget) } ?? .zero)
            return (word == "maxpool" ? .maxPool(pool) : .avgPool(pool), try name(map))
        case "dense":
            let map = try requiredReader(SpecVocabulary.dense, firstKey: "units", example: "units: 10")
            let units = try NodeReading.int(try map.required("units", example: "'units: 10'"), what: "'units'", minimum: 1)
            let dense = Dense(units: units, bias: try map.bool("bias", default: true),
                              initScheme: try map["init"].map { n throws(SpecError) in try NodeReading.initScheme(n) })
            return (.dense(dense), try name(map))
        case "dropout":
            let map = try reader(SpecVocabulary.dropout)
            let rate = try map?.double("rate", default: 0.5, in: 0...0.999_999, requirement: "at least 0 and below 1") ?? 0.5
            return (.dropout(rate: rate), try name(map))
        case "batchnorm":
            let map = try reader(SpecVocabulary.batchNorm)
            let momentum = try map?.double("momentum", default: 0.1, in: Double.leastNonzeroMagnitude...1, requirement: "in (0, 1]") ?? 0.1
            let eps = try map?.double("eps", default: 1e-5, in: Self.positive, requirement: "positive") ?? 1e-5
            return (.batchNorm(BatchNorm(momentum: momentum, epsilon: eps)), try name(map))
        case "relu", "sigmoid", "tanh", "globalavgpool":
            let map = try reader(SpecVocabulary.activation)
            let kind: LayerKind = switch word {
            case "relu": .relu
            case "sigmoid": .sigmoid
            case "tanh": .tanh
            default: .globalAvgPool
            }
            return (kind, try name(map))
        default:
            throw .unknownLayerKind(name: word, at: keyNode.location)
        }
    }

    // MARK: - Training

    func training(_ node: YAMLNode) throws(SpecError) -> TrainingConfig {
        let map = try MappingReader(node, section: "'train'", allowed: SpecVocabulary.train, budget: budget)
        var config = TrainingConfig()
        config.location = node.location
        config.epochs = try map.int("epochs", default: config.epochs, minimum: 1)
        config.batch = try map.int("batch", default: config.batch, minimum: 1)
        config.seed = UInt64(try map.int("seed", default: Int(config.seed), minimum: 0))
        config.validation = try map.double("validation", default: 0, in: 0...0.99, requirement: "at least 0 and below 1")
        if let data = try map.string("data") { config.data = data }
        if let node = map["optimizer"] { config.optimizer = try optimizer(node) }
        if let node = map["schedule"] { config.schedule = try schedule(node) }
        if let node = map["augment"] {
            let aug = try MappingReader(node, section: "'augment'", allowed: SpecVocabulary.augment, budget: budget)
            config.augment = Augmentation(shift: try aug.int("shift", default: 0, minimum: 0),
                                          rotate: try aug.double("rotate", default: 0, in: 0...180, requirement: "between 0 and 180 degrees"))
        }
        return config
    }

    /// `adam` or `{name: adam, lr: 0.001, ...}`.
    func optimizer(_ node: YAMLNode) throws(SpecError) -> OptimizerConfig {
        var config = OptimizerConfig()
        let nameNode: YAMLNode
        var map: MappingReader?
        if case .mapping = node.value {
            let m = try MappingReader(node, section: "'optimizer'", allowed: SpecVocabulary.optimizer, budget: budget)
            nameNode = try m.required("name", example: "'name: adam'")
            map = m
        } else {
            nameNode = node
        }
        let name = try NodeReading.string(nameNode, what: "optimizer name")
        guard let kind = OptimizerConfig.Kind(rawValue: name) else {
            throw .invalidValue(what: "optimizer", value: "'\(name)'",
                                requirement: OptimizerConfig.Kind.allCases.map(\.rawValue).joined(separator: ", "), at: nameNode.location)
        }
        config.kind = kind
        guard let map else { return config }
        let unit = 0.0...0.999_999_999
        config.learningRate = try map.double("lr", default: config.learningRate, in: Self.positive, requirement: "positive")
        config.momentum = try map.double("momentum", default: config.momentum, in: unit, requirement: "in [0, 1)")
        config.beta1 = try map.double("beta1", default: config.beta1, in: unit, requirement: "in [0, 1)")
        config.beta2 = try map.double("beta2", default: config.beta2, in: unit, requirement: "in [0, 1)")
        config.rho = try map.double("rho", default: config.rho, in: unit, requirement: "in [0, 1)")
        config.epsilon = try map.double("eps", default: config.epsilon, in: Self.positive, requirement: "positive")
        config.weightDecay = try map.double("weight_decay", default: 0, in: Self.nonNegative, requirement: "at least 0")
        return config
    }

    /// `cosine` or `{name: step, step_size: 5, gamma: 0.5}`.
    func schedule(_ node: YAMLNode) throws(SpecError) -> Schedule {
        let nameNode: YAMLNode
        var map: MappingReader?
        if case .mapping = node.value {
            let m = try MappingReader(node, section: "'schedule'", allowed: SpecVocabulary.schedule, budget: budget)
            nameNode = try m.required("name", example: "'name: cosine'")
            map = m
        } else {
            nameNode = node
        }
        let name = try NodeReading.string(nameNode, what: "schedule name")
        switch name {
        case "constant": return .constant
        case "step":
            return .step(stepSize: try map?.int("step_size", default: 10, minimum: 1) ?? 10,
                         gamma: try map?.double("gamma", default: 0.1, in: Self.positive, requirement: "positive") ?? 0.1)
        case "exponential":
            return .exponential(gamma: try map?.double("gamma", default: 0.95, in: Self.positive, requirement: "positive") ?? 0.95)
        case "cosine":
            return .cosine(minLearningRate: try map?.double("min_lr", default: 0, in: Self.nonNegative, requirement: "at least 0") ?? 0)
        default:
            throw .invalidValue(what: "schedule", value: "'\(name)'", requirement: "constant, step, exponential or cosine", at: nameNode.location)
        }
    }
}
