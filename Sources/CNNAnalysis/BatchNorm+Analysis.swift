import CNNIR

extension BatchNorm {
    /// batchnorm: per channel a learned scale γ and shift β, and running mean and variance (not learned).
    /// At inference it is one multiply-add per value.
    /// No checks needed: the input was checked to hold at most `CheckedSize.maximumElements` values.
    func facts(input: Shape) -> LayerFacts {
        LayerFacts(output: input, trainable: 2 * input.channels, nonTrainable: 2 * input.channels,
                   multiplyAdds: input.count)
    }
}
