import CNNAnalysis

/// `channel_shuffle` (Zhang et al., ShuffleNet, 2017), as PyTorch's ChannelShuffle,
/// x.view(N, g, C/g, H, W).transpose(1, 2).reshape(N, C, H, W): with C/g = m, output channel j·g + i is
/// input channel i·m + j (i < g, j < m). Channels-last, each pixel's C values are permuted:
///
///     y[n, h, w, j·g + i] = x[n, h, w, i·m + j]        dL/dx[n, h, w, i·m + j] = dL/dy[n, h, w, j·g + i]
public final class ChannelShuffleLayer: RuntimeLayer {
    public let facts: LayerAnalysis
    /// source[k]: the input channel that output channel k holds.
    let source: [Int]

    init(_ facts: LayerAnalysis, groups: Int) {
        self.facts = facts
        let channels = facts.input.channels, perGroup = channels / groups
        var source = [Int](repeating: 0, count: channels)
        for i in 0..<groups {
            for j in 0..<perGroup { source[j * groups + i] = i * perGroup + j }
        }
        self.source = source
    }

    public func forward(input: UnsafePointer<Float>, output: UnsafeMutablePointer<Float>, batch: Int, context: StepContext) {
        let c = facts.input.channels
        for pixel in 0..<(batch * facts.input.height * facts.input.width) {
            let x = input + pixel * c, y = output + pixel * c
            for k in 0..<c { y[k] = x[source[k]] }
        }
    }

    public func backward(input: UnsafePointer<Float>, output: UnsafePointer<Float>, outputGradient: UnsafePointer<Float>,
                         inputGradient: UnsafeMutablePointer<Float>?, batch: Int, context: StepContext) {
        guard let inputGradient else { return }
        let c = facts.input.channels
        for pixel in 0..<(batch * facts.input.height * facts.input.width) {
            let dy = outputGradient + pixel * c, dx = inputGradient + pixel * c
            for k in 0..<c { dx[source[k]] = dy[k] }
        }
    }
}
