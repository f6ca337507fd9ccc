import CNNData
import CNNIR

/// All of a model's tensors in one arena (llm.c's `malloc_and_point_parameters`), with their
/// gradients in a second arena at the same offsets. Optimizers walk the arenas; layers hold views.
public final class ParameterStore {
    public struct Entry: Sendable {
        /// `<layer name>.<suffix>` (`<layer name>_<part>.<suffix>` for a part's tensor), as in the checkpoint.
        public var name: String
        public var spec: ParameterSpec
        public var offset: Int
        /// The layer's `freeze`: a frozen entry gets no optimizer step and no optimizer state.
        public var frozen = false
        /// The layer's `lr_scale`.
        public var learningRateScale: Double = 1
        public var count: Int { spec.count }
        /// Updated by the optimizer: learned, and not frozen.
        public var isUpdated: Bool { spec.isTrainable && !frozen }
    }

    public let entries: [Entry]
    /// Parameter values, `count` floats.
    public let values: UnsafeMutableBufferPointer<Float>
    /// dL/d(values), same layout; zeroed at the start of every step.
    public let gradients: UnsafeMutableBufferPointer<Float>

    public var count: Int { values.count }
    /// Bumped whenever the values change through the runtime (optimizer step, checkpoint load, init),
    /// so layers may cache derived forms of their weights (repacked, Winograd-transformed) between changes.
    public private(set) var generation = 0
    public func markChanged() { generation += 1 }
    public var trainableCount: Int { entries.filter(\.spec.isTrainable).reduce(0) { $0 + $1.count } }
    /// Learned values of frozen layers, which training leaves as they are.
    public var frozenCount: Int { entries.filter { $0.frozen && $0.spec.isTrainable }.reduce(0) { $0 + $1.count } }
    /// The values the optimizer updates: trainable and not frozen.
    public var updatedCount: Int { entries.filter(\.isUpdated).reduce(0) { $0 + $1.count } }

    init(layers topLevel: [RuntimeLayer]) {
        // Every layer with tensors, branches included, depth first: the checkpoint's order.
        func walk(_ layers: [RuntimeLayer]) -> [RuntimeLayer] { layers.flatMap { [$0] + walk($0.children) } }
        let layers = walk(topLevel)
        var entries: [Entry] = []
        var offset = 0
        for layer in layers {
            for spec in layer.parameterSpecs {
                let layerFacts = layer.facts.layer
                entries.append(Entry(name: spec.name(layer: layer.facts.name), spec: spec, offset: offset, frozen: layerFacts.freeze != .none,
                                     learningRateScale: layerFacts.learningRateScale))
                offset += spec.count
            }
        }
        self.entries = entries
        values = .allocate(capacity: max(offset, 1))
        gradients = .allocate(capacity: max(offset, 1))
        values.initialize(repeating: 0)
        gradients.initialize(repeating: 0)
        var index = 0
        for layer in layers {
            let n = layer.parameterSpecs.count
            let mine = entries[index..<(index + n)]
            layer.bind(values: mine.map { values.baseAddress! + $0.offset }, gradients: mine.map { gradients.baseAddress! + $0.offset })
            index += n
        }
    }

    deinit {
        values.deallocate()
        gradients.deallocate()
    }

    /// Draws every tensor from its init scheme: weights from the scheme, biases and means 0, scales and variances 1.
    public func initialize(seed: UInt64) {
        markChanged()
        var generator = SeededGenerator(seed: seed, stream: 0x1417)
        for entry in entries {
            let view = values.baseAddress! + entry.offset
            switch entry.spec.role {
            case .weight(let fanIn):
                let n = Double(max(fanIn, 1))
                switch entry.spec.initScheme {
                case .he: fillNormal(view, entry.count, std: (2 / n).squareRoot(), &generator)
                case .xavier: fillNormal(view, entry.count, std: (1 / n).squareRoot(), &generator)
                case .normal(let std): fillNormal(view, entry.count, std: std, &generator)
                case .uniform(let a):
                    for i in 0..<entry.count { view[i] = Float((Double(generator.nextUnitFloat()) * 2 - 1) * a) }
                }
            case .bias, .runningMean: view.update(repeating: 0, count: entry.count)
            case .scale, .runningVariance: view.update(repeating: 1, count: entry.count)
            }
        }
    }

    private func fillNormal(_ p: UnsafeMutablePointer<Float>, _ n: Int, std: Double, _ g: inout SeededGenerator) {
        for i in 0..<n { p[i] = Float(g.nextNormal() * std) }
    }

    public func zeroGradients() {
        gradients.update(repeating: 0)
    }

    public func entry(named name: String) -> Entry? { entries.first { $0.name == name } }

    /// A copy of one tensor's values.
    public func tensor(_ entry: Entry) -> [Float] {
        Array(values[entry.offset..<(entry.offset + entry.count)])
    }
}
