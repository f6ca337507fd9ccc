import CNNAnalysis
import CNNIR
import Foundation

/// The memory a network will take once instantiated, counted from its analysis before anything is
/// allocated, so that a network or batch too large for the machine is refused with figures instead of
/// aborting in `malloc` (or being killed by the kernel) half-way through.
///
/// The count follows what `Model` allocates, rounded up where a layer's kernel choice varies:
/// - parameters: values and gradients, 2 × P floats; optimizer state: 0–2 × P more (SGD none, momentum,
///   Nesterov, AdaGrad and RMSprop one, Adam two);
/// - per image of the batch: each layer's output, plus the layer's own buffers (dropout mask, max-pool argmax, a
///   dense layer's channels-first copies, a concat's gradient scratch, a residual's projection); and the output
///   gradients, two buffers per depth of nesting (`GradientArena`; in inference they hold the layers' outputs, so each
///   is as large as the depth's largest output), and two per depth of residual shortcuts for their outputs in inference
///   (`ActivationArena`), each counted at the first layer that needs its whole size;
/// - per thread: the largest conv's scratch (im2col columns and their gradient, padded input and gradient, Winograd
///   tiles), bounded by 2 × taps × positions + 6 × (input + output), with its weight-gradient accumulator: the layers
///   share one block per thread (`ScratchArena`), as do the fused blocks' band buffers (`BottleneckFusion`, at most their
///   depthwise conv's input and output);
/// - per conv: its weights packed, flipped, Winograd-transformed and in the blocked kernel's layout, at most 6 × its
///   parameters (7 × for a Winograd conv of more than 2^20 weights, which keeps all four).
public struct MemoryBudget: Sendable, Equatable {
    public var parameterBytes: Int
    public var optimizerBytes: Int
    public var bytesPerImage: Int
    public var batch: Int
    public var bytesPerThread: Int
    public var threads: Int
    /// Weight copies the kernels keep (packed or in panels, flipped, Winograd-transformed, the blocked kernel's layout).
    public var fixedBytes: Int
    /// A per-network count did not fit in 64 bits (the figures above are then not meaningful).
    public var uncountable = false

    /// nil when the sum does not fit in 64 bits.
    public var total: Int? {
        var c = Checked()
        let sum = c.sum(parameterBytes, optimizerBytes, fixedBytes, c.product(bytesPerImage, batch), c.product(bytesPerThread, threads))
        return c.overflow || uncountable ? nil : sum
    }

    public static func training(_ analysis: NetworkAnalysis, batchCapacity: Int, threads: Int, optimizer: OptimizerConfig.Kind) -> MemoryBudget {
        count(analysis, batch: batchCapacity, threads: threads, optimizerSlots: optimizerSlots(optimizer))
    }

    public static func inference(_ analysis: NetworkAnalysis, batchCapacity: Int, threads: Int) -> MemoryBudget {
        count(analysis, batch: batchCapacity, threads: threads, optimizerSlots: 0)
    }

    static func count(_ analysis: NetworkAnalysis, batch: Int, threads: Int, optimizerSlots: Int) -> MemoryBudget {
        var c = Checked()
        let layers = Self.layers(analysis, optimizerSlots: optimizerSlots)
        var perImage = analysis.network.input.count * MemoryLayout<Float>.size
        var perThread = 0, fixed = runtimeBytes
        for layer in layers {
            perImage = c.sum(perImage, layer.activationBytesPerImage)
            perThread = max(perThread, layer.scratchBytesPerThread)  // one shared block (`ScratchArena`)
            fixed = c.sum(fixed, layer.weightCopyBytes)
        }
        let floats = MemoryLayout<Float>.size
        let parameters = analysis.storedValues
        // Frozen layers' tensors have no optimizer state (`Optimizer`): the rows already leave them out.
        let optimizer = layers.reduce(0) { c.sum($0, $1.optimizerBytes) }
        return MemoryBudget(parameterBytes: c.product(floats, 2, parameters), optimizerBytes: optimizer,
                            bytesPerImage: perImage, batch: batch, bytesPerThread: perThread, threads: threads,
                            fixedBytes: fixed, uncountable: c.overflow || layers.contains(where: \.uncountable))
    }

    /// Allowance for what every process has besides the model: code, OpenBLAS's buffers, the data set's first pages.
    public static let runtimeBytes = 64 << 20

    /// What one layer adds to the budget (the parameters' share is its own tensors: a block's row holds only what the
    /// block itself keeps, its layers have rows of their own).
    public struct LayerMemory: Sendable, Equatable {
        public var layer: LayerAnalysis
        public var depth: Int
        /// Values and gradients of the layer's own learned tensors and buffers.
        public var parameterBytes: Int
        public var optimizerBytes: Int
        /// Per image: the output, and what backward needs besides (dropout mask, max-pool argmax, a dense layer's
        /// copies, a residual's sums); and a gradient buffer of the `GradientArena` when this is the first layer
        /// whose output gradient needs the buffer's whole size.
        public var activationBytesPerImage: Int
        /// Per thread: a conv's im2col columns, padded copies, Winograd tiles and weight-gradient accumulator (a bound where
        /// the kernel varies). The layers share one block per thread: a model counts the largest.
        public var scratchBytesPerThread: Int
        /// Weight copies the kernels keep (packed or in panels, flipped, Winograd-transformed, the blocked kernel's
        /// layout; a bound).
        public var weightCopyBytes: Int
        public var uncountable = false

        /// For `batch` images and `threads` threads; nil when it does not fit in 64 bits.
        public func total(batch: Int, threads: Int) -> Int? {
            var c = Checked()
            let sum = c.sum(parameterBytes, optimizerBytes, weightCopyBytes, c.product(activationBytesPerImage, batch),
                            c.product(scratchBytesPerThread, threads))
            return c.overflow || uncountable ? nil : sum
        }
    }

    /// Every layer's share of the budget, depth first (a block, then its layers).
    public static func layers(_ analysis: NetworkAnalysis, optimizerSlots: Int) -> [LayerMemory] {
        let floats = MemoryLayout<Float>.size
        // Each row's output gradient: its arena slot (2 · depth + parity) and size per image, as `LayerStack` reserves them.
        // And the buffers its output takes in inference (`ActivationArena`): both of the depth's, or a shortcut's own two.
        // Each arena buffer is a key: the gradient arena's slot, or 2 · depth + 1 − parity for a shortcut's (negative).
        var arenaUses: [(row: Int, key: Int, count: Int)] = []
        var row = 0
        func walk(_ layers: [LayerAnalysis], depth: Int, shortcut: Bool = false) -> [LayerMemory] {
            // A relu or relu6 right after a conv or batchnorm is fused into it and shares its buffers (`LayerStack`).
            let fused = layers.indices.map { i in i > 0 && Self.isFusable(layers[i].layer.kind) && Self.fusesReLU(layers[i - 1].layer.kind) }
            let parities = GradientArena.parities(fused: fused)
            return layers.indices.flatMap { index -> [LayerMemory] in
                let facts = layers[index]
                let children = facts.branches.flatMap { $0 } + facts.shortcut
                var c = Checked()
                let own = max(facts.storedValues - children.reduce(0) { $0 + $1.storedValues }, 0)
                let input = facts.input.count, output = facts.output.count
                var perImage = fused[index] ? 0 : output, perThread = 0, fixed = 0
                arenaUses.append((row, 2 * depth + parities[index], output))
                for parity in 0...1 { arenaUses.append((row, shortcut ? -(2 * depth + 1 + parity) : 2 * depth + parity, output)) }
                row += 1
                switch facts.layer.kind {
                case .dropout, .concat: perImage = c.sum(perImage, input)
                case .maxPool, .spp, .adaptiveMaxPool: perImage = c.sum(perImage, output)
                case .dense: perImage = c.sum(perImage, c.product(2, input))
                case .residual: perImage = c.sum(perImage, c.product(2, c.sum(input, output)))
                case .squeezeExcite(let se): perImage = c.sum(perImage, c.product(3, facts.input.channels), c.product(2, se.squeeze))
                case .conv(let conv):
                    if conv.groups == facts.input.channels {
                        // A depthwise conv with a multiplier M > 1 repeats the image's channels M times, and their gradient.
                        perThread = c.sum(perThread, c.product(2, input, facts.output.channels / max(facts.input.channels, 1)))
                    }
                    // taps per filter (with the bias: a bound) × output positions × images unrolled together: the im2col columns.
                    let taps = facts.trainableParameters / max(facts.output.channels, 1)
                    let positions = c.product(facts.output.height, facts.output.width)
                    let stacked = Conv2D.stackedImages(positions: positions, direct: false)
                    // The padded input and output gradient of the direct and Winograd kernels (Winograd's even sizes
                    // add at most 3 rows and columns), Winograd's tiles (16 positions × a group of tiles × (C + F): 6
                    // tiles where the filters fit the L2 cache, else up to 48; `winograd.c`), and each thread's
                    // weight-gradient accumulator (the weights and one float per filter).
                    let w = facts.window!, (i, o) = (facts.input, facts.output)
                    let extent = (height: (w.size.height - 1) * w.dilation.height + 1, width: (w.size.width - 1) * w.dilation.width + 1)
                    let paddedInput = c.product(i.height + w.padding.top + w.padding.bottom + 3, i.width + w.padding.left + w.padding.right + 3,
                                                i.channels)
                    let paddedGradient = c.product(i.height + extent.height + 2, i.width + extent.width + 2, o.channels)
                    let winogradShape = w.size == Size2(square: 3) && w.stride == Size2(square: 1) && w.dilation == Size2(square: 1)
                    let tiles = winogradShape ? winogradTiles(height: max(i.height, o.height), width: max(i.width, o.width),
                                                              channels: i.channels, filters: o.channels, &c)
                                              : c.product(96, c.sum(i.channels, o.channels))
                    perThread = c.sum(perThread, c.product(2, taps, positions, stacked), paddedInput, paddedGradient,
                                      tiles, facts.trainableParameters, o.channels,
                                      2 * 16)  // two regions, each rounded up to 16 floats (`ScratchArena.aligned`)
                    // Packed weights or their 64-filter panels, flipped weights or their panels, Winograd's
                    // transformed ones (16 per 3×3 filter pair of channels, forward and flipped: 32/9 of the weights)
                    // and the blocked kernel's copy (a GEMM conv's, or a Winograd conv's of more than 2^20 weights, at
                    // small batches): at most 6 copies, 59/9 of the weights for those Winograd convs
                    // (`Conv2D.weightCopyFloats` counts them; MemoryBudgetTests checks each conv's fits).
                    let blockedWinograd = winogradShape && facts.trainableParameters > 1 << 20
                    fixed = c.sum(fixed, c.product(blockedWinograd ? 7 : 6, facts.trainableParameters))
                case .local:
                    // One filter's weights over every position are exactly one image's columns.
                    fixed = c.sum(fixed, c.product(2, facts.trainableParameters / max(facts.output.channels, 1)), input, output)
                default: break
                }
                let memory = LayerMemory(layer: facts, depth: depth, parameterBytes: c.product(floats, 2, own),
                                      optimizerBytes: facts.layer.freeze == .none ? c.product(floats, optimizerSlots, own) : 0,
                                      activationBytesPerImage: c.product(floats, perImage), scratchBytesPerThread: c.product(floats, perThread),
                                      weightCopyBytes: c.product(floats, fixed), uncountable: c.overflow)
                return [memory] + facts.branches.flatMap { walk($0, depth: depth + 1) } + walk(facts.shortcut, depth: depth + 1, shortcut: true)
            }
        }
        var rows = walk(analysis.layers, depth: 0)
        // Each arena buffer once, at the first row whose gradient or output needs its whole size.
        var largest: [Int: Int] = [:]
        for use in arenaUses { largest[use.key] = max(largest[use.key] ?? 0, use.count) }
        var counted = Set<Int>()
        for use in arenaUses where use.count == largest[use.key] && !counted.contains(use.key) {
            counted.insert(use.key)
            var c = Checked()
            rows[use.row].activationBytesPerImage = c.sum(rows[use.row].activationBytesPerImage, c.product(floats, use.count))
            if c.overflow { rows[use.row].uncountable = true }
        }
        return rows
    }

    /// A bound on Winograd's tiles for a height × width map of a 3×3 stride-1 conv (`winograd.c`'s scratch, as its
    /// `group_tiles` counts it): 16 transformed positions × a group of tiles × (C + F); a group is 6 tiles where the
    /// transformed filters are at most 1 MiB, else up to 48.
    static func winogradTiles(height: Int, width: Int, channels: Int, filters: Int, _ c: inout Checked) -> Int {
        let tiles = c.product((height + 1) / 2, (width + 1) / 2)
        let group = c.product(16, channels, filters, 4) <= 1 << 20 || tiles <= 6 ? 6 : min(tiles, 48)
        return c.product(16, group, c.sum(channels, filters))
    }

    /// The activations a conv or batchnorm before them applies itself (`ReLU`).
    static func isFusable(_ kind: LayerKind) -> Bool {
        switch kind {
        case .relu, .relu6: true
        default: false
        }
    }

    /// The kinds whose runtime layer applies a following relu or relu6 itself (`ReLUFusing`).
    static func fusesReLU(_ kind: LayerKind) -> Bool {
        switch kind {
        case .conv, .batchNorm, .residual: true
        default: false
        }
    }

    /// Optimizer state tensors per parameter: SGD none; momentum, Nesterov, AdaGrad and RMSprop one; Adam two.
    public static func optimizerSlots(_ optimizer: OptimizerConfig.Kind) -> Int {
        switch optimizer {
        case .sgd: 0
        case .momentum, .nesterov, .adagrad, .rmsprop: 1
        case .adam, .adamw: 2
        }
    }

    /// Refuses a budget over `available` bytes (by default what the machine can give now) with the figures
    /// and the largest batch that would fit.
    /// `copies`: models built alike (an ensemble in eval).
    public func check(available: Int = MemoryBudget.availableBytes(), copies: Int = 1) throws(ResourceError) {
        let needed = total.flatMap { CheckedSize.product($0, copies) }
        if let needed, needed <= available { return }
        // The largest batch that fits beside what does not depend on the batch.
        var c = Checked()
        let fixedPart = c.product(copies, c.sum(parameterBytes, optimizerBytes, fixedBytes, c.product(bytesPerThread, threads)))
        let perImage = c.product(copies, bytesPerImage)
        let largest = c.overflow || fixedPart >= available ? 0 : (available - fixedPart) / max(perImage, 1)
        throw .tooLarge(needed: needed, available: available, largestBatch: largest, parts: parts)
    }

    var parts: String {
        func size(_ bytes: Int) -> String { ResourceError.size(bytes) }
        return "parameters and gradients \(size(parameterBytes)), optimizer state \(size(optimizerBytes)), "
            + "activations \(size(bytesPerImage)) per image × \(batch), scratch \(size(bytesPerThread)) per thread × \(threads)"
    }

    /// MemAvailable from /proc/meminfo, or the cgroup's limit if lower; `CNNC_MEMORY_LIMIT` (bytes, or with
    /// K, M, G, T) sets it instead, for tests and for sharing a machine.
    public static func availableBytes(environment: [String: String] = ProcessInfo.processInfo.environment) -> Int {
        if let text = environment["CNNC_MEMORY_LIMIT"], let limit = parseSize(text) { return limit }
        var available = Int.max
        if let meminfo = try? String(contentsOfFile: "/proc/meminfo", encoding: .utf8),
           let line = meminfo.split(separator: "\n").first(where: { $0.hasPrefix("MemAvailable:") }),
           let kib = Int(line.split(separator: " ")[1]) {
            available = kib * 1024
        }
        if let text = try? String(contentsOfFile: "/sys/fs/cgroup/memory.max", encoding: .utf8),
           let limit = Int(text.trimmingCharacters(in: .whitespacesAndNewlines)) {
            available = min(available, limit)
        }
        return available
    }

    static func parseSize(_ text: String) -> Int? {
        let units: [Character: Int] = ["K": 1 << 10, "M": 1 << 20, "G": 1 << 30, "T": 1 << 40]
        var digits = text.uppercased().trimmingCharacters(in: .whitespaces)
        if digits.hasSuffix("B") || digits.hasSuffix("IB") { digits = String(digits.dropLast(digits.hasSuffix("IB") ? 2 : 1)) }
        var scale = 1
        if let last = digits.last, let unit = units[last] {
            scale = unit
            digits.removeLast()
        }
        guard let value = Int(digits), value >= 0 else { return nil }
        let (bytes, overflow) = value.multipliedReportingOverflow(by: scale)
        return overflow ? nil : bytes
    }
}

/// `CheckedSize` that remembers an overflow (the budget then refuses) instead of returning nil at each step.
struct Checked {
    var overflow = false

    mutating func product(_ factors: Int...) -> Int {
        guard let value = CheckedSize.product(factors), factors.allSatisfy({ $0 >= 0 }) else {
            overflow = true
            return .max
        }
        return value
    }

    mutating func sum(_ terms: Int...) -> Int {
        guard let value = CheckedSize.sum(terms) else {
            overflow = true
            return .max
        }
        return value
    }
}

public enum ResourceError: Error, Equatable, Sendable {
    /// `needed` nil: too large to count in 64 bits.
    case tooLarge(needed: Int?, available: Int, largestBatch: Int?, parts: String)

    public var message: String {
        switch self {
        case .tooLarge(let needed, let available, _, let parts):
            let amount = needed.map { "about \(Self.size($0))" } ?? "more bytes than 64 bits can count"
            return "this network needs \(amount) of memory (\(parts)); \(Self.size(available)) is available"
        }
    }

    public var hint: String? {
        switch self {
        case .tooLarge(_, _, let largestBatch, _):
            if let largestBatch, largestBatch >= 1 { return "a batch of at most \(largestBatch) fits (--batch \(largestBatch)), or use fewer threads (--threads)" }
            return "the network alone does not fit: make it smaller (fewer units or filters, a smaller input), or use a machine with more memory"
        }
    }

    static func size(_ bytes: Int) -> String {
        let units = ["bytes", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"]
        var value = Double(bytes), unit = 0
        while value >= 1024 && unit < units.count - 1 {
            value /= 1024
            unit += 1
        }
        return unit == 0 ? "\(bytes) bytes" : String(format: "%.1f", value) + " " + units[unit]
    }
}
