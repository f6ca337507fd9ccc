/// A whole network as the spec describes it: input shape, layers in order, loss and training recipe.
public struct Network: Hashable, Sendable {
    public var name: String
    public var input: Shape
    public var defaultInit: InitScheme
    public var layers: [Layer]
    public var loss: Loss
    /// `nil` when the spec has no `train:` section (it can be checked but not trained).
    public var training: TrainingConfig?
    /// Where the network's document starts; errors about the whole network point here.
    public var location: SourceLocation
    /// Where `input:` was written.
    public var inputLocation: SourceLocation
    /// The network `cnnc params` compares this one with (`compare_to:`); nil: the first one shown.
    public var compareTo: String?

    public init(name: String, input: Shape, defaultInit: InitScheme = .he, layers: [Layer],
                loss: Loss = .softmaxCrossEntropy, training: TrainingConfig? = nil,
                location: SourceLocation = .unknown, inputLocation: SourceLocation = .unknown) {
        self.name = name
        self.input = input
        self.defaultInit = defaultInit
        self.layers = layers
        self.loss = loss
        self.training = training
        self.location = location
        self.inputLocation = inputLocation
    }

    /// Every layer, branches included, depth first in the order written.
    public var allLayers: [Layer] {
        func walk(_ layers: [Layer]) -> [Layer] {
            layers.flatMap { [$0] + $0.kind.branches.flatMap(walk) }
        }
        return walk(layers)
    }

    /// The init scheme a layer actually uses.
    public func initScheme(of layer: Layer) -> InitScheme {
        switch layer.kind {
        case .conv(let c), .local(let c): c.initScheme ?? defaultInit
        case .dense(let d): d.initScheme ?? defaultInit
        case .squeezeExcite(let se): se.initScheme ?? defaultInit
        default: defaultInit
        }
    }
}

public enum Loss: String, Hashable, Sendable, CaseIterable {
    /// Softmax over the last layer's outputs followed by cross-entropy with the label.
    case softmaxCrossEntropy = "softmax_cross_entropy"
}
