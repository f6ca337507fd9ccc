/// One node of a network: what it computes (`kind`), what the user calls it, and where it was written.
public struct Layer: Hashable, Sendable {
    public var name: String
    public var kind: LayerKind
    public var location: SourceLocation

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
    case dense(Dense)
    case dropout(rate: Double)
    case batchNorm(BatchNorm)
    case relu
    case sigmoid
    case tanh

    /// The word the spec uses for this kind, also the prefix of default names (`conv1`).
    public var keyword: String {
        switch self {
        case .conv: "conv"
        case .local: "local"
        case .maxPool: "maxpool"
        case .avgPool: "avgpool"
        case .globalAvgPool: "globalavgpool"
        case .dense: "dense"
        case .dropout: "dropout"
        case .batchNorm: "batchnorm"
        case .relu: "relu"
        case .sigmoid: "sigmoid"
        case .tanh: "tanh"
        }
    }
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

    public init(filters: Int, size: Size2, stride: Size2 = Size2(square: 1), padding: Padding = .zero,
                dilation: Size2 = Size2(square: 1), groups: Int = 1, bias: Bool = true,
                initScheme: InitScheme? = nil) {
        self.filters = filters
        self.size = size
        self.stride = stride
        self.padding = padding
        self.dilation = dilation
        self.groups = groups
        self.bias = bias
        self.initScheme = initScheme
    }
}

/// Parameters of `maxpool` and `avgpool`.
public struct Pooling: Hashable, Sendable {
    public var size: Size2
    public var stride: Size2
    public var padding: Padding

    public init(size: Size2, stride: Size2? = nil, padding: Padding = .zero) {
        self.size = size
        self.stride = stride ?? size
        self.padding = padding
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
