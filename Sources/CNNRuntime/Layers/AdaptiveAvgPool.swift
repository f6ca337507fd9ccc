import CNNAnalysis
import CNNIR
import CNNKernels

/// `adaptiveavgpool`: the mean of each of OH × OW bins, per channel, `[N, H, W, C]` -> `[N, OH, OW, C]`
/// (PyTorch's `adaptive_avg_pool2d`: bin i spans ⌊i·H/OH⌋ ..< ⌈(i+1)·H/OH⌉, see `AdaptiveBins`;
/// bins may overlap, so backward adds each bin's share into its pixels).
public final class AdaptiveAvgPool: RuntimeLayer {
    public let facts: LayerAnalysis
    /// Each output row's and column's bin, computed once.
    let rowBins: [Range<Int>], columnBins: [Range<Int>]

    init(_ facts: LayerAnalysis) {
        self.facts = facts
        let (i, o) = (facts.input, facts.output)
        rowBins = (0..<o.height).map { AdaptiveBins.bin($0, of: o.height, extent: i.height) }
        columnBins = (0..<o.width).map { AdaptiveBins.bin($0, of: o.width, extent: i.width) }
    }

    public func forward(input: UnsafePointer<Float>, output: UnsafeMutablePointer<Float>, batch: Int, context: StepContext) {
        let (i, o) = (facts.input, facts.output)
        let channels = i.channels
        Parallel.forEachChunk(count: batch, chunks: context.threads) { _, images in
            for n in images {
                let x = input + n * i.count, y = output + n * o.count
                for (oh, rows) in rowBins.enumerated() {
                    for (ow, columns) in columnBins.enumerated() {
                        let out = y + (oh * o.width + ow) * channels
                        out.update(repeating: 0, count: channels)
                        for yy in rows {
                            for xx in columns {
                                let src = x + (yy * i.width + xx) * channels
                                for c in 0..<channels { out[c] += src[c] }
                            }
                        }
                        let scale = 1 / Float(rows.count * columns.count)
                        for c in 0..<channels { out[c] *= scale }
                    }
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
                for (oh, rows) in rowBins.enumerated() {
                    for (ow, columns) in columnBins.enumerated() {
                        let g = dy + (oh * o.width + ow) * channels, scale = 1 / Float(rows.count * columns.count)
                        for yy in rows {
                            for xx in columns {
                                let dst = dx + (yy * i.width + xx) * channels
                                for c in 0..<channels { dst[c] += g[c] * scale }
                            }
                        }
                    }
                }
            }
        }
    }
}
