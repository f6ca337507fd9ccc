import CNNAnalysis

/// `adaptiveavgpool`: the mean of each of OH × OW bins, per channel, `[N, H, W, C]` -> `[N, OH, OW, C]`
/// (PyTorch's `adaptive_avg_pool2d`: bin i spans ⌊i·H/OH⌋ ..< ⌈(i+1)·H/OH⌉, see `AdaptiveBins`;
/// bins may overlap, so backward adds each bin's share into its pixels).
public final class AdaptiveAvgPool: RuntimeLayer {
    public let facts: LayerAnalysis
    let mean: WindowMean

    init(_ facts: LayerAnalysis) {
        self.facts = facts
        let (i, o) = (facts.input, facts.output)
        mean = WindowMean(input: i, output: o,
                          rows: (0..<o.height).map { AdaptiveBins.bin($0, of: o.height, extent: i.height) },
                          columns: (0..<o.width).map { AdaptiveBins.bin($0, of: o.width, extent: i.width) })
    }

    public func forward(input: UnsafePointer<Float>, output: UnsafeMutablePointer<Float>, batch: Int, context: StepContext) {
        mean.forward(input, output, batch: batch, threads: context.threads)
    }

    public func backward(input: UnsafePointer<Float>, output: UnsafePointer<Float>, outputGradient: UnsafePointer<Float>,
                         inputGradient: UnsafeMutablePointer<Float>?, batch: Int, context: StepContext) {
        guard let inputGradient else { return }
        mean.backward(outputGradient, inputGradient, batch: batch, threads: context.threads)
    }
}
