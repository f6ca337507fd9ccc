import CNNAnalysis
import CNNKernels

/// `avgpool`: the mean of each window, per channel, over the real (not padded) pixels it covers
/// (PyTorch's `count_include_pad=False`, ONNX's default).
public final class AvgPool: RuntimeLayer {
    public let facts: LayerAnalysis
    let window: SlidingWindow

    init(_ facts: LayerAnalysis) {
        self.facts = facts
        window = facts.window!
    }

    /// Visits each output pixel's window clipped to the image: (output pixel, rows, columns).
    @inline(__always)
    private func eachWindow(_ body: (Int, Range<Int>, Range<Int>) -> Void) {
        let (i, o) = (facts.input, facts.output)
        for oh in 0..<o.height {
            let top = oh * window.stride.height - window.padding.top
            let rows = max(top, 0)..<min(top + window.size.height, i.height)
            for ow in 0..<o.width {
                let left = ow * window.stride.width - window.padding.left
                body(oh * o.width + ow, rows, max(left, 0)..<min(left + window.size.width, i.width))
            }
        }
    }

    public func forward(input: UnsafePointer<Float>, output: UnsafeMutablePointer<Float>, batch: Int, context: StepContext) {
        let (i, o) = (facts.input, facts.output)
        let channels = i.channels
        Parallel.forEachChunk(count: batch, chunks: context.threads) { _, images in
            for n in images {
                let x = input + n * i.count, y = output + n * o.count
                eachWindow { pixel, rows, cols in
                    let out = y + pixel * channels
                    out.update(repeating: 0, count: channels)
                    for yy in rows {
                        for xx in cols {
                            let src = x + (yy * i.width + xx) * channels
                            for c in 0..<channels { out[c] += src[c] }
                        }
                    }
                    let scale = 1 / Float(rows.count * cols.count)
                    for c in 0..<channels { out[c] *= scale }
                }
            }
        }
    }

    public func backward(input: UnsafePointer<Float>, output: UnsafePointer<Float>, outputGradient: UnsafePointer<Float>,
                         inputGradient: UnsafeMutablePointer<Float>?, batch: Int, context: StepContext) {
        guard let inputGradient else { return }
        let (i, o) = (facts.input, facts.output)
        let channels = i.channels
        Parallel.forEachChunk(count: batch, chunks: context.threads) { _, images in
            for n in images {
                let dx = inputGradient + n * i.count, dy = outputGradient + n * o.count
                dx.update(repeating: 0, count: i.count)
                eachWindow { pixel, rows, cols in
                    let scale = 1 / Float(rows.count * cols.count), g = dy + pixel * channels
                    for yy in rows {
                        for xx in cols {
                            let dst = dx + (yy * i.width + xx) * channels
                            for c in 0..<channels { dst[c] += g[c] * scale }
                        }
                    }
                }
            }
        }
    }
}
