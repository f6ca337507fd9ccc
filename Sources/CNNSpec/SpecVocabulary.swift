/// The words of the spec format: every section's keys with type, default and meaning.
/// The parser takes its allowed keys from here, and docs/spec.md is checked against it by a test.
public enum SpecVocabulary {
    public struct Key: Sendable {
        public var name: String
        public var type: String
        public var defaultValue: String
        public var summary: String
    }

    public static let layerKinds = ["conv", "depthwise", "separable", "local", "maxpool", "avgpool", "globalavgpool", "spp",
                                    "dense", "dropout", "batchnorm", "relu", "sigmoid", "tanh", "concat", "residual", "repeat"]

    public static let network: [Key] = [
        Key(name: "name", type: "string", defaultValue: "file name", summary: "name shown in reports and run folders"),
        Key(name: "input", type: "[C, H, W] or {channels, height, width}", defaultValue: "required", summary: "shape of one input image"),
        Key(name: "init", type: "he | xavier | normal(std) | uniform(a)", defaultValue: "he", summary: "default weight init of conv, local and dense layers"),
        Key(name: "layers", type: "list of layers", defaultValue: "required", summary: "the layers in order"),
        Key(name: "loss", type: "softmax_cross_entropy", defaultValue: "softmax_cross_entropy", summary: "training loss on the last layer's outputs"),
        Key(name: "train", type: "mapping", defaultValue: "none", summary: "how `cnnc train` fits the network"),
        Key(name: "compare_to", type: "string", defaultValue: "none", summary: "network whose parameter count `cnnc params` divides this one's by; without any compare_to, all are compared with the first"),
    ]

    public static let convolution: [Key] = [
        Key(name: "filters", type: "integer ≥ 1", defaultValue: "required", summary: "output channels"),
        Key(name: "size", type: "n or [h, w]", defaultValue: "required", summary: "kernel height and width"),
        Key(name: "stride", type: "n or [h, w]", defaultValue: "1", summary: "step between windows"),
        Key(name: "pad", type: "n, [h, w], [top, bottom, left, right], valid, same, full", defaultValue: "0", summary: "zero padding"),
        Key(name: "dilation", type: "n or [h, w]", defaultValue: "1", summary: "spacing between kernel taps"),
        Key(name: "groups", type: "integer ≥ 1", defaultValue: "1", summary: "channel groups; input channels and filters must divide by it"),
        Key(name: "bias", type: "boolean", defaultValue: "true", summary: "add a learned bias per output"),
        Key(name: "init", type: "he | xavier | normal(std) | uniform(a)", defaultValue: "network's init", summary: "weight init"),
        Key(name: "name", type: "string", defaultValue: "kind + index", summary: "layer name, unique"),
    ]

    public static let depthwise: [Key] = [
        Key(name: "size", type: "n or [h, w]", defaultValue: "required", summary: "kernel height and width"),
        Key(name: "multiplier", type: "integer ≥ 1", defaultValue: "1", summary: "filters per input channel (groups = input channels)"),
        Key(name: "stride", type: "n or [h, w]", defaultValue: "1", summary: "step between windows"),
        Key(name: "pad", type: "n, [h, w], [top, bottom, left, right], valid, same, full", defaultValue: "0", summary: "zero padding"),
        Key(name: "dilation", type: "n or [h, w]", defaultValue: "1", summary: "spacing between kernel taps"),
        Key(name: "bias", type: "boolean", defaultValue: "true", summary: "add a learned bias per output"),
        Key(name: "init", type: "he | xavier | normal(std) | uniform(a)", defaultValue: "network's init", summary: "weight init"),
        Key(name: "name", type: "string", defaultValue: "kind + index", summary: "layer name, unique"),
    ]

    public static let separable: [Key] = [
        Key(name: "filters", type: "integer ≥ 1", defaultValue: "required", summary: "output channels of the pointwise (1×1) conv"),
        Key(name: "size", type: "n or [h, w]", defaultValue: "required", summary: "kernel of the depthwise conv"),
        Key(name: "stride", type: "n or [h, w]", defaultValue: "1", summary: "stride of the depthwise conv"),
        Key(name: "pad", type: "n, [h, w], [top, bottom, left, right], valid, same, full", defaultValue: "0", summary: "padding of the depthwise conv"),
        Key(name: "dilation", type: "n or [h, w]", defaultValue: "1", summary: "dilation of the depthwise conv"),
        Key(name: "bias", type: "boolean", defaultValue: "true", summary: "bias of the pointwise conv (the depthwise one has none)"),
        Key(name: "init", type: "he | xavier | normal(std) | uniform(a)", defaultValue: "network's init", summary: "weight init of both"),
        Key(name: "name", type: "string", defaultValue: "separable + index", summary: "base name: the layers are <name>_depthwise and <name>_pointwise"),
    ]

    public static let spp: [Key] = [
        Key(name: "levels", type: "list of integers ≥ 1", defaultValue: "required", summary: "bins per side of each level, e.g. [1, 2, 4]"),
        Key(name: "mode", type: "max | avg", defaultValue: "max", summary: "how a bin is pooled"),
        Key(name: "name", type: "string", defaultValue: "kind + index", summary: "layer name, unique"),
    ]

    public static let concat: [Key] = [
        Key(name: "branches", type: "list of lists of layers", defaultValue: "required", summary: "sub-stacks run on the same input, joined along channels in order"),
        Key(name: "name", type: "string", defaultValue: "concat + index", summary: "block name, unique"),
    ]

    public static let residual: [Key] = [
        Key(name: "layers", type: "list of layers", defaultValue: "required", summary: "the body; its output is added to the block's input (1×1 projection `<name>_projection` when the shape changes)"),
        Key(name: "name", type: "string", defaultValue: "residual + index", summary: "block name, unique"),
    ]

    public static let pooling: [Key] = [
        Key(name: "size", type: "n or [h, w]", defaultValue: "required", summary: "window height and width"),
        Key(name: "stride", type: "n or [h, w]", defaultValue: "size", summary: "step between windows"),
        Key(name: "pad", type: "n, [h, w], [top, bottom, left, right], valid, same, full", defaultValue: "0", summary: "padding (ignored by max and by the average's divisor)"),
        Key(name: "name", type: "string", defaultValue: "kind + index", summary: "layer name, unique"),
    ]

    public static let dense: [Key] = [
        Key(name: "units", type: "integer ≥ 1", defaultValue: "required", summary: "output features"),
        Key(name: "bias", type: "boolean", defaultValue: "true", summary: "add a learned bias per output"),
        Key(name: "init", type: "he | xavier | normal(std) | uniform(a)", defaultValue: "network's init", summary: "weight init"),
        Key(name: "name", type: "string", defaultValue: "kind + index", summary: "layer name, unique"),
    ]

    public static let dropout: [Key] = [
        Key(name: "rate", type: "number in [0, 1)", defaultValue: "0.5", summary: "fraction of activations zeroed in training"),
        Key(name: "name", type: "string", defaultValue: "kind + index", summary: "layer name, unique"),
    ]

    public static let batchNorm: [Key] = [
        Key(name: "momentum", type: "number in (0, 1]", defaultValue: "0.1", summary: "weight of each new batch in the running statistics"),
        Key(name: "eps", type: "number > 0", defaultValue: "1e-5", summary: "added to the variance"),
        Key(name: "name", type: "string", defaultValue: "kind + index", summary: "layer name, unique"),
    ]

    public static let activation: [Key] = [
        Key(name: "name", type: "string", defaultValue: "kind + index", summary: "layer name, unique"),
    ]

    public static let repeatBlock: [Key] = [
        Key(name: "times", type: "integer ≥ 1", defaultValue: "required", summary: "how many copies of the block"),
        Key(name: "layers", type: "list of layers", defaultValue: "required", summary: "the block; names written in it get _1, _2, … appended"),
    ]

    public static let train: [Key] = [
        Key(name: "epochs", type: "integer ≥ 1", defaultValue: "10", summary: "passes over the training set"),
        Key(name: "batch", type: "integer ≥ 1", defaultValue: "100", summary: "images per step (under mpirun: the global batch, split over the ranks)"),
        Key(name: "optimizer", type: "name or mapping", defaultValue: "adam", summary: "update rule and its hyper-parameters"),
        Key(name: "schedule", type: "name or mapping", defaultValue: "constant", summary: "learning rate by epoch"),
        Key(name: "data", type: "mnist | fashion-mnist | directory", defaultValue: "mnist", summary: "IDX data set"),
        Key(name: "validation", type: "number in [0, 1)", defaultValue: "0", summary: "fraction of training images held out"),
        Key(name: "augment", type: "mapping", defaultValue: "none", summary: "random shifts and rotations of training images"),
        Key(name: "seed", type: "integer ≥ 0", defaultValue: "1", summary: "seed of init, shuffling, dropout and augmentation"),
    ]

    public static let optimizer: [Key] = [
        Key(name: "name", type: "sgd | momentum | nesterov | adagrad | rmsprop | adam", defaultValue: "adam", summary: "update rule"),
        Key(name: "lr", type: "number > 0", defaultValue: "0.001", summary: "learning rate"),
        Key(name: "momentum", type: "number in [0, 1)", defaultValue: "0.9", summary: "momentum and nesterov coefficient"),
        Key(name: "beta1", type: "number in [0, 1)", defaultValue: "0.9", summary: "Adam's first-moment decay"),
        Key(name: "beta2", type: "number in [0, 1)", defaultValue: "0.999", summary: "Adam's second-moment decay"),
        Key(name: "rho", type: "number in [0, 1)", defaultValue: "0.99", summary: "RMSprop's squared-gradient decay"),
        Key(name: "eps", type: "number > 0", defaultValue: "1e-8", summary: "added to denominators"),
        Key(name: "weight_decay", type: "number ≥ 0", defaultValue: "0", summary: "L2 penalty on weights (not biases)"),
    ]

    public static let schedule: [Key] = [
        Key(name: "name", type: "constant | step | exponential | cosine", defaultValue: "constant", summary: "schedule shape"),
        Key(name: "step_size", type: "integer ≥ 1", defaultValue: "10", summary: "step: epochs between decays"),
        Key(name: "gamma", type: "number > 0", defaultValue: "0.1 (step), 0.95 (exponential)", summary: "decay factor"),
        Key(name: "min_lr", type: "number ≥ 0", defaultValue: "0", summary: "cosine: final learning rate"),
    ]

    public static let augment: [Key] = [
        Key(name: "shift", type: "integer ≥ 0", defaultValue: "0", summary: "largest shift in pixels"),
        Key(name: "rotate", type: "number ≥ 0", defaultValue: "0", summary: "largest rotation in degrees"),
    ]

    public static let inputShape: [Key] = [
        Key(name: "channels", type: "integer ≥ 1", defaultValue: "required", summary: "C"),
        Key(name: "height", type: "integer ≥ 1", defaultValue: "required", summary: "H"),
        Key(name: "width", type: "integer ≥ 1", defaultValue: "required", summary: "W"),
    ]

    /// Every section with its keys, in the order docs/spec.md presents them.
    public static let sections: [(title: String, keys: [Key])] = [
        ("network", network), ("input", inputShape), ("conv, local", convolution), ("depthwise", depthwise),
        ("separable", separable), ("maxpool, avgpool", pooling), ("spp", spp), ("dense", dense), ("dropout", dropout), ("batchnorm", batchNorm), ("relu, sigmoid, tanh, globalavgpool", activation),
        ("concat", concat), ("residual", residual), ("repeat", repeatBlock), ("train", train), ("train.optimizer", optimizer), ("train.schedule", schedule),
        ("train.augment", augment),
    ]
}
