/// A layer that, in inference, computes the batchnorm right after it too (`StepContext.foldsBatchNorm`): with the
/// batchnorm's y = s·(x − μ) + β per channel, s = γ/√(σ² + ε) from the running statistics (`BatchNormLayer.fold`),
///
///     s·(W·x + b − μ) + β = (s·W)·x + (s·(b − μ) + β),
///
/// so the layer runs with scaled weights and that bias, applies the batchnorm's fused relu in its epilogue and writes
/// the batchnorm's output buffer; the batchnorm's own pass, a read and a write of the whole activation, is skipped
/// (`LayerStack`). ONNX Runtime and PyTorch's `fuse_conv_bn_eval` fold the same way; outputs differ from the unfolded
/// pass by rounding only (`BatchNormFoldingTests`). Training, and inference that a backward pass follows, never fold.
protocol BatchNormFolding: AnyObject {
    /// Set by the layer stack when a batchnorm follows this layer in the same stack.
    var foldedBatchNorm: BatchNormLayer? { get set }
}

extension BatchNormFolding {
    /// The batchnorm this pass computes too: `foldedBatchNorm` when the pass folds, else nil.
    func fold(in context: StepContext) -> BatchNormLayer? { context.folds ? foldedBatchNorm : nil }
}
