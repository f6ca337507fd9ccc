import CNNAnalysis
import CNNIR
import CNNKernels
import Dispatch

/// A network instantiated from its analysis: layers, one parameter arena and every activation buffer,
/// all allocated here, once, for batches of up to `batchCapacity` images. The runtime never re-derives
/// a shape: every size comes from `NetworkAnalysis`.
public final class Model {
    public let analysis: NetworkAnalysis
    public let parameters: ParameterStore
    public let batchCapacity: Int
    public let threads: Int
    /// The input normalisation the weights were trained with (`Batches` applies it; nil: pixels in [0, 1]).
    /// Set from the training config, or from a checkpoint's metadata (`Normalization(metadata:path:)`).
    public var normalization: Normalization?
    /// The network's top-level layers with their buffers.
    let stack: LayerStack
    /// The first top-level layer whose tensors (or whose inner layers' tensors) are trained: 0 unless layers are frozen.
    public let firstUpdatedLayer: Int
    /// Every layer's output gradient, two buffers per depth of nesting.
    let gradients: GradientArena
    /// The layers' outputs in inference that folds: the gradients' buffers, and two per depth of shortcuts.
    let activations: ActivationArena
    /// The per-thread scratch the conv layers share.
    let scratch: ScratchArena
    /// The input batch `[N, H, W, C]` (channels-last, as every activation).
    let inputBuffer: UnsafeMutableBufferPointer<Float>

    public var layers: [RuntimeLayer] { stack.layers }

    /// `kernels` picks the convolution kernels (tests and benchmarks compare them; training uses the default).
    public init(_ analysis: NetworkAnalysis, batchCapacity: Int, threads: Int = 1, kernels: ConvolutionKernels = .fastest) {
        self.analysis = analysis
        self.batchCapacity = batchCapacity
        self.threads = max(1, threads)
        BLAS.setThreads(1) // cnnc splits batches over threads itself
        var factory = LayerFactory(network: analysis.network, batchCapacity: batchCapacity, threads: max(1, threads), kernels: kernels,
                                   scratch: ScratchArena(threads: max(1, threads)))
        stack = factory.stack(analysis.layers, depth: 0)
        gradients = factory.gradients
        gradients.allocate()
        activations = factory.activations
        scratch = factory.scratch
        scratch.allocate()
        parameters = ParameterStore(layers: stack.layers)
        // Fine-tuning: the backward pass ends at the first layer with tensors the optimizer updates.
        func updates(_ layer: RuntimeLayer) -> Bool {
            (layer.facts.layer.freeze == .none && layer.parameterSpecs.contains(where: \.isTrainable)) || layer.children.contains(where: updates)
        }
        firstUpdatedLayer = stack.layers.firstIndex(where: updates) ?? stack.layers.count - 1
        inputBuffer = .allocate(capacity: batchCapacity * analysis.network.input.count)
        inputBuffer.initialize(repeating: 0)
    }

    deinit { inputBuffer.deallocate() }

    /// Where to write a batch of input images, channels-last `[N, H, W, C]` (see `Batches`).
    public var input: UnsafeMutablePointer<Float> { inputBuffer.baseAddress! }
    /// The last layer's output of the last forward pass, `[N, outputs]`.
    public var output: UnsafePointer<Float> { UnsafePointer(stack.output) }
    public var outputCount: Int { analysis.output.count }
    /// Where the loss writes dL/d(output) before each `backward`: the pass reuses the buffer for other layers'
    /// gradients (`GradientArena`), so it does not hold dL/d(output) afterwards.
    public var outputGradient: UnsafeMutablePointer<Float> { stack.outputGradient }

    public func forward(batch: Int, context: StepContext) {
        precondition(batch <= batchCapacity, "batch \(batch) exceeds the model's capacity \(batchCapacity)")
        var context = context
        context.parameterGeneration = context.training ? nil : parameters.generation
        stack.forward(input: input, batch: batch, context: context)
    }

    /// Backpropagates `outputGradient`, adding into `parameters.gradients` (zero them first).
    /// `inputGradient`, when given, receives dL/d(input) `[N, H, W, C]` (tests and saliency need it; training does not).
    /// `finished(i)` is called when top-level layer i's pass is done: its gradients and those of every later layer are final.
    public func backward(batch: Int, context: StepContext, inputGradient: UnsafeMutablePointer<Float>? = nil,
                         finished: ((Int) -> Void)? = nil) {
        // A requested input gradient needs every layer; training needs only those from the first trained one.
        stack.backward(input: input, inputGradient: inputGradient, batch: batch, context: context,
                       from: inputGradient == nil ? firstUpdatedLayer : 0, finished: finished)
    }

    /// Each top-level layer's first offset in the parameter arena (the arena holds layers depth first).
    var layerStarts: [Int] {
        func count(_ layer: RuntimeLayer) -> Int { layer.parameterSpecs.reduce(0) { $0 + $1.count } + layer.children.reduce(0) { $0 + count($1) } }
        var starts: [Int] = [], offset = 0
        for layer in stack.layers {
            starts.append(offset)
            offset += count(layer)
        }
        return starts
    }

    /// The gradient allreduce in buckets of at least `bucketBytes` (see `GradientBuckets`).
    func gradientBuckets(bucketBytes: Int, precision: AllreducePrecision) -> GradientBuckets {
        GradientBuckets(gradients: parameters.gradients, layerStarts: layerStarts, bucketFloats: bucketBytes / MemoryLayout<Float>.size,
                        precision: precision)
    }
}

/// The exhaustive map from IR kind to runtime layer, recursing into branches. Layers are numbered
/// depth first (dropout derives its random stream from the number).
struct LayerFactory {
    let network: Network
    let batchCapacity: Int, threads: Int
    let kernels: ConvolutionKernels
    var nextIndex = 0
    /// Every stack's output gradients; the model allocates it once every stack is built.
    let gradients = GradientArena()
    /// Every stack's outputs in inference that folds: the gradients' buffers, and the shortcuts' own.
    lazy var activations = ActivationArena(sharing: gradients)
    /// The convolutions' per-thread scratch and gradient accumulators, shared by every layer; allocated likewise.
    let scratch: ScratchArena

    /// `depth`: 0 for the network's layers, one more inside each block.
    mutating func stack(_ layers: [LayerAnalysis], depth: Int, shortcut: Bool = false) -> LayerStack {
        LayerStack(layers.map { make($0, depth: depth) }, batchCapacity: batchCapacity, arena: gradients, activations: activations,
                   scratch: scratch, depth: depth, shortcut: shortcut)
    }

    mutating func make(_ facts: LayerAnalysis, depth: Int) -> RuntimeLayer {
        let index = nextIndex
        nextIndex += 1
        let scheme = network.initScheme(of: facts.layer)
        switch facts.layer.kind {
        case .conv(let conv) where DepthwiseConv2D.computes(facts, conv: conv, kernels: kernels):
            return DepthwiseConv2D(facts, conv: conv, initScheme: scheme, scratch: scratch)
        case .conv(let conv): return Conv2D(facts, conv: conv, initScheme: scheme, scratch: scratch, kernels: kernels)
        case .local(let conv): return LocallyConnected(facts, conv: conv, initScheme: scheme)
        case .maxPool: return MaxPool(facts, batchCapacity: batchCapacity)
        case .avgPool: return AvgPool(facts)
        case .globalAvgPool: return GlobalAvgPool(facts)
        case .spp(let pyramid): return SpatialPyramidPooling(facts, pyramid: pyramid, batchCapacity: batchCapacity)
        case .adaptiveAvgPool: return AdaptiveAvgPool(facts)
        case .adaptiveMaxPool: return AdaptiveMaxPool(facts, batchCapacity: batchCapacity)
        case .flatten: return Flatten(facts)
        case .dense(let dense): return DenseLayer(facts, dense: dense, initScheme: scheme, batchCapacity: batchCapacity)
        case .dropout(let rate): return Dropout(facts, rate: rate, layerIndex: index, batchCapacity: batchCapacity)
        case .batchNorm(let config): return BatchNormLayer(facts, config: config, batchCapacity: batchCapacity)
        case .relu: return ReLU(facts)
        case .sigmoid: return Elementwise(facts, Sigmoid())
        case .tanh: return Elementwise(facts, Tanh())
        case .relu6: return ReLU(facts, activation: .relu6)
        case .leakyReLU(let slope): return Elementwise(facts, LeakyReLU(slope: Float(slope)))
        case .elu(let alpha): return Elementwise(facts, ELU(alpha: Float(alpha)))
        case .silu: return Elementwise(facts, SiLU())
        case .hardswish: return Elementwise(facts, Hardswish())
        case .hardsigmoid: return Elementwise(facts, Hardsigmoid())
        case .gelu: return Elementwise(facts, GELU())
        case .identity: return Identity(facts)
        case .concat:
            return ConcatBlock(facts, branches: facts.branches.map { stack($0, depth: depth + 1) }, batchCapacity: batchCapacity)
        case .residual:
            let body = stack(facts.branches[0], depth: depth + 1)
            let shortcut = facts.shortcut.isEmpty ? nil : stack(facts.shortcut, depth: depth + 1, shortcut: true)
            return ResidualBlock(facts, body: body, shortcut: shortcut, batchCapacity: batchCapacity)
        case .squeezeExcite(let se): return SqueezeExciteLayer(facts, config: se, initScheme: scheme, batchCapacity: batchCapacity)
        case .channelShuffle(let shuffle): return ChannelShuffleLayer(facts, groups: shuffle.groups)
        case .slice(let slice): return ChannelSliceLayer(facts, slice: slice)
        }
    }
}
