import CNNAnalysis
import CNNIR
import CNNKernels

/// `adaptivemaxpool`: the largest value of each of OH × OW bins, per channel, `[N, H, W, C]` -> `[N, OH, OW, C]`
/// (PyTorch's `adaptive_max_pool2d`, bins as `AdaptiveBins`). Forward remembers each output's winning
/// input index and backward adds the gradient there (bins may overlap, so a pixel can win several);
/// on ties the first pixel in row-major bin order wins, as PyTorch.
public final class AdaptiveMaxPool: RuntimeLayer {
    public let facts: LayerAnalysis
    let rowBins: [Range<Int>], columnBins: [Range<Int>]
    /// `[N, OH, OW, C]` index (within the image, channels-last) of each output's maximum.
    let argmax: UnsafeMutablePointer<Int32>

    init(_ facts: LayerAnalysis, batchCapacity: Int) {
        self.facts = facts
        let (i, o) = (facts.input, facts.output)
        rowBins = (0..<o.height).map { AdaptiveBins.bin($0, of: o.height, extent: i.height) }
        columnBins = (0..<o.width).map { AdaptiveBins.bin($0, of: o.width, extent: i.width) }
        argmax = .allocate(capacity: batchCapacity * o.count)
        argmax.initialize(repeating: 0, count: batchCapacity * o.count)
    }

    deinit { argmax.deallocate() }

    public func forward(input: UnsafePointer<Float>, output: UnsafeMutablePointer<Float>, batch: Int, context: StepContext) {
        let (i, o) = (facts.input, facts.output)
        let channels = i.channels
        Parallel.forEachChunk(count: batch, chunks: context.threads) { _, images in
            for n in images {
                let x = input + n * i.count, y = output + n * o.count, arg = argmax + n * o.count
                for (oh, rows) in rowBins.enumerated() {
                    for (ow, columns) in columnBins.enumerated() {
                        let k = (oh * o.width + ow) * channels
                        let first = (rows.lowerBound * i.width + columns.lowerBound) * channels
                        for c in 0..<channels {
                            y[k + c] = x[first + c]
                            arg[k + c] = Int32(first + c)
                        }
                        for yy in rows {
                            for xx in columns {
                                let pixel = (yy * i.width + xx) * channels
                                for c in 0..<channels where x[pixel + c] > y[k + c] {
                                    y[k + c] = x[pixel + c]
                                    arg[k + c] = Int32(pixel + c)
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    public func backward(input: UnsafePointer<Float>, output: UnsafePointer<Float>, outputGradient: UnsafePointer<Float>,
                         inputGradient: UnsafeMutablePointer<Float>?, batch: Int, context: StepContext) {
        guard let inputGradient else { return }
        MaxPool.routeGradient(outputGradient, through: argmax, into: inputGradient, input: facts.input.count, output: facts.output.count,
                              batch: batch, threads: context.threads)
    }
}
