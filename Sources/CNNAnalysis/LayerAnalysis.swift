import CNNIR

/// What the analysis knows about one layer: the facts the reports print and the runtime sizes its buffers from.
public struct LayerAnalysis: Hashable, Sendable {
    public var layer: Layer
    public var input: Shape
    public var output: Shape
    /// Learned parameters (weights and biases, batchnorm scale and shift): the "params" of the reports,
    /// as PyTorch's `sum(p.numel() for p in model.parameters())` and torchvision's tables count them.
    public var trainableParameters: Int
    /// Values stored but not learned by gradient (batchnorm running mean and variance; PyTorch's buffers).
    public var buffers: Int
    /// Multiply-adds of conv, local and dense layers for one image's forward pass (a branching layer:
    /// its layers' and shortcut's). Other layers' work is in `otherOperations`.
    public var multiplyAdds: Int
    /// Operations for one image that are not multiply-adds: batchnorm's scale and shift, pooling's
    /// compares or adds, activations, residual adds (the rule: `LayerKind.otherOperations`).
    public var otherOperations: Int
    /// Receptive field of one output of this layer, in network-input pixels.
    public var receptiveField: ReceptiveField2D
    /// The window of conv, local and pooling layers, with padding resolved.
    public var window: SlidingWindow?
    /// A branching layer's sub-stacks, analysed (concat: one per branch; residual: its body).
    public var branches: [[LayerAnalysis]] = []
    /// A residual block's shortcut path: the layers the user wrote, or the automatic 1×1 projection
    /// `<name>_projection` when the body changes the shape; empty when the input itself is added.
    public var shortcut: [LayerAnalysis] = []
    /// true when the output is a feature vector of `output.count` values (PyTorch's [N, units]) rather
    /// than a C×H×W map stored as [C, 1, 1] (the rule: `LayerKind.outputIsVector`).
    public var outputIsVector = false
    /// true for layers whose receptive field is their whole input (dense, global pooling, spp).
    public var seesWholeInput = false

    public var name: String { layer.name }
    /// Values a checkpoint stores for this layer: parameters and buffers.
    public var storedValues: Int { trainableParameters + buffers }
}

/// The static facts of one layer kind. Each kind's file (`Convolution+Analysis.swift`, …) fills these in.
struct LayerFacts {
    var output: Shape
    var trainable: Int = 0
    var buffers: Int = 0
    /// Of conv, local and dense only; other kinds' work is `LayerKind.otherOperations`.
    var multiplyAdds: Int = 0
    var window: SlidingWindow? = nil
    /// A window used only for the receptive field, for layers without one (adaptive pooling's largest bin).
    var fieldWindow: SlidingWindow? = nil
    /// true for dense and global pooling, whose receptive field is their whole input.
    var seesWholeInput = false
}

extension SlidingWindow {
    /// Applies the window to `input`, throwing when an axis has no output or is too large, and noting unread rows.
    /// The dilated kernel was checked when the padding was resolved; here the padded input is.
    func outputExtent(input: Shape, layer: Layer, diagnostics: inout [Diagnostic]) throws(ShapeError) -> (height: Int, width: Int) {
        let count = Count(layer: layer)
        var outputs: [Int] = []
        for axis in axes(input: input) {
            _ = try count.extent(axis.input, axis.before, axis.after,
                                 what: "the padded \(axis.name) \(axis.input) + \(axis.before) + \(axis.after)")
            guard axis.output >= 1 else {
                throw .outputTooSmall(layer: layer.name, axis: axis.name, formula: axis.formula, at: layer.location)
            }
            // A window smaller than the stride (a 1×1 conv with stride 2, ResNet's downsampling shortcut) skips rows
            // between every two windows by design; that it also skips the last ones says nothing new.
            let window = axis.dilation * (axis.kernel - 1) + 1
            if axis.unread > 0 && window >= axis.stride {
                let lines = axis.name == "height" ? "row" : "column"
                diagnostics.append(Diagnostic(location: layer.location, layer: layer.name, message:
                    "layer '\(layer.name)': (\(axis.input) + \(axis.before) + \(axis.after) − \(axis.dilation)·(\(axis.kernel) − 1) − 1) = \(axis.span) "
                    + "is not divisible by stride \(axis.stride): the last \(axis.unread) input \(lines)\(axis.unread == 1 ? " is" : "s are") never read"))
            }
            outputs.append(axis.output)
        }
        return (outputs[0], outputs[1])
    }
}
