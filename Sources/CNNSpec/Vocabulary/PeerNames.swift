/// The Keras and PyTorch words a newcomer writes first, each with what cnnc says instead. An unknown
/// layer kind or key is looked up here before any "did you mean": `kernel_size` is not a typo of
/// `size`, so an edit distance would not find it.
enum PeerNames {
    /// A peer's word and cnnc's: `word` when cnnc has one, and a note when the idea is spelt differently.
    struct Entry: Sendable {
        let word: String?
        let note: String?

        init(_ word: String?, note: String? = nil) {
            self.word = word
            self.note = note
        }
    }

    /// Layer kinds, by the peer's class name lowercased without underscores (Conv2d, Conv2D, conv2d).
    static let layerKinds: [String: Entry] = [
        "conv2d": Entry("conv"), "convolution2d": Entry("conv"), "conv": Entry("conv"),
        "linear": Entry("dense", note: "a dense layer flattens its input itself"), "fc": Entry("dense"), "fullyconnected": Entry("dense"),
        "maxpool2d": Entry("maxpool"), "maxpooling2d": Entry("maxpool"),
        "avgpool2d": Entry("avgpool"), "averagepooling2d": Entry("avgpool"),
        "globalaveragepooling2d": Entry("globalavgpool"), "globalavgpool2d": Entry("globalavgpool"),
        "adaptiveavgpool2d": Entry("adaptiveavgpool"), "adaptivemaxpool2d": Entry("adaptivemaxpool"),
        "batchnorm2d": Entry("batchnorm"), "batchnormalization": Entry("batchnorm"), "bn": Entry("batchnorm"),
        "depthwiseconv2d": Entry("depthwise"), "separableconv2d": Entry("separable"),
        "leakyrelu": Entry("leaky_relu"), "swish": Entry("silu"), "hswish": Entry("hardswish"), "hsigmoid": Entry("hardsigmoid"),
        "dropout2d": Entry("dropout", note: "cnnc's dropout zeroes single activations, not whole channels"),
        "add": Entry("residual"), "concatenate": Entry("concat"), "cat": Entry("concat"),
        "reshape": Entry("flatten", note: "the only reshape a classifier needs; dense layers flatten by themselves"),
        "view": Entry("flatten", note: "the only reshape a classifier needs; dense layers flatten by themselves"),
        "softmax": Entry(nil, note: "softmax belongs to the loss: end the network with the dense layer that gives the logits; "
                         + "training applies softmax cross-entropy, and eval and predict report probabilities"),
        "logsoftmax": Entry(nil, note: "softmax belongs to the loss: end the network with the dense layer that gives the logits"),
        "activation": Entry(nil, note: "write the activation as its own layer, e.g. '- relu'"),
        "zeropadding2d": Entry(nil, note: "set 'pad' on the next conv or pooling layer"),
        "inputlayer": Entry(nil, note: "the network's input is the top-level key 'input: [channels, height, width]'"),
        "input": Entry(nil, note: "the network's input is the top-level key 'input: [channels, height, width]'"),
        "sequential": Entry(nil, note: "'layers' is already a sequence; a branch point is 'residual' or 'concat'"),
    ]

    /// Keys inside a layer (or the training section), by the peer's argument name.
    static let keys: [String: Entry] = [
        "kernel_size": Entry("size"), "kernel": Entry("size"), "pool_size": Entry("size"), "output_size": Entry("size"),
        "padding": Entry("pad"), "strides": Entry("stride"), "dilation_rate": Entry("dilation"),
        "out_channels": Entry("filters"), "num_filters": Entry("filters"), "channels": Entry("filters"),
        "out_features": Entry("units"), "num_classes": Entry("units"),
        "use_bias": Entry("bias"), "p": Entry("rate"), "ceil_mode": Entry("ceil"), "depth_multiplier": Entry("multiplier"),
        "negative_slope": Entry("slope"), "epsilon": Entry("eps"), "learning_rate": Entry("lr"), "batch_size": Entry("batch"),
        "kernel_initializer": Entry("init"), "initializer": Entry("init"),
        "in_channels": Entry(nil, note: "cnnc infers a layer's input channels from the layer before; leave it out"),
        "in_features": Entry(nil, note: "cnnc infers a dense layer's input features from the layer before; leave it out"),
        "num_features": Entry(nil, note: "cnnc infers batchnorm's channels from the layer before; leave it out"),
        "input_shape": Entry(nil, note: "the network's input is the top-level key 'input: [channels, height, width]'"),
        "activation": Entry(nil, note: "write the activation as its own layer after this one, e.g. '- relu'"),
    ]

    /// "in cnnc this is 'dense' (a dense layer flattens its input itself)", for a layer kind cnnc does not know.
    static func layerKindHint(for word: String) -> String? {
        let normalized = String(word.lowercased().filter { $0 != "_" })
        guard let entry = layerKinds[normalized], entry.word != word else { return nil }
        return hint(entry, peer: word, allowed: nil)
    }

    /// The same for a key, when cnnc's word is a key of this section (`p` means `rate` only in dropout).
    static func keyHint(for key: String, allowed: [String]) -> String? {
        guard let entry = keys[key.lowercased()] else { return nil }
        return hint(entry, peer: key, allowed: allowed)
    }

    private static func hint(_ entry: Entry, peer: String, allowed: [String]?) -> String? {
        guard let word = entry.word else { return entry.note.map { "'\(peer)' is Keras/PyTorch's word; in cnnc, \($0)" } }
        if let allowed, !allowed.contains(word) { return nil }
        return "'\(peer)' is Keras/PyTorch's word; in cnnc this is '\(word)'" + (entry.note.map { " (\($0))" } ?? "")
    }
}
