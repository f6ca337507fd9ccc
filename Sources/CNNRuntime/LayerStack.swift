import CNNKernels
import Dispatch

/// Layers run in order, each owning the buffer of its output, with their output gradients in a `GradientArena`:
/// the whole network (`Model`) and each sub-stack of a branching layer (`ConcatBlock`, `ResidualBlock`). In inference
/// that no backward pass follows, the layers write their outputs into an `ActivationArena`'s buffers instead, in turn
/// (the network's last layer into its own).
///
/// A relu or relu6 right after a layer that can apply it (`ReLUFusing`: conv, depthwise conv, batchnorm) runs inside
/// that layer, on its buffers. In inference that folds (`StepContext.foldsBatchNorm`), a batchnorm right after a conv
/// runs inside the conv (`BatchNormFolding`), which then writes the batchnorm's output buffer; there, MobileNet's
/// inverted bottlenecks (pointwise, depthwise and pointwise convs) run as one pass over bands of rows (`BottleneckFusion`).
final class LayerStack {
    let layers: [RuntimeLayer]
    /// outputs[i] is layer i's output `[N, H, W, C]`.
    let outputs: [UnsafeMutableBufferPointer<Float>]
    /// dL/d(outputs[i]) lives in the arena's slot gradientSlots[i], shared with other layers and stacks (see `GradientArena`):
    /// it holds layer i's gradient from the moment the layer after it (or the caller) writes it until layer i's backward pass.
    private let arena: GradientArena
    private let gradientSlots: [Int]
    /// The first of this stack's two buffers in the activation arena, and the arena.
    private let activations: ActivationArena
    private let activationSlot: Int
    /// For the network's own layers (depth 0), the first layer whose output is the network's (the last layer, or the
    /// layer that the relus ending the network are fused into): it writes its own buffer (`Model.output`). Nested
    /// stacks: nil.
    private let networkOutputStart: Int?
    /// Every buffer above once (a fused relu shares its conv's), for deallocation.
    private let owned: [UnsafeMutableBufferPointer<Float>]
    /// foldsIntoPrevious[i]: layer i is a batchnorm that the layer before it computes when inference folds.
    let foldsIntoPrevious: [Bool]
    /// The fused blocks, by the index of their first layer: in inference that folds they run instead of their layers.
    let fusedBlocks: [Int: BottleneckFusion]
    /// Whether the last forward pass was inference that folds: its outputs are in the activation arena and batchnorms'
    /// inputs were never written, so no backward pass may follow.
    private var lastForwardFolded = false

    /// `depth`: how deeply the stack is nested in blocks (0 for the network's own layers); `shortcut`: whether it is a
    /// residual block's shortcut (whose output waits while the body runs: it has buffers of its own in `activations`).
    init(_ layers: [RuntimeLayer], batchCapacity: Int, arena: GradientArena, activations: ActivationArena, scratch: ScratchArena,
         depth: Int, shortcut: Bool = false) {
        precondition(!layers.isEmpty, "a layer stack needs at least one layer")
        self.layers = layers
        self.arena = arena
        self.activations = activations
        activationSlot = activations.reserve(depth: depth, shortcut: shortcut,
                                             count: batchCapacity * layers.map(\.facts.output.count).max()!)
        var owned: [UnsafeMutableBufferPointer<Float>] = []
        var outputs: [UnsafeMutableBufferPointer<Float>] = []
        var fused: [Bool] = []
        for (i, layer) in layers.enumerated() {
            if i > 0, let relu = layer as? ReLU, let previous = layers[i - 1] as? ReLUFusing {
                previous.fusedActivation = relu.activation
                relu.fusedIntoPrevious = true
                outputs.append(outputs[i - 1])
                fused.append(true)
            } else {
                let buffer = AlignedFloats.allocate(batchCapacity * layer.facts.output.count)
                owned.append(buffer)
                outputs.append(buffer)
                fused.append(false)
            }
        }
        gradientSlots = zip(layers, GradientArena.parities(fused: fused)).map { layer, parity in
            arena.reserve(depth: depth, parity: parity, count: batchCapacity * layer.facts.output.count)
        }
        self.outputs = outputs
        self.owned = owned
        output = outputs[layers.count - 1].baseAddress!
        networkOutputStart = depth == 0 ? (layers.lastIndex { ($0 as? ReLU)?.fusedIntoPrevious != true } ?? 0) : nil
        foldsIntoPrevious = layers.indices.map { i in
            guard i > 0, let batchNorm = layers[i] as? BatchNormLayer, let previous = layers[i - 1] as? BatchNormFolding else { return false }
            previous.foldedBatchNorm = batchNorm
            batchNorm.foldsIntoPrevious = true
            return true
        }
        var blocks: [Int: BottleneckFusion] = [:]
        var i = 0
        while i < layers.count {
            if let block = BottleneckFusion(layers, foldsIntoPrevious: foldsIntoPrevious, start: i, scratch: scratch) {
                blocks[i] = block
                i = block.layers.upperBound + 1
            } else {
                i += 1
            }
        }
        fusedBlocks = blocks
    }

    deinit { owned.forEach(AlignedFloats.deallocate) }

    /// dL/d(layer i's output), valid from when it is written until layer i's backward pass ends.
    func gradient(_ i: Int) -> UnsafeMutablePointer<Float> { arena.pointer(gradientSlots[i]) }

    /// The last forward pass's output: the last layer's buffer, or the activation arena's buffer it wrote in inference
    /// that folds (a nested stack's; the network's last layer writes its own).
    private(set) var output: UnsafeMutablePointer<Float>
    /// Where the caller writes dL/d(output) before each `backward` (which reuses the buffer).
    var outputGradient: UnsafeMutablePointer<Float> { gradient(layers.count - 1) }

    func forward(input: UnsafePointer<Float>, batch: Int, context: StepContext) {
        output = forward(input: input, batch: batch, context: context, before: layers.count)
    }

    /// Layers 0..< end; returns where the last of them wrote its output.
    private func forward(input: UnsafePointer<Float>, batch: Int, context: StepContext, before end: Int) -> UnsafeMutablePointer<Float> {
        let folds = context.folds
        // The activation arena's buffers then hold the outputs, and the layers' own buffers are not written.
        lastForwardFolded = folds
        var current = UnsafeMutablePointer(mutating: input), turn = 0
        // Where a pass whose output is layer `last`'s writes it: in inference that folds, the arena's buffer this stack's
        // input is not in, unless that output is the network's.
        func destination(_ last: Int) -> UnsafeMutablePointer<Float> {
            guard folds && last < networkOutputStart ?? .max else { return outputs[last].baseAddress! }
            defer { turn ^= 1 }
            return activations.pointer(activationSlot + turn)
        }
        var next = 0 // the first layer a fused block has not computed
        for (i, layer) in layers.enumerated() where i >= next && i < end {
            let from = UnsafePointer(current)
            if folds && context.fusesBlocks, let block = fusedBlocks[i], block.runs(batch: batch, threads: context.threads) {
                let into = destination(block.layers.upperBound)
                let run = { block.forward(input: from, output: into, batch: batch, context: context) }
                if let clock = context.clock { clock.measure(layer, backward: false, run) } else { run() }
                current = into
                next = block.layers.upperBound + 1
                continue
            }
            if folds && foldsIntoPrevious[i] { continue } // computed by the layer before, into this layer's output
            let target = folds && i + 1 < layers.count && foldsIntoPrevious[i + 1] ? i + 1 : i
            // A relu that the layer before applied shares that layer's output (its own pass does nothing).
            let into = (layer as? ReLU)?.fusedIntoPrevious == true ? current : destination(target)
            let run = { layer.forward(input: from, output: into, batch: batch, context: context) }
            if let clock = context.clock { clock.measure(layer, backward: false, run) } else { run() }
            current = into
        }
        return current
    }

    /// A residual block's body with an identity shortcut, in inference that folds: when the whole stack is one fused block
    /// that runs at this batch, writes `activation`(body(input) + input) into `output` band by band (the body's own output
    /// buffer is not written) and returns true; else returns false, having done nothing.
    func forwardAddingInput(_ input: UnsafePointer<Float>, into output: UnsafeMutablePointer<Float>, activation: FusedActivation,
                            batch: Int, context: StepContext) -> Bool {
        guard context.folds && context.fusesBlocks, let block = fusedBlocks[0],
              block.layers.upperBound == layers.count - 1, block.runs(batch: batch, threads: context.threads) else { return false }
        lastForwardFolded = true
        let run = { block.forward(input: input, output: output, batch: batch, context: context, adding: activation) }
        if let clock = context.clock { clock.measure(layers[0], backward: false, run) } else { run() }
        return true
    }

    /// A residual block's body in inference that folds: when the conv that computes its output (the last layer, or the
    /// conv before a last batchnorm folded into it) can add the shortcut in its epilogue at this batch
    /// (`Conv2D.addsResidual`), runs the body with that conv writing `activation`(body(input) + residual) into `output`
    /// (the body's own output buffer is not written) and returns true; else returns false, having done nothing.
    func forwardAdding(_ residual: UnsafePointer<Float>, into output: UnsafeMutablePointer<Float>, activation: FusedActivation,
                       input: UnsafePointer<Float>, batch: Int, context: StepContext) -> Bool {
        let last = layers.count - 1, index = foldsIntoPrevious[last] ? last - 1 : last
        guard context.folds && context.fusesBlocks, index >= 0, let conv = layers[index] as? Conv2D, conv.addsResidual(batch: batch, context: context),
              !fusedBlocks.values.contains(where: { $0.layers.contains(index) }) else { return false }
        let from = UnsafePointer(forward(input: input, batch: batch, context: context, before: index))
        lastForwardFolded = true
        let run = { conv.forward(input: from, output: output, batch: batch, context: context, adding: (residual, activation)) }
        if let clock = context.clock { clock.measure(conv, backward: false, run) } else { run() }
        return true
    }

    /// Backpropagates `outputGradient`, adding into parameter gradients; writes dL/d(input) when asked.
    /// Layers before `first` are left out (frozen layers that nothing before them needs a gradient through),
    /// and layer `first` then writes no input gradient. `finished(i)` is called after layer i's pass.
    func backward(input: UnsafePointer<Float>, inputGradient: UnsafeMutablePointer<Float>?, batch: Int, context: StepContext,
                  from first: Int = 0, finished: ((Int) -> Void)? = nil) {
        precondition(!lastForwardFolded, "a backward pass after an inference pass that folded batchnorms (StepContext.foldsBatchNorm)")
        for i in stride(from: layers.count - 1, through: first, by: -1) {
            let run = {
                self.layers[i].backward(input: i == 0 ? input : UnsafePointer(self.outputs[i - 1].baseAddress!),
                                        output: UnsafePointer(self.outputs[i].baseAddress!),
                                        outputGradient: UnsafePointer(self.gradient(i)),
                                        inputGradient: i == 0 ? inputGradient : (i == first ? nil : self.gradient(i - 1)),
                                        batch: batch, context: context)
            }
            if let clock = context.clock { clock.measure(layers[i], backward: true, run) } else { run() }
            finished?(i)
        }
    }
}

/// A layer that can apply the relu or relu6 after it in its own output pass (NaN kept) and mask its gradient in its
/// own backward pass, so the activation needs no buffers or passes of its own.
protocol ReLUFusing: AnyObject {
    var fusedActivation: FusedActivation { get set }
}
