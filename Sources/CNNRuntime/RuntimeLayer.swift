import CNNAnalysis
import CNNIR

/// The contract every layer kind implements (Caffe's small layer interface):
/// shapes come from the analysis, parameters from the `ParameterStore`, and
/// `backward` *adds* into parameter gradients (zeroed once per step by the model).
///
/// Buffers are channels-last `[N, H, W, C]` float32 for N = `batch` images, with C·H·W from the analysis;
/// checkpoints keep channels-first layouts (see `ChannelsLast`).
public protocol RuntimeLayer: AnyObject {
    var facts: LayerAnalysis { get }
    /// Tensors this layer stores in the parameter arena, in checkpoint order.
    var parameterSpecs: [ParameterSpec] { get }
    /// The layers inside a branching layer (concat, residual), whose tensors the arena also holds.
    var children: [RuntimeLayer] { get }
    /// Receives views of its tensors (values and gradients), in `parameterSpecs` order.
    func bind(values: [UnsafeMutablePointer<Float>], gradients: [UnsafeMutablePointer<Float>])
    /// output = f(input).
    func forward(input: UnsafePointer<Float>, output: UnsafeMutablePointer<Float>, batch: Int, context: StepContext)
    /// Given dL/d(output), adds dL/d(parameters) and writes dL/d(input) (nil for the first layer).
    func backward(input: UnsafePointer<Float>, output: UnsafePointer<Float>, outputGradient: UnsafePointer<Float>,
                  inputGradient: UnsafeMutablePointer<Float>?, batch: Int, context: StepContext)
}

public extension RuntimeLayer {
    var parameterSpecs: [ParameterSpec] { [] }
    var children: [RuntimeLayer] { [] }
    func bind(values: [UnsafeMutablePointer<Float>], gradients: [UnsafeMutablePointer<Float>]) {}
}

/// A layer whose tensors are a weight and, optionally, a bias (conv, local, dense): binding is the same for all.
protocol WeightedLayer: RuntimeLayer {
    var hasBias: Bool { get }
    var weight: UnsafeMutablePointer<Float>! { get set }
    var weightGradient: UnsafeMutablePointer<Float>! { get set }
    var bias: UnsafeMutablePointer<Float>? { get set }
    var biasGradient: UnsafeMutablePointer<Float>? { get set }
}

extension WeightedLayer {
    public func bind(values: [UnsafeMutablePointer<Float>], gradients: [UnsafeMutablePointer<Float>]) {
        weight = values[0]
        weightGradient = gradients[0]
        if hasBias {
            bias = values[1]
            biasGradient = gradients[1]
        }
    }
}

/// What one forward/backward step knows beyond its buffers.
public struct StepContext: Sendable {
    /// Training (dropout active, batchnorm on batch statistics) or inference.
    public var training: Bool
    /// Threads a layer may split its batch over.
    public var threads: Int
    /// Seed and step number: layers derive their random streams from these, so a step is reproducible
    /// and a resumed run draws the same masks as an uninterrupted one.
    public var seed: UInt64
    public var step: UInt64
    /// Position of this batch's first image in the step's global batch (non-zero on the later ranks of a
    /// data-parallel run): per-image random streams (dropout) then do not depend on how a batch is split.
    public var firstExample: Int
    /// The parameter store's generation (set by `Model`): in inference, layers reuse weights derived
    /// in an earlier pass of the same generation. nil: always derive afresh (training, direct calls).
    public var parameterGeneration: Int?
    /// When set (the benchmark's breakdown), every layer stack times its layers' passes into it.
    public var clock: LayerClock?
    /// Inference that no backward pass follows: a batchnorm right after a conv is computed by the conv, through
    /// weights and a bias folded from both (`BatchNormFolding`). Ignored in training.
    public var foldsBatchNorm = false
    /// Whether this pass folds: `foldsBatchNorm`, in inference.
    var folds: Bool { foldsBatchNorm && !training }
    /// In inference that folds, MobileNet's inverted bottlenecks run as one pass over bands of rows (`BottleneckFusion`),
    /// and a residual block's last conv adds the shortcut as it stores its outputs (`LayerStack.forwardAdding`): the same
    /// outputs as their layers' passes on the same kernels. false: layer by layer (tests compare the two).
    public var fusesBlocks = true

    public init(training: Bool, threads: Int, seed: UInt64 = 1, step: UInt64 = 0, firstExample: Int = 0) {
        self.training = training
        self.threads = threads
        self.seed = seed
        self.step = step
        self.firstExample = firstExample
    }

    /// Inference for its outputs only (evaluation, prediction, the benchmark): batchnorms fold into the convs before them.
    public static func inference(threads: Int) -> StepContext {
        var context = StepContext(training: false, threads: threads)
        context.foldsBatchNorm = true
        return context
    }
}

/// One tensor a layer keeps in the arena.
public struct ParameterSpec: Sendable {
    public enum Role: Sendable, Equatable {
        /// Learned weights, drawn from the init scheme with this fan-in; weight decay applies.
        case weight(fanIn: Int)
        /// Learned, starts at 0.
        case bias
        /// Learned, starts at 1 (batchnorm γ).
        case scale
        /// Not learned: running statistics that start at 0 (mean) or 1 (variance).
        case runningMean
        case runningVariance
    }

    /// Checkpoint name suffix: `weight`, `bias`, `running_mean`, `running_var`.
    public var suffix: String
    public var shape: [Int]
    public var role: Role
    public var initScheme: InitScheme
    /// A part of the layer with tensors of its own, named as if it were a layer: squeeze_excite's `squeeze`
    /// and `excite` convs store `<layer>_squeeze.weight`, …; nil for the layer's own tensors (`<layer>.weight`).
    public var part: String?

    public init(_ suffix: String, shape: [Int], role: Role, initScheme: InitScheme = .he, part: String? = nil) {
        self.suffix = suffix
        self.shape = shape
        self.role = role
        self.initScheme = initScheme
        self.part = part
    }

    /// The checkpoint name of this tensor of layer `layer`: `<layer>.<suffix>` or `<layer>_<part>.<suffix>`.
    public func name(layer: String) -> String {
        (part.map { "\(layer)_\($0)" } ?? layer) + "." + suffix
    }

    public var count: Int { shape.reduce(1, *) }
    public var isTrainable: Bool { role != .runningMean && role != .runningVariance }
    public var decays: Bool { if case .weight = role { return true }; return false }
}
