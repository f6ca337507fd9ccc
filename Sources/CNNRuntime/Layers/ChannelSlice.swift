import CNNAnalysis
import CNNIR

/// `slice`: channels from ..< to of the input, as x[:, from:to] in PyTorch. Channels-last, each pixel's
/// run of channels is copied:
///
///     y[n, h, w, k] = x[n, h, w, from + k]        dL/dx[n, h, w, c] = dL/dy[n, h, w, c − from] inside the slice, else 0
public final class ChannelSliceLayer: RuntimeLayer {
    public let facts: LayerAnalysis
    let from: Int, width: Int

    init(_ facts: LayerAnalysis, slice: ChannelSlice) {
        self.facts = facts
        from = slice.from
        width = slice.channels
    }

    public func forward(input: UnsafePointer<Float>, output: UnsafeMutablePointer<Float>, batch: Int, context: StepContext) {
        let c = facts.input.channels
        for pixel in 0..<(batch * facts.input.height * facts.input.width) {
            (output + pixel * width).update(from: input + pixel * c + from, count: width)
        }
    }

    public func backward(input: UnsafePointer<Float>, output: UnsafePointer<Float>, outputGradient: UnsafePointer<Float>,
                         inputGradient: UnsafeMutablePointer<Float>?, batch: Int, context: StepContext) {
        guard let inputGradient else { return }
        let c = facts.input.channels
        for pixel in 0..<(batch * facts.input.height * facts.input.width) {
            let dx = inputGradient + pixel * c
            dx.update(repeating: 0, count: c)
            (dx + from).update(from: outputGradient + pixel * width, count: width)
        }
    }
}
