import CNNIR

extension BatchNorm {
    /// batchnorm: per channel a learned scale γ and shift β (parameters), and a running mean and
    /// variance (buffers, not learned: PyTorch's `running_mean` and `running_var`).
    ///
    ///     parameters = 2C, buffers = 2C, multiply-adds = 0
    ///
    /// Its scale and shift are other operations (`LayerKind.otherOperations`), not multiply-adds:
    /// torchvision's and fvcore's tables count only conv and linear layers' multiply-adds.
    /// No checks needed: the input was checked to hold at most `CheckedSize.maximumElements` values.
    func facts(input: Shape) -> LayerFacts {
        LayerFacts(output: input, trainable: 2 * input.channels, buffers: 2 * input.channels)
    }
}
