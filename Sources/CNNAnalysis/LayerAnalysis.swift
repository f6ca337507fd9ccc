import CNNIR

/// What the analysis knows about one layer: the facts the reports print and the runtime sizes its buffers from.
public struct LayerAnalysis: Hashable, Sendable {
    public var layer: Layer
    public var input: Shape
    public var output: Shape
    /// Learned parameters (weights and biases, batchnorm scale and shift).
    public var trainableParameters: Int
    /// Stored but not learned by gradient (batchnorm running mean and variance).
    public var nonTrainableParameters: Int
    /// Multiply-adds for one image's forward pass.
    public var multiplyAdds: Int
    /// Receptive field of one output of this layer, in network-input pixels.
    public var receptiveField: ReceptiveField2D
    /// The window of conv, local and pooling layers, with padding resolved.
    public var window: SlidingWindow?
    /// A branching layer's sub-stacks, analysed (concat: one per branch; residual: its body).
    public var branches: [[LayerAnalysis]] = []
    /// A residual block's shortcut path: the layers the user wrote, or the automatic 1×1 projection
    /// `<name>_projection` when the body changes the shape; empty when the input itself is added.
    public var shortcut: [LayerAnalysis] = []

    public var name: String { layer.name }
    public var parameters: Int { trainableParameters + nonTrainableParameters }
}

/// The static facts of one layer kind. Each kind's file (`Convolution+Analysis.swift`, …) fills these in.
struct LayerFacts {
    var output: Shape
    var trainable: Int = 0
    var nonTrainable: Int = 0
    var multiplyAdds: Int = 0
    var window: SlidingWindow? = nil
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
            if axis.unread > 0 {
                let lines = axis.name == "height" ? "row" : "column"
                diagnostics.append(Diagnostic(location: layer.location, message:
                    "layer '\(layer.name)': (\(axis.input) + \(axis.before) + \(axis.after) − \(axis.dilation)·(\(axis.kernel) − 1) − 1) = \(axis.span) "
                    + "is not divisible by stride \(axis.stride): the last \(axis.unread) input \(lines)\(axis.unread == 1 ? " is" : "s are") never read"))
            }
            outputs.append(axis.output)
        }
        return (outputs[0], outputs[1])
    }
}
