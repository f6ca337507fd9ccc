import CNNKernels
import Dispatch

/// Layers run in order, each owning the buffer of its output and of that output's gradient:
/// the whole network (`Model`) and each sub-stack of a branching layer (`ConcatBlock`, `ResidualBlock`).
///
/// A relu or relu6 right after a layer that can apply it (`ReLUFusing`: conv, depthwise conv, batchnorm) runs inside
/// that layer, on its buffers. In inference that folds (`StepContext.foldsBatchNorm`), a batchnorm right after a conv
/// runs inside the conv (`BatchNormFolding`), which then writes the batchnorm's output buffer.
final class LayerStack {
    let layers: [RuntimeLayer]
    /// outputs[i] is layer i's output `[N, H, W, C]`; gradients[i] is dL/d(outputs[i]).
    let outputs: [UnsafeMutableBufferPointer<Float>]
    let gradients: [UnsafeMutableBufferPointer<Float>]
    /// Every buffer above once (a fused relu shares its conv's), for deallocation.
    private let owned: [UnsafeMutableBufferPointer<Float>]
    /// foldsIntoPrevious[i]: layer i is a batchnorm that the layer before it computes when inference folds.
    let foldsIntoPrevious: [Bool]
    /// Whether the last forward pass folded batchnorms: their inputs were never written, so no backward pass may follow.
    private var lastForwardFolded = false

    init(_ layers: [RuntimeLayer], batchCapacity: Int) {
        precondition(!layers.isEmpty, "a layer stack needs at least one layer")
        self.layers = layers
        var owned: [UnsafeMutableBufferPointer<Float>] = []
        func buffer(_ count: Int) -> UnsafeMutableBufferPointer<Float> {
            let buffer = UnsafeMutableBufferPointer<Float>.allocate(capacity: max(count, 1))
            buffer.initialize(repeating: 0)
            owned.append(buffer)
            return buffer
        }
        var outputs: [UnsafeMutableBufferPointer<Float>] = []
        var gradients: [UnsafeMutableBufferPointer<Float>] = []
        for (i, layer) in layers.enumerated() {
            if i > 0, let relu = layer as? ReLU, let previous = layers[i - 1] as? ReLUFusing {
                previous.fusedActivation = relu.activation
                relu.fusedIntoPrevious = true
                outputs.append(outputs[i - 1])
                gradients.append(gradients[i - 1])
            } else {
                outputs.append(buffer(batchCapacity * layer.facts.output.count))
                gradients.append(buffer(batchCapacity * layer.facts.output.count))
            }
        }
        self.outputs = outputs
        self.gradients = gradients
        self.owned = owned
        foldsIntoPrevious = layers.indices.map { i in
            guard i > 0, let batchNorm = layers[i] as? BatchNormLayer, let previous = layers[i - 1] as? BatchNormFolding else { return false }
            previous.foldedBatchNorm = batchNorm
            return true
        }
    }

    deinit { owned.forEach { $0.deallocate() } }

    var output: UnsafeMutablePointer<Float> { outputs[layers.count - 1].baseAddress! }
    /// Where the caller writes dL/d(output) before `backward`.
    var outputGradient: UnsafeMutablePointer<Float> { gradients[layers.count - 1].baseAddress! }

    func forward(input: UnsafePointer<Float>, batch: Int, context: StepContext) {
        let folds = context.foldsBatchNorm && !context.training
        lastForwardFolded = folds && foldsIntoPrevious.contains(true)
        for (i, layer) in layers.enumerated() {
            if folds && foldsIntoPrevious[i] { continue } // computed by the layer before, into this layer's output
            let target = folds && i + 1 < layers.count && foldsIntoPrevious[i + 1] ? i + 1 : i
            let run = {
                layer.forward(input: i == 0 ? input : UnsafePointer(self.outputs[i - 1].baseAddress!),
                              output: self.outputs[target].baseAddress!, batch: batch, context: context)
            }
            if let clock = context.clock { clock.measure(layer, backward: false, run) } else { run() }
        }
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
                                        outputGradient: UnsafePointer(self.gradients[i].baseAddress!),
                                        inputGradient: i == 0 ? inputGradient : (i == first ? nil : self.gradients[i - 1].baseAddress!),
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
