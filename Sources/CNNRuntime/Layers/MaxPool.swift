import CNNAnalysis
import CNNKernels

/// `maxpool`: the largest value of each window, per channel; padding never wins.
/// Forward remembers each output's winning input index so backward routes the gradient there only.
public final class MaxPool: RuntimeLayer {
    public let facts: LayerAnalysis
    let window: SlidingWindow
    /// `[N, C, OH, OW]` index (within the image) of each output's maximum.
    let argmax: UnsafeMutablePointer<Int32>

    init(_ facts: LayerAnalysis, batchCapacity: Int) {
        self.facts = facts
        window = facts.window!
        argmax = .allocate(capacity: batchCapacity * facts.output.count)
        argmax.initialize(repeating: 0, count: batchCapacity * facts.output.count)
    }

    deinit { argmax.deallocate() }

    public func forward(input: UnsafePointer<Float>, output: UnsafeMutablePointer<Float>, batch: Int, context: StepContext) {
        let (i, o) = (facts.input, facts.output)
        let (kh, kw, sh, sw) = (window.size.height, window.size.width, window.stride.height, window.stride.width)
        let (pt, pl) = (window.padding.top, window.padding.left)
        Parallel.forEachChunk(count: batch * i.channels, chunks: context.threads) { _, planes in
            for plane in planes {
                let x = input + plane * i.height * i.width
                let y = output + plane * o.height * o.width
                let arg = argmax + plane * o.height * o.width
                let base = Int32((plane % i.channels) * i.height * i.width)
                for oh in 0..<o.height {
                    let y0 = max(oh * sh - pt, 0), y1 = min(oh * sh - pt + kh, i.height)
                    for ow in 0..<o.width {
                        let x0 = max(ow * sw - pl, 0), x1 = min(ow * sw - pl + kw, i.width)
                        var best = -Float.infinity, at = y0 * i.width + x0
                        for yy in y0..<y1 {
                            for xx in x0..<x1 where x[yy * i.width + xx] > best {
                                best = x[yy * i.width + xx]
                                at = yy * i.width + xx
                            }
                        }
                        y[oh * o.width + ow] = best
                        arg[oh * o.width + ow] = base + Int32(at)
                    }
                }
            }
        }
    }

    public func backward(input: UnsafePointer<Float>, output: UnsafePointer<Float>, outputGradient: UnsafePointer<Float>,
                         inputGradient: UnsafeMutablePointer<Float>?, batch: Int, context: StepContext) {
        guard let inputGradient else { return }
        let inSize = facts.input.count, outSize = facts.output.count
        Parallel.forEachChunk(count: batch, chunks: context.threads) { _, images in
            for n in images {
                let dx = inputGradient + n * inSize
                dx.update(repeating: 0, count: inSize)
                let dy = outputGradient + n * outSize, arg = argmax + n * outSize
                for k in 0..<outSize { dx[Int(arg[k])] += dy[k] }
            }
        }
    }
}
