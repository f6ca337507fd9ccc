import CNNAnalysis
import CNNIR
import CNNKernels

/// `spp`: for each level l, the map cut into l × l bins, each bin max- or average-pooled per channel
/// (He et al. 2014; bins as PyTorch's adaptive pooling). The output has C·Σl² values whatever the
/// input's size, level by level, each level in (C, row, column) order as `torch.cat` of flattened
/// `adaptive_max_pool2d` outputs.
public final class SpatialPyramidPooling: RuntimeLayer {
    public let facts: LayerAnalysis
    let pyramid: SpatialPyramid
    /// `[N, outputs]`: the input index of each output's maximum (max mode).
    let argmax: UnsafeMutablePointer<Int32>

    init(_ facts: LayerAnalysis, pyramid: SpatialPyramid, batchCapacity: Int) {
        self.facts = facts
        self.pyramid = pyramid
        argmax = .allocate(capacity: batchCapacity * facts.output.count)
        argmax.initialize(repeating: 0, count: batchCapacity * facts.output.count)
    }

    deinit { argmax.deallocate() }

    /// Visits every output of one image: (output index, rows, columns, channel).
    @inline(__always)
    private func eachBin(_ body: (Int, Range<Int>, Range<Int>, Int) -> Void) {
        let i = facts.input
        var index = 0
        for level in pyramid.levels {
            for c in 0..<i.channels {
                for row in 0..<level {
                    let rows = AdaptiveBins.bin(row, of: level, extent: i.height)
                    for column in 0..<level {
                        body(index, rows, AdaptiveBins.bin(column, of: level, extent: i.width), c)
                        index += 1
                    }
                }
            }
        }
    }

    public func forward(input: UnsafePointer<Float>, output: UnsafeMutablePointer<Float>, batch: Int, context: StepContext) {
        let (i, outCount) = (facts.input, facts.output.count)
        Parallel.forEachChunk(count: batch, chunks: context.threads) { _, images in
            for n in images {
                let x = input + n * i.count, y = output + n * outCount, arg = argmax + n * outCount
                eachBin { k, rows, columns, c in
                    switch pyramid.mode {
                    case .max:
                        var best = -Float.infinity, at = (rows.lowerBound * i.width + columns.lowerBound) * i.channels + c
                        for yy in rows {
                            for xx in columns {
                                let index = (yy * i.width + xx) * i.channels + c
                                if x[index] > best { best = x[index]; at = index }
                            }
                        }
                        y[k] = best
                        arg[k] = Int32(at)
                    case .avg:
                        var sum: Float = 0
                        for yy in rows { for xx in columns { sum += x[(yy * i.width + xx) * i.channels + c] } }
                        y[k] = sum / Float(rows.count * columns.count)
                    }
                }
            }
        }
    }

    public func backward(input: UnsafePointer<Float>, output: UnsafePointer<Float>, outputGradient: UnsafePointer<Float>,
                         inputGradient: UnsafeMutablePointer<Float>?, batch: Int, context: StepContext) {
        guard let inputGradient else { return }
        let (i, outCount) = (facts.input, facts.output.count)
        Parallel.forEachChunk(count: batch, chunks: context.threads) { _, images in
            for n in images {
                let dx = inputGradient + n * i.count, dy = outputGradient + n * outCount, arg = argmax + n * outCount
                dx.update(repeating: 0, count: i.count)
                eachBin { k, rows, columns, c in
                    switch pyramid.mode {
                    case .max:
                        dx[Int(arg[k])] += dy[k]
                    case .avg:
                        let share = dy[k] / Float(rows.count * columns.count)
                        for yy in rows { for xx in columns { dx[(yy * i.width + xx) * i.channels + c] += share } }
                    }
                }
            }
        }
    }
}
