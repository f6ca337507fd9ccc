import CNNAnalysis

/// `avgpool`: the mean of each window, per channel, over the real (not padded) pixels it covers
/// (PyTorch's `count_include_pad=False`, ONNX's default); with `ceil`, a last window running past the
/// input averages the pixels that are there, as PyTorch.
public final class AvgPool: RuntimeLayer {
    public let facts: LayerAnalysis
    let mean: WindowMean

    init(_ facts: LayerAnalysis) {
        self.facts = facts
        let window = facts.window!
        let (i, o) = (facts.input, facts.output)
        // Each output row's (column's) window, clipped to the image.
        let rows = (0..<o.height).map { oh in
            let top = oh * window.stride.height - window.padding.top
            return max(top, 0)..<min(top + window.size.height, i.height)
        }
        let columns = (0..<o.width).map { ow in
            let left = ow * window.stride.width - window.padding.left
            return max(left, 0)..<min(left + window.size.width, i.width)
        }
        mean = WindowMean(input: i, output: o, rows: rows, columns: columns)
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
