import CNNIR

/// The words of the spec format, each declared once: every layer kind, optimizer and schedule with
/// its keys (type, default, meaning). The parser checks and reads keys through these declarations,
/// and `SpecSchema` (the JSON Schema) and `SpecDocumentation` (docs/spec.md's tables) print them.
/// A new layer kind is one entry in `layerKinds` plus its `LayerKind` case, whose exhaustive
/// switches (analysis, runtime, export, graph) the compiler then lists.
public enum SpecVocabulary {
    // MARK: - Keys shared by several kinds

    static let layerName = Key("name", .string, .described("kind + index"), "layer name, unique")
    static let initKey = Key("init", .initScheme, .described("network's init"), "weight init")
    static let bias = Key("bias", .boolean, .boolean(true), "add a learned bias per output")
    static let stride = Key("stride", .size, .integer(1), "step between windows")
    static let pad = Key("pad", .padding, .integer(0), "zero padding")
    static let dilation = Key("dilation", .size, .integer(1), "spacing between kernel taps")

    static func kernel(_ summary: String, example: String) -> Key {
        Key("size", .size, .required, summary, example: example)
    }

    /// Fine-tuning keys of every kind with learned tensors (and of the blocks, for every layer inside them).
    static let tuning = [
        Key("freeze", .freeze, .boolean(false),
            "fine-tuning: keep the learned tensors as initialised or loaded; `{statistics: true}`: batchnorm's running statistics too"),
        Key("lr_scale", .number(.nonNegative), .number(1), "multiplies the learning rate of this layer's tensors (Caffe's lr_mult)"),
    ]

    static let convolutionKeys = [
        Key("filters", .integer(minimum: 1), .required, "output channels", example: "'filters: 16'"),
        kernel("kernel height and width", example: "'size: 3'"), stride, pad, dilation,
        Key("groups", .integer(minimum: 1), .integer(1), "channel groups; input channels and filters must divide by it"),
        bias, initKey, layerName,
    ] + tuning

    static let poolingKeys = [
        kernel("window height and width", example: "'size: 2'"),
        Key("stride", .size, .described("size"), "step between windows"),
        Key("pad", .padding, .integer(0), "padding (ignored by max and by the average's divisor)"),
        Key("ceil", .boolean, .boolean(false),
            "round the output size up (PyTorch's ceil_mode): a last, partial window reads the rows a floored size leaves out"),
        layerName,
    ]

    /// `adaptiveavgpool` and `adaptivemaxpool`.
    static let adaptivePoolingKeys = [Key("size", .size, .required, "output height and width", example: "'size: 6'"), layerName]

    // MARK: - Layer kinds

    /// Every layer kind, in the order docs/spec.md presents them.
    public static let layerKinds: [LayerKindDeclaration] = [
        LayerKindDeclaration(
            "conv", computes: "convolution: F filters of (C/groups)×KH×KW shared across positions", output: "[F, OH, OW]",
            keys: convolutionKeys, example: "'conv: {filters: 16, size: 3}'",
            build: .layer { map throws(SpecError) in .conv(try convolution(map)) }),
        LayerKindDeclaration(
            "depthwise", computes: "a conv with one group per input channel (`groups` = C) and `multiplier` filters per channel",
            output: "[C·multiplier, OH, OW]",
            keys: [kernel("kernel height and width", example: "'size: 3'"),
                   Key("multiplier", .integer(minimum: 1), .integer(1), "filters per input channel (groups = input channels)"),
                   stride, pad, dilation, bias, initKey, layerName] + tuning,
            example: "'depthwise: {size: 3, pad: 1}'",
            build: .layer { map throws(SpecError) in
                let size = try map.size("size")!
                let multiplier = try map.int("multiplier")
                return .conv(Convolution(filters: multiplier, size: size, stride: try map.size("stride")!,
                                         padding: try map.padding("pad"), dilation: try map.size("dilation")!,
                                         bias: try map.bool("bias"), initScheme: try map.initScheme("init"),
                                         depthwiseMultiplier: multiplier))
            }),
        LayerKindDeclaration(
            "separable", computes: "sugar for `depthwise` (no bias) then a 1×1 `conv` to `filters` channels: two layers, `<name>_depthwise` and `<name>_pointwise`",
            output: "[F, OH, OW]",
            keys: [Key("filters", .integer(minimum: 1), .required, "output channels of the pointwise (1×1) conv", example: "'filters: 32'"),
                   kernel("kernel of the depthwise conv", example: "'size: 3'"),
                   Key("stride", .size, .integer(1), "stride of the depthwise conv"),
                   Key("pad", .padding, .integer(0), "padding of the depthwise conv"),
                   Key("dilation", .size, .integer(1), "dilation of the depthwise conv"),
                   Key("bias", .boolean, .boolean(true), "bias of the pointwise conv (the depthwise one has none)"),
                   Key("init", .initScheme, .described("network's init"), "weight init of both"),
                   Key("name", .string, .described("separable + index"), "base name: the layers are <name>_depthwise and <name>_pointwise")] + tuning,
            example: "'separable: {filters: 32, size: 3, pad: 1}'", build: .separable),
        LayerKindDeclaration(
            "local", computes: "locally connected: like `conv`, but each output position has its own filters", output: "[F, OH, OW]",
            keys: convolutionKeys, example: "'local: {filters: 16, size: 3}'",
            build: .layer { map throws(SpecError) in
                let conv = try convolution(map)
                if conv.groups != 1, let node = map["groups"] {
                    throw .invalidValue(what: "'groups'", value: "\(conv.groups)", requirement: "1 for a locally connected layer", at: node.location)
                }
                return .local(conv)
            }),
        LayerKindDeclaration(
            "maxpool", computes: "max or mean over each window, per channel", output: "[C, OH, OW]",
            keys: poolingKeys, example: "'maxpool: {size: 2}'",
            build: .layer { map throws(SpecError) in .maxPool(try pooling(map)) }),
        LayerKindDeclaration(
            "avgpool", computes: "max or mean over each window, per channel", output: "[C, OH, OW]",
            keys: poolingKeys, example: "'avgpool: {size: 2}'",
            build: .layer { map throws(SpecError) in .avgPool(try pooling(map)) }),
        LayerKindDeclaration(
            "globalavgpool", computes: "mean over the whole map, per channel", output: "[C, 1, 1]",
            keys: [layerName], build: .layer { _ throws(SpecError) in .globalAvgPool }),
        LayerKindDeclaration(
            "adaptiveavgpool", computes: "mean over each of OH×OW bins, per channel; bin i spans ⌊i·H/OH⌋ to ⌈(i+1)·H/OH⌉ (PyTorch's AdaptiveAvgPool2d), overlapping when the map is smaller than the output",
            output: "[C, OH, OW]",
            keys: adaptivePoolingKeys,
            example: "'adaptiveavgpool: {size: 6}'",
            build: .layer { map throws(SpecError) in .adaptiveAvgPool(try adaptivePooling(map)) }),
        LayerKindDeclaration(
            "adaptivemaxpool", computes: "max over each of OH×OW bins, per channel; bins as `adaptiveavgpool` (PyTorch's AdaptiveMaxPool2d)",
            output: "[C, OH, OW]",
            keys: adaptivePoolingKeys,
            example: "'adaptivemaxpool: {size: [2, 3]}'",
            build: .layer { map throws(SpecError) in .adaptiveMaxPool(try adaptivePooling(map)) }),
        LayerKindDeclaration(
            "spp", computes: "spatial pyramid pooling: for each level l, l×l bins (bin i spans ⌊i·H/l⌋ to ⌈(i+1)·H/l⌉, as PyTorch's adaptive pooling) max- or average-pooled per channel; the length does not depend on H and W",
            output: "[C·Σl²], a vector",
            keys: [Key("levels", .integers(minimum: 1), .required, "bins per side of each level, e.g. [1, 2, 4]", example: "'levels: [1, 2, 4]'"),
                   Key("mode", .choice(SpatialPyramid.Mode.allCases.map(\.rawValue)), .word("max"), "how a bin is pooled"),
                   layerName],
            example: "'spp: {levels: [1, 2, 4]}'",
            build: .layer { map throws(SpecError) in
                .spp(SpatialPyramid(levels: try map.ints("levels"), mode: SpatialPyramid.Mode(rawValue: try map.choice("mode"))!))
            }),
        LayerKindDeclaration(
            "flatten", computes: "the values in (C, H, W) order as one vector, as PyTorch's `x.flatten(1)`; a `dense` layer flattens by itself, so this only marks the point",
            output: "[C·H·W], a vector (stored as [C·H·W, 1, 1])",
            keys: [layerName], build: .layer { _ throws(SpecError) in .flatten }),
        LayerKindDeclaration(
            "dense", computes: "fully connected; flattens its input in (C, H, W) order", output: "[units], a vector (stored as [units, 1, 1])",
            keys: [Key("units", .integer(minimum: 1), .required, "output features", example: "'units: 10'"), bias, initKey, layerName] + tuning,
            example: "'dense: {units: 10}'",
            build: .layer { map throws(SpecError) in
                .dense(Dense(units: try map.int("units"), bias: try map.bool("bias"), initScheme: try map.initScheme("init")))
            }),
        LayerKindDeclaration(
            "dropout", computes: "zeroes a fraction `rate` of activations in training and scales the rest by 1/(1 − rate)", output: "unchanged",
            keys: [Key("rate", .number(.belowOne), .number(0.5), "fraction of activations zeroed in training"), layerName],
            build: .layer { map throws(SpecError) in .dropout(rate: try map.double("rate")) }),
        LayerKindDeclaration(
            "batchnorm", computes: "normalises each channel (each feature after `dense`)", output: "unchanged",
            keys: [Key("momentum", .number(.aboveZeroToOne), .number(0.1), "weight of each new batch in the running statistics"),
                   Key("eps", .number(.positive), .number(1e-5), "added to the variance"), layerName] + tuning,
            note: """
                In training, batchnorm normalises with the statistics of the current batch; under `mpirun`, of each
                rank's share of it (as PyTorch's DistributedDataParallel without SyncBatchNorm; see
                [scaling.md](scaling.md)).
                """,
            build: .layer { map throws(SpecError) in
                .batchNorm(BatchNorm(momentum: try map.double("momentum"), epsilon: try map.double("eps")))
            }),
        LayerKindDeclaration(
            "relu", computes: "element-wise activation", output: "unchanged",
            keys: [layerName], build: .layer { _ throws(SpecError) in .relu }),
        LayerKindDeclaration(
            "sigmoid", computes: "element-wise activation", output: "unchanged",
            keys: [layerName], build: .layer { _ throws(SpecError) in .sigmoid }),
        LayerKindDeclaration(
            "tanh", computes: "element-wise activation", output: "unchanged",
            keys: [layerName], build: .layer { _ throws(SpecError) in .tanh }),
        LayerKindDeclaration(
            "relu6", computes: "element-wise min(max(x, 0), 6), MobileNetV2's activation", output: "unchanged",
            keys: [layerName], build: .layer { _ throws(SpecError) in .relu6 }),
        LayerKindDeclaration(
            "leaky_relu", computes: "element-wise x if x ≥ 0, else slope·x (PyTorch's LeakyReLU)", output: "unchanged",
            keys: [Key("slope", .number(.nonNegative), .number(0.01), "multiplies negative inputs (PyTorch's negative_slope)"), layerName],
            build: .layer { map throws(SpecError) in .leakyReLU(slope: try map.double("slope")) }),
        LayerKindDeclaration(
            "elu", computes: "element-wise x if x > 0, else alpha·(eˣ − 1) (Clevert et al. 2015; PyTorch's ELU)", output: "unchanged",
            keys: [Key("alpha", .number(.nonNegative), .number(1), "the value negative inputs saturate to is −alpha"), layerName],
            build: .layer { map throws(SpecError) in .elu(alpha: try map.double("alpha")) }),
        LayerKindDeclaration(
            "silu", computes: "element-wise x·sigmoid(x), also called swish (PyTorch's SiLU)", output: "unchanged",
            keys: [layerName], build: .layer { _ throws(SpecError) in .silu }),
        LayerKindDeclaration(
            "hardswish", computes: "element-wise x·min(max(x + 3, 0), 6)/6 (MobileNetV3; PyTorch's Hardswish)", output: "unchanged",
            keys: [layerName], build: .layer { _ throws(SpecError) in .hardswish }),
        LayerKindDeclaration(
            "hardsigmoid", computes: "element-wise min(max(x + 3, 0), 6)/6 (MobileNetV3; PyTorch's Hardsigmoid)", output: "unchanged",
            keys: [layerName], build: .layer { _ throws(SpecError) in .hardsigmoid }),
        LayerKindDeclaration(
            "gelu", computes: "element-wise x·Φ(x) = 0.5·x·(1 + erf(x/√2)), the exact GELU (Hendrycks and Gimpel 2016; PyTorch's GELU)", output: "unchanged",
            keys: [layerName], build: .layer { _ throws(SpecError) in .gelu }),
        LayerKindDeclaration(
            "identity", computes: "passes its input through unchanged (a placeholder, as PyTorch's Identity)", output: "unchanged",
            keys: [layerName], build: .layer { _ throws(SpecError) in .identity }),
        LayerKindDeclaration(
            "concat", computes: "`concat: [[...], [...]]` runs each branch (a list of layers) on the same input and joins the outputs along channels, in order (the Inception module). Branches must agree on height and width",
            output: "[ΣF_b, OH, OW]",
            keys: [Key("branches", .branches, .required, "sub-stacks run on the same input, joined along channels in order",
                       example: "'concat: [[conv: {filters: 8, size: 1}], [conv: {filters: 8, size: 3, pad: 1}]]'"),
                   Key("name", .string, .described("concat + index"), "block name, unique")] + tuning,
            build: .concat),
        LayerKindDeclaration(
            "residual", computes: "`residual: [...]` adds the body's output to its input (He et al. 2015), or to the output of the layers in `shortcut:` (ResNet's downsample), which must have the body's shape. Without `shortcut:`, when the body changes the shape, a 1×1 conv `<name>_projection` (with bias) with the stride that matches the height and width projects the input; `shortcut: identity` makes a shape change an error",
            output: "the body's",
            keys: [Key("layers", .layers, .required, "the body; its output is added to the block's input (1×1 projection `<name>_projection` when the shape changes)",
                       example: "'residual: [conv: {filters: 16, size: 3, pad: 1}, relu]'"),
                   Key("shortcut", .shortcut, .described("the input; a 1×1 projection `<name>_projection` when the shape changes"),
                       "the path added to the body: `identity` (the input; a shape change is an error) or layers whose output has the body's shape",
                       example: "'shortcut: [conv: {filters: 128, size: 1, stride: 2, bias: false}, batchnorm]'"),
                   Key("name", .string, .described("residual + index"), "block name, unique")] + tuning,
            build: .residual),
        LayerKindDeclaration(
            "squeeze_excite", computes: "squeeze-and-excitation (Hu et al. 2018; torchvision's SqueezeExcitation): global average pool, 1×1 conv C→`squeeze` with bias (`<name>_squeeze`), `activation`, 1×1 conv `squeeze`→C with bias (`<name>_excite`), `gate`; the input is multiplied channel-wise by the result",
            output: "unchanged",
            keys: [Key("squeeze", .integer(minimum: 1), .required, "channels of the bottleneck", example: "'squeeze: 4'"),
                   Key("activation", .choice(SqueezeExcite.Activation.allCases.map(\.rawValue)), .word("relu"), "after the first conv"),
                   Key("gate", .choice(SqueezeExcite.Gate.allCases.map(\.rawValue)), .word("sigmoid"), "after the second conv: the channels' scales"),
                   initKey, layerName] + tuning,
            example: "'squeeze_excite: {squeeze: 4}'",
            build: .layer { map throws(SpecError) in
                .squeezeExcite(SqueezeExcite(squeeze: try map.int("squeeze"),
                                             activation: SqueezeExcite.Activation(rawValue: try map.choice("activation"))!,
                                             gate: SqueezeExcite.Gate(rawValue: try map.choice("gate"))!,
                                             initScheme: try map.initScheme("init")))
            }),
        LayerKindDeclaration(
            "channel_shuffle", computes: "ShuffleNet's channel shuffle (PyTorch's ChannelShuffle): the channels, read as a `groups` × C/`groups` grid, transposed; C must divide by `groups`",
            output: "unchanged",
            keys: [Key("groups", .integer(minimum: 1), .required, "groups the channels are interleaved from", example: "'groups: 2'"), layerName],
            example: "'channel_shuffle: {groups: 2}'",
            build: .layer { map throws(SpecError) in .channelShuffle(ChannelShuffle(groups: try map.int("groups"))) }),
        LayerKindDeclaration(
            "slice", computes: "the input's channels `from` to `to` − 1 (0-based, half-open; ShuffleNetV2's channel split)",
            output: "[to − from, H, W]",
            keys: [Key("channels", .integers(minimum: 0, count: 2), .required, "[from, to]: the channels kept, from ..< to, with 0 ≤ from < to ≤ C",
                       example: "'channels: [0, 58]'"), layerName],
            example: "'slice: {channels: [0, 58]}'",
            build: .layer { map throws(SpecError) in
                let node = try map.required("channels")
                let bounds = try map.ints("channels")
                guard bounds[0] < bounds[1] else {
                    throw .invalidValue(what: "'channels'", value: "[\(bounds[0]), \(bounds[1])]",
                                        requirement: "[from, to] with from < to (the channels from ..< to; [0, 1] is channel 0 alone)",
                                        at: node.location)
                }
                return .slice(ChannelSlice(from: bounds[0], to: bounds[1]))
            }),
        LayerKindDeclaration(
            "repeat", computes: "`repeat: {times: 3, layers: [...]}` stacks copies of a block (the VGG idiom)", output: "—",
            keys: [Key("times", .integer(minimum: 1), .required, "how many copies of the block", example: "'times: 2'"),
                   Key("layers", .layers, .required, "the block; names written in it get _1, _2, … appended", example: "'layers: [...]'")],
            example: "'repeat: {times: 2, layers: [...]}'", build: .repeatBlock),
    ]

    public static let layerKeywords = layerKinds.map(\.keyword)

    public static func layerKind(_ keyword: String) -> LayerKindDeclaration? {
        layerKinds.first { $0.keyword == keyword }
    }

    static func convolution(_ map: MappingReader) throws(SpecError) -> Convolution {
        Convolution(filters: try map.int("filters"), size: try map.size("size")!, stride: try map.size("stride")!,
                    padding: try map.padding("pad"), dilation: try map.size("dilation")!, groups: try map.int("groups"),
                    bias: try map.bool("bias"), initScheme: try map.initScheme("init"))
    }

    static func adaptivePooling(_ map: MappingReader) throws(SpecError) -> AdaptivePooling {
        AdaptivePooling(size: try map.size("size")!)
    }

    static func pooling(_ map: MappingReader) throws(SpecError) -> Pooling {
        Pooling(size: try map.size("size")!, stride: try map.size("stride"), padding: try map.padding("pad"), ceil: try map.bool("ceil"))
    }

    // MARK: - Sections

    public static let network = Section(title: "network", keys: [
        Key("name", .string, .described("file name"), "name shown in reports and run folders"),
        Key("input", .shape, .required, "shape of one input image", example: "'input: [1, 28, 28]' (channels, height, width)"),
        Key("init", .initScheme, .word("he"), "default weight init of conv, local, dense and squeeze_excite layers"),
        Key("layers", .layers, .required, "the layers in order", example: "'layers:' with a list of layers"),
        Key("loss", .choice(Loss.allCases.map(\.rawValue)), .word("softmax_cross_entropy"), "training loss on the last layer's outputs"),
        Key("train", .section("train"), .described("none"), "how `cnnc train` fits the network"),
        Key("compare_to", .string, .described("none"),
            "network whose parameter count `cnnc params` divides this one's by; without any compare_to, all are compared with the first"),
        Key("extends", .string, .described("none"),
            "a base spec (path relative to this file) this one is merged onto; see \"Composition\""),
        Key("blocks", .blocks, .described("none"),
            "parameterised lists of layers, used in `layers` like a kind (`- basic: {filters: 64}`); see \"Composition\""),
    ])

    public static let inputShape = Section(title: "input", keys: [
        Key("channels", .integer(minimum: 1), .required, "C", example: "'channels: N'"),
        Key("height", .integer(minimum: 1), .required, "H", example: "'height: N'"),
        Key("width", .integer(minimum: 1), .required, "W", example: "'width: N'"),
    ])

    public static let train = Section(title: "train", keys: [
        Key("epochs", .integer(minimum: 1), .integer(10), "passes over the training set"),
        Key("batch", .integer(minimum: 1), .integer(100), "images per step (under mpirun: the global batch, split over the ranks)"),
        Key("optimizer", .variant("optimizer"), .word("adam"), "update rule and its hyper-parameters"),
        Key("schedule", .variant("schedule"), .word("constant"), "learning rate by epoch"),
        Key("data", .dataSet, .word("mnist"), "data set: a name, a directory, or {format, path}"),
        Key("validation", .number(.belowOne), .number(0), "fraction of training images held out"),
        Key("freeze", .names, .described("none"),
            "layers to freeze, by name or pattern (`conv*`, `stage?_*`): as `freeze: true` on each; a pattern must match a layer"),
        Key("warmup", .number(.nonNegative), .number(0),
            "epochs (a fraction is allowed) over which the rate rises linearly, step by step, from lr/steps to the schedule's"),
        Key("early_stop", .section("early_stop"), .described("none"),
            "end the run when a validation metric stops improving; needs `validation`"),
        Key("label_smoothing", .number(.belowOne), .number(0),
            "ε: the training loss's targets are (1 − ε)·onehot + ε/classes (PyTorch's CrossEntropyLoss label_smoothing)"),
        Key("augment", .section("augment"), .described("none"), "random distortions of training images"),
        Key("normalize", .autoOrSection("normalize"), .described("none"),
            "per-channel (x − mean) / std of the input, x in [0, 1]; `auto`: the training split's statistics"),
        Key("resize", .section("resize"), .described("none: sizes must match"),
            "how image files of another size are brought to the input's (image folders)"),
        Key("seed", .integer(minimum: 0), .integer(1), "seed of init, shuffling, dropout and augmentation"),
    ])

    public static let earlyStop = Section(title: "train.early_stop", keys: [
        Key("metric", .choice(EarlyStop.Metric.allCases.map(\.rawValue)), .word("val_loss"),
            "watched after every epoch; `best.safetensors` is chosen by it too"),
        Key("patience", .integer(minimum: 1), .integer(5), "epochs without improvement after which the run ends"),
        Key("min_delta", .number(.nonNegative), .number(0), "an improvement must exceed this (loss, or accuracy as a fraction)"),
    ])

    public static let dataSource = Section(title: "train.data", keys: [
        Key("path", .string, .required, "a data set name or a directory", example: "'path: data/pets'"),
        Key("format", .choice(DataFormat.allCases.map(\.rawValue)), .described("detected from the folder"),
            "the folder's layout; see docs/data.md"),
    ])

    public static let augment = Section(title: "train.augment", keys: [
        Key("shift", .integer(minimum: 0), .integer(0), "largest shift in pixels"),
        Key("rotate", .number(NumberRange(lower: 0, lowerIncluded: true, upper: 180, upperIncluded: true)), .number(0),
            "largest rotation in degrees"),
        Key("crop", .section("crop"), .described("none"), "random crop of the padded image (torchvision `RandomCrop`)"),
        Key("hflip", .number(NumberRange(lower: 0, lowerIncluded: true, upper: 1, upperIncluded: true)), .number(0),
            "probability of a horizontal flip (0.5 is torchvision's `RandomHorizontalFlip()`)"),
        Key("jitter", .section("jitter"), .described("none"), "random brightness and contrast (torchvision `ColorJitter`)"),
        Key("erase", .section("erase"), .described("none"), "random erasing of a rectangle (torchvision `RandomErasing`)"),
    ], note: """
        Training images only, each with its own random stream per (seed, epoch, image): the same image gets the same
        distortion whatever the batch, thread or MPI layout. Applied in this order: shift and rotate (bilinear, black
        fill), crop, flip, jitter, erase, then `normalize`. docs/data.md, "Normalisation and augmentation", has the details.
        """)

    public static let crop = Section(title: "train.augment.crop", keys: [
        Key("pad", .integer(minimum: 0), .required, "pixels added on every side before cropping", example: "'pad: 4'"),
        Key("size", .size, .described("the input's height and width"), "the crop; must equal the network's input height and width"),
        Key("fill", .choice(RandomCrop.Fill.allCases.map(\.rawValue)), .word("zero"),
            "padding: `zero` (black) or `reflect` (mirrored without the edge pixel, torch's 'reflect'; pad < height and width)"),
    ], note: """
        `crop: {pad: 4}` is torchvision's `RandomCrop(32, padding=4)` on a 32×32 input: each offset is uniform in
        [0, 2·pad], so the image moves by up to `pad` pixels each way.
        """)

    public static let jitter = Section(title: "train.augment.jitter", keys: [
        Key("brightness", .number(.nonNegative), .number(0), "b: x ↦ f·x, f uniform in [max(0, 1 − b), 1 + b]"),
        Key("contrast", .number(.nonNegative), .number(0), "c: x ↦ f·x + (1 − f)·m, f uniform in [max(0, 1 − c), 1 + c], m the image's mean grey"),
    ], note: """
        torchvision's `ColorJitter(brightness, contrast)` on float images: the two in a random order, each result
        clamped to [0, 1]; m is the mean of 0.2989 R + 0.587 G + 0.114 B (3 channels) or of every value (other counts).
        """)

    public static let erase = Section(title: "train.augment.erase", keys: [
        Key("p", .number(NumberRange(lower: 0, lowerIncluded: true, upper: 1, upperIncluded: true)), .number(0.5),
            "probability that an image gets a rectangle erased"),
        Key("scale", .numbers(.aboveZeroToOne), .described("[0.02, 0.33]"),
            "[low, high]: the rectangle's area, a uniform fraction of the image's"),
        Key("ratio", .numbers(.positive), .described("[0.3, 3.3]"),
            "[low, high]: its aspect ratio (height / width), log-uniform"),
        Key("fill", .choice(RandomErasing.Fill.allCases.map(\.rawValue)), .word("zero"),
            "`zero`: black; `random`: each value uniform in [0, 1) (the random-erasing paper's choice)"),
    ], note: """
        torchvision's `RandomErasing(p, scale, ratio)`: up to ten draws of an area and an aspect ratio until the
        rectangle fits inside the image (none is erased if none fits), then a uniform place. It comes before
        `normalize`, so `fill: zero` is black, not the mean colour that torchvision's `value=0` after `Normalize` gives.
        """)

    public static let normalize = Section(title: "train.normalize", keys: [
        Key("mean", .numbers(.any), .required,
            "one per input channel, in [0, 1] units", example: "'mean: [0.4914, 0.4822, 0.4465]'"),
        Key("std", .numbers(.positive), .required, "one per input channel, in [0, 1] units", example: "'std: [0.2470, 0.2435, 0.2616]'"),
    ], note: """
        x ↦ (x − mean[c]) / std[c] with x the pixel / 255: torchvision's `Normalize(mean, std)` after `ToTensor()`.
        `normalize: auto` computes each channel's mean and population std from the training split (not the
        validation or test images) in float64. Either way the values are stored in the checkpoint, and `cnnc eval`,
        `predict` and `export` apply them (the ONNX graph starts with Sub and Div: it takes pixels in [0, 1]).
        """)

    public static let resize = Section(title: "train.resize", keys: [
        Key("mode", .choice(ImageResize.Mode.allCases.map(\.rawValue)), .word("stretch"),
            "stretch: each axis to the input's; shorter-side-then-center-crop: keep the aspect ratio, cover the input, cut the centre"),
        Key("filter", .choice(ImageResize.Filter.allCases.map(\.rawValue)), .word("bilinear"),
            "bilinear: two taps per axis at half-pixel centres; area: mean of the covered pixels (for shrinking)"),
    ])

    // MARK: - Optimizers and schedules

    static let learningRate = Key("lr", .number(.positive), .number(0.001), "learning rate")
    static let weightDecay = Key("weight_decay", .number(.nonNegative), .number(0), "L2 penalty on weights (not biases)")
    static let epsilon = Key("eps", .number(.positive), .number(1e-8), "added to denominators")
    static let momentum = Key("momentum", .number(.belowOne), .number(0.9), "momentum and nesterov coefficient")

    public static let optimizers = VariantFamily(
        name: "optimizer", title: "train.optimizer", defaultName: "adam", nameSummary: "update rule", nameExample: "'name: adam'",
        members: [
            Variant("sgd", keys: [learningRate, weightDecay], rule: "w −= lr·g"),
            Variant("momentum", keys: [learningRate, momentum, weightDecay], rule: "v = μ·v + g; w −= lr·v"),
            Variant("nesterov", keys: [learningRate, momentum, weightDecay], rule: "v = μ·v + g; w −= lr·(g + μ·v)"),
            Variant("adagrad", keys: [learningRate, epsilon, weightDecay], rule: "s += g²; w −= lr·g / (√s + ε)"),
            Variant("rmsprop", keys: [learningRate, Key("rho", .number(.belowOne), .number(0.99), "RMSprop's squared-gradient decay"),
                                      epsilon, weightDecay],
                    rule: "s = ρ·s + (1 − ρ)·g²; w −= lr·g / (√s + ε)"),
            Variant("adam", keys: [learningRate, Key("beta1", .number(.belowOne), .number(0.9), "Adam's first-moment decay"),
                                   Key("beta2", .number(.belowOne), .number(0.999), "Adam's second-moment decay"),
                                   epsilon, weightDecay],
                    rule: "m = β₁·m + (1 − β₁)·g; v = β₂·v + (1 − β₂)·g²; w −= lr / (1 − β₁ᵗ) · m / (√v / √(1 − β₂ᵗ) + ε)"),
            Variant("adamw", keys: [learningRate, Key("beta1", .number(.belowOne), .number(0.9), "Adam's first-moment decay"),
                                    Key("beta2", .number(.belowOne), .number(0.999), "Adam's second-moment decay"),
                                    epsilon, Key("weight_decay", .number(.nonNegative), .number(0.01),
                                                 "decoupled decay λ of weights (not biases), outside the moments")],
                    rule: "w −= lr·λ·w, then adam's step with g the plain gradient (Loshchilov & Hutter; PyTorch's AdamW)"),
        ],
        ruleHeading: """
            The update rules are PyTorch's (`torch.optim` with these options), g being the gradient plus
            `weight_decay`·w for weights, t the step number from 1:
            """,
        ruleColumn: "update",
        note: """
            State is float32; coefficients such as 1 − β₂ are computed in double precision and then rounded, as
            PyTorch does. `Tests/Peers/torch_adam_steps.py` checks ten Adam steps of DeepConvNet against
            PyTorch in float64 (every loss to 1e-5, measured 1e-7).
            """)

    public static let schedules = VariantFamily(
        name: "schedule", title: "train.schedule", defaultName: "constant", nameSummary: "schedule shape", nameExample: "'name: cosine'",
        members: [
            Variant("constant", keys: [], rule: "lr"),
            Variant("step", keys: [Key("step_size", .integer(minimum: 1), .integer(10), "epochs between decays"),
                                   Key("gamma", .number(.positive), .number(0.1), "decay factor")],
                    rule: "lr · gamma^⌊epoch / step_size⌋"),
            Variant("exponential", keys: [Key("gamma", .number(.positive), .number(0.95), "decay factor")], rule: "lr · gamma^epoch"),
            Variant("cosine", keys: [Key("min_lr", .number(.nonNegative), .number(0), "final learning rate")],
                    rule: "min_lr + (lr − min_lr) · (1 + cos(π · epoch / epochs)) / 2"),
            Variant("plateau", keys: [Key("factor", .number(.belowOne), .number(0.1), "multiplies the rate at each reduction"),
                                      Key("patience", .integer(minimum: 0), .integer(10), "epochs without improvement before a reduction"),
                                      Key("threshold", .number(.nonNegative), .number(1e-4), "relative improvement that counts"),
                                      Key("min_lr", .number(.nonNegative), .number(0), "the rate never goes below it")],
                    rule: "lr · factor^(reductions so far): PyTorch's ReduceLROnPlateau on the validation loss (the training loss without `validation`), stepped after each epoch"),
            Variant("onecycle", keys: [Key("pct_start", .number(.belowOne), .number(0.3), "fraction of the steps spent rising"),
                                       Key("div_factor", .number(.positive), .number(25), "the first rate is lr / div_factor"),
                                       Key("final_div_factor", .number(.positive), .number(1e4), "the last is lr / (div_factor · final_div_factor)")],
                    rule: "per step: cosine from lr / div_factor up to lr, then down to lr / (div_factor · final_div_factor) (PyTorch's OneCycleLR; momentum is not cycled)"),
        ],
        ruleHeading: "The learning rate of epoch `epoch` (counted from 0) of `epochs`, lr being the optimizer's:",
        ruleColumn: "learning rate",
        note: nil)

    public static let families = [optimizers, schedules]

    static func family(_ name: String) -> VariantFamily {
        families.first { $0.name == name }!
    }
}
