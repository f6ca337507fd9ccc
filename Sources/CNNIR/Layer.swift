/// One node of a network: what it computes (`kind`), what the user calls it, and where it was written.
public struct Layer: Hashable, Sendable {
    public var name: String
    public var kind: LayerKind
    public var location: SourceLocation
    /// Fine-tuning: whether training leaves this layer's learned tensors (and its batchnorm statistics) as they are.
    public var freeze: Freeze = .none
    /// Multiplies the learning rate for this layer's tensors (Caffe's `lr_mult`).
    public var learningRateScale: Double = 1

    public enum Freeze: String, Hashable, Sendable {
        /// Trained as usual.
        case none
        /// Weights and biases kept (no gradient work, no optimizer state); batchnorm still normalises with the
        /// batch's statistics and updates its running ones, as PyTorch's `requires_grad = False`.
        case weights
        /// Also batchnorm's running statistics: kept and used in training as in inference (PyTorch's `.eval()`).
        case statistics
    }

    public init(name: String, kind: LayerKind, location: SourceLocation = .unknown) {
        self.name = name
        self.kind = kind
        self.location = location
    }
}

/// Every kind of layer the spec format knows. Dispatch over it is an exhaustive `switch`,
/// so adding a case makes the compiler list every stage that must learn it.
public enum LayerKind: Hashable, Sendable {
    case conv(Convolution)
    /// Locally connected: a convolution whose weights are not shared across positions.
    case local(Convolution)
    case maxPool(Pooling)
    case avgPool(Pooling)
    case globalAvgPool
    /// The mean of each of oh × ow bins, per channel (PyTorch's AdaptiveAvgPool2d); see `AdaptivePooling`.
    case adaptiveAvgPool(AdaptivePooling)
    /// The largest value of each of oh × ow bins, per channel (PyTorch's AdaptiveMaxPool2d); see `AdaptivePooling`.
    case adaptiveMaxPool(AdaptivePooling)
    /// [C, H, W] → [C·H·W, 1, 1] in (C, H, W) order, as PyTorch's `x.flatten(1)`; the values are unchanged.
    case flatten
    case dense(Dense)
    case dropout(rate: Double)
    case batchNorm(BatchNorm)
    case relu
    case sigmoid
    case tanh
    /// min(max(x, 0), 6) (Sandler et al., MobileNetV2, 2018).
    case relu6
    /// x if x ≥ 0, else slope·x (PyTorch's LeakyReLU, negative_slope).
    case leakyReLU(slope: Double)
    /// x if x > 0, else alpha·(eˣ − 1) (Clevert et al., 2015).
    case elu(alpha: Double)
    /// x·sigmoid(x) (SiLU, also called swish).
    case silu
    /// x·min(max(x + 3, 0), 6)/6 (Howard et al., MobileNetV3, 2019).
    case hardswish
    /// min(max(x + 3, 0), 6)/6 (MobileNetV3).
    case hardsigmoid
    /// 0.5·x·(1 + erf(x/√2)), the exact GELU (Hendrycks and Gimpel, 2016).
    case gelu
    /// y = x.
    case identity
    /// Several sub-stacks on the same input, joined along channels (an Inception module).
    case concat([[Layer]])
    /// A sub-stack whose output is added to its input, or to a shortcut path's output (`Residual`).
    case residual(Residual)
    /// Squeeze-and-excitation (Hu et al. 2018): each channel scaled by a gate computed from the whole map.
    case squeezeExcite(SqueezeExcite)
    /// ShuffleNet's channel shuffle (`ChannelShuffle`).
    case channelShuffle(ChannelShuffle)
    /// Some of the input's channels (`ChannelSlice`).
    case slice(ChannelSlice)
    /// Spatial pyramid pooling: a fixed-length output whatever the input size.
    case spp(SpatialPyramid)

    /// The word the spec uses for this kind, also the prefix of default names (`conv1`).
    public var keyword: String {
        switch self {
        case .conv(let c): c.depthwiseMultiplier == nil ? "conv" : "depthwise"
        case .local: "local"
        case .maxPool: "maxpool"
        case .avgPool: "avgpool"
        case .globalAvgPool: "globalavgpool"
        case .adaptiveAvgPool: "adaptiveavgpool"
        case .adaptiveMaxPool: "adaptivemaxpool"
        case .flatten: "flatten"
        case .dense: "dense"
        case .dropout: "dropout"
        case .batchNorm: "batchnorm"
        case .relu: "relu"
        case .sigmoid: "sigmoid"
        case .tanh: "tanh"
        case .relu6: "relu6"
        case .leakyReLU: "leaky_relu"
        case .elu: "elu"
        case .silu: "silu"
        case .hardswish: "hardswish"
        case .hardsigmoid: "hardsigmoid"
        case .gelu: "gelu"
        case .identity: "identity"
        case .concat: "concat"
        case .residual: "residual"
        case .spp: "spp"
        case .squeezeExcite: "squeeze_excite"
        case .channelShuffle: "channel_shuffle"
        case .slice: "slice"
        }
    }

    /// The sub-stacks of a branching layer (empty for every other kind): a concat's branches; a
    /// residual's body, then its shortcut when the user wrote one.
    public var branches: [[Layer]] {
        switch self {
        case .concat(let branches): branches
        case .residual(let residual):
            if case .layers(let shortcut) = residual.shortcut { [residual.body, shortcut] } else { [residual.body] }
        default: []
        }
    }
}

/// `residual` (He et al., "Deep Residual Learning", 2015): y = body(x) + shortcut(x).
public struct Residual: Hashable, Sendable {
    /// The path the input takes besides the body.
    public enum Shortcut: Hashable, Sendable {
        /// The input itself when the body keeps the shape, else a 1×1 conv `<name>_projection` (with bias) whose
        /// stride matches the height and width (the default).
        case automatic
        /// The input itself; a body that changes the shape is an error.
        case identity
        /// Layers the user wrote (ResNet's downsample: a strided 1×1 conv and a batchnorm); their output must
        /// have the body's shape.
        case layers([Layer])
    }

    public var body: [Layer]
    public var shortcut: Shortcut

    public init(body: [Layer], shortcut: Shortcut = .automatic) {
        self.body = body
        self.shortcut = shortcut
    }
}

/// `squeeze_excite` as torchvision's `SqueezeExcitation`: global average pool, 1×1 conv C → `squeeze`
/// (with bias), `activation`, 1×1 conv `squeeze` → C (with bias), `gate`, then the input multiplied by the
/// gate channel-wise: y[c, h, w] = x[c, h, w] · s[c].
public struct SqueezeExcite: Hashable, Sendable {
    public enum Activation: String, Hashable, Sendable, CaseIterable { case relu, silu }
    public enum Gate: String, Hashable, Sendable, CaseIterable { case sigmoid, hardsigmoid }

    /// Channels of the bottleneck between the two convs.
    public var squeeze: Int
    public var activation: Activation
    public var gate: Gate
    /// `nil`: the network's default scheme (for both convs' weights).
    public var initScheme: InitScheme?

    public init(squeeze: Int, activation: Activation = .relu, gate: Gate = .sigmoid, initScheme: InitScheme? = nil) {
        self.squeeze = squeeze
        self.activation = activation
        self.gate = gate
        self.initScheme = initScheme
    }
}

/// `channel_shuffle` (Zhang et al., ShuffleNet, 2017), as PyTorch's ChannelShuffle:
/// x.view(N, g, C/g, H, W).transpose(1, 2).reshape(N, C, H, W), so output channel j·g + i is input channel i·(C/g) + j.
public struct ChannelShuffle: Hashable, Sendable {
    public var groups: Int

    public init(groups: Int) { self.groups = groups }
}

/// `slice`: input channels `from ..< to` (0-based, half-open), as x[:, from:to] in PyTorch.
public struct ChannelSlice: Hashable, Sendable {
    public var from: Int
    public var to: Int

    public init(from: Int, to: Int) {
        self.from = from
        self.to = to
    }

    public var channels: Int { to - from }
}

/// Parameters shared by `conv` and `local`.
public struct Convolution: Hashable, Sendable {
    public var filters: Int
    public var size: Size2
    public var stride: Size2
    public var padding: Padding
    public var dilation: Size2
    public var groups: Int
    public var bias: Bool
    /// `nil`: the network's default scheme.
    public var initScheme: InitScheme?
    /// A depthwise conv (`depthwise:` in the spec) has one group per input channel and this many
    /// filters per channel; the analysis fills in `groups` and `filters` once it knows the channels.
    public var depthwiseMultiplier: Int?

    public init(filters: Int, size: Size2, stride: Size2 = Size2(square: 1), padding: Padding = .zero,
                dilation: Size2 = Size2(square: 1), groups: Int = 1, bias: Bool = true,
                initScheme: InitScheme? = nil, depthwiseMultiplier: Int? = nil) {
        self.filters = filters
        self.size = size
        self.stride = stride
        self.padding = padding
        self.dilation = dilation
        self.groups = groups
        self.bias = bias
        self.initScheme = initScheme
        self.depthwiseMultiplier = depthwiseMultiplier
    }
}

/// Parameters of `spp` (He et al., "Spatial Pyramid Pooling in Deep Convolutional Networks", 2014):
/// for each level l the map is cut into l × l bins (bin i spans ⌊i·H/l⌋ ..< ⌈(i+1)·H/l⌉, as PyTorch's
/// adaptive pooling) and each bin pooled; the output is C·Σl² values, level by level, each level
/// flattened in (C, row, column) order.
public struct SpatialPyramid: Hashable, Sendable {
    public enum Mode: String, Hashable, Sendable, CaseIterable { case max, avg }
    public var levels: [Int]
    public var mode: Mode

    public init(levels: [Int], mode: Mode = .max) {
        self.levels = levels
        self.mode = mode
    }

    /// Σ l²: output values per channel.
    public var binsPerChannel: Int { levels.reduce(0) { $0 + $1 * $1 } }
}

/// Parameters of `adaptiveavgpool` and `adaptivemaxpool`: the output's height and width, whatever the
/// input's. Bin i of oh over an axis of H spans ⌊i·H/oh⌋ ..< ⌈(i+1)·H/oh⌉ (PyTorch's adaptive pooling,
/// the same bins as `spp`); when H < oh the bins overlap and repeat pixels.
public struct AdaptivePooling: Hashable, Sendable {
    public var size: Size2

    public init(size: Size2) { self.size = size }
}

/// Parameters of `maxpool` and `avgpool`.
public struct Pooling: Hashable, Sendable {
    public var size: Size2
    public var stride: Size2
    public var padding: Padding
    /// PyTorch's `ceil_mode`: the output extent rounds up, so a last, partial window covers the
    /// rows a floored rule leaves unread (as long as it starts inside the input or its leading padding).
    public var ceil: Bool

    public init(size: Size2, stride: Size2? = nil, padding: Padding = .zero, ceil: Bool = false) {
        self.size = size
        self.stride = stride ?? size
        self.padding = padding
        self.ceil = ceil
    }
}

/// A fully connected layer; it flattens its input in (C, H, W) order.
public struct Dense: Hashable, Sendable {
    public var units: Int
    public var bias: Bool
    public var initScheme: InitScheme?

    public init(units: Int, bias: Bool = true, initScheme: InitScheme? = nil) {
        self.units = units
        self.bias = bias
        self.initScheme = initScheme
    }
}

/// Batch normalisation over channels (per feature after a dense layer).
public struct BatchNorm: Hashable, Sendable {
    /// Weight of the newest batch in the running statistics (PyTorch's convention).
    public var momentum: Double
    public var epsilon: Double

    public init(momentum: Double = 0.1, epsilon: Double = 1e-5) {
        self.momentum = momentum
        self.epsilon = epsilon
    }
}

public extension Layer {
    /// This layer and every layer inside it frozen at least as far as `freeze`, their learning rates scaled by `scale`.
    func tuned(freeze: Freeze, learningRateScale scale: Double) -> Layer {
        var copy = self
        if freeze == .statistics || (freeze == .weights && copy.freeze == .none) { copy.freeze = freeze }
        copy.learningRateScale *= scale
        return copy.mappingSublayers { $0.tuned(freeze: freeze, learningRateScale: scale) }
    }

    /// This layer with `transform` applied to each layer directly inside it (a concat's branches, a residual's body
    /// and written shortcut); other kinds are returned as they are.
    func mappingSublayers(_ transform: (Layer) throws -> Layer) rethrows -> Layer {
        var copy = self
        switch kind {
        case .concat(let branches):
            copy.kind = .concat(try branches.map { try $0.map(transform) })
        case .residual(var residual):
            residual.body = try residual.body.map(transform)
            if case .layers(let shortcut) = residual.shortcut { residual.shortcut = .layers(try shortcut.map(transform)) }
            copy.kind = .residual(residual)
        default:
            break
        }
        return copy
    }
}
