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

    /// Visits each output's window clipped to the image: (output index, rows, columns).
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
        Parallel.forEachChunk(count: batch * i.channels, chunks: context.threads) { _, planes in
            for plane in planes {
                let x = input + plane * i.height * i.width, y = output + plane * o.height * o.width
                eachWindow { k, rows, cols in
                    var s: Float = 0
                    for yy in rows { for xx in cols { s += x[yy * i.width + xx] } }
                    y[k] = s / Float(rows.count * cols.count)
                }
            }
        }
    }

    public func backward(input: UnsafePointer<Float>, output: UnsafePointer<Float>, outputGradient: UnsafePointer<Float>,
                         inputGradient: UnsafeMutablePointer<Float>?, batch: Int, context: StepContext) {
        guard let inputGradient else { return }
        let (i, o) = (facts.input, facts.output)
        Parallel.forEachChunk(count: batch * i.channels, chunks: context.threads) { _, planes in
            for plane in planes {
                let dx = inputGradient + plane * i.height * i.width, dy = outputGradient + plane * o.height * o.width
                dx.update(repeating: 0, count: i.height * i.width)
                eachWindow { k, rows, cols in
                    let share = dy[k] / Float(rows.count * cols.count)
                    for yy in rows { for xx in cols { dx[yy * i.width + xx] += share } }
                }
            }
        }
    }
}
