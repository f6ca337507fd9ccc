import CNNAnalysis
import CNNIR
import CNNKernels

/// `local`: a convolution without weight sharing; every output position p has its own filters.
///
///     y[n, f, p] = b[f, p] + Σ_t w[p, f, t] · cols_n[t, p]      (t over C·KH·KW taps)
///
/// Weights `[OH, OW, F, C, KH, KW]`, bias `[F, OH, OW]`. Positions own disjoint weights, so threads
/// split the positions and no reduction is needed. The layer computes channels-first (Caffe's im2col),
/// transposing each image from and to the runtime's channels-last layout.
public final class LocallyConnected: WeightedLayer {
    public let facts: LayerAnalysis
    let conv: Convolution
    let geometry: WindowGeometry
    let initScheme: InitScheme
    let taps: Int, positions: Int, filters: Int
    var weight: UnsafeMutablePointer<Float>!, bias: UnsafeMutablePointer<Float>?
    var weightGradient: UnsafeMutablePointer<Float>!, biasGradient: UnsafeMutablePointer<Float>?
    /// `[C·KH·KW, OH·OW]` columns of one image and their gradient.
    let columns: UnsafeMutablePointer<Float>, columnGradient: UnsafeMutablePointer<Float>
    /// One image channels-first: input `[C, H, W]` and output `[F, OH, OW]` (or their gradients).
    let imageCHW: UnsafeMutablePointer<Float>, outputCHW: UnsafeMutablePointer<Float>

    init(_ facts: LayerAnalysis, conv: Convolution, initScheme: InitScheme) {
        self.facts = facts
        self.conv = conv
        self.initScheme = initScheme
        geometry = WindowGeometry(facts)
        taps = geometry.columnRows
        positions = geometry.columnCount
        filters = conv.filters
        columns = .allocate(capacity: taps * positions)
        columnGradient = .allocate(capacity: taps * positions)
        columns.initialize(repeating: 0, count: taps * positions)
        columnGradient.initialize(repeating: 0, count: taps * positions)
        imageCHW = .allocate(capacity: facts.input.count)
        imageCHW.initialize(repeating: 0, count: facts.input.count)
        outputCHW = .allocate(capacity: facts.output.count)
        outputCHW.initialize(repeating: 0, count: facts.output.count)
    }

    deinit {
        columns.deallocate()
        columnGradient.deallocate()
        imageCHW.deallocate()
        outputCHW.deallocate()
    }

    /// Image n's columns from its channels-last input.
    private func loadColumns(_ input: UnsafePointer<Float>, image n: Int) {
        let i = facts.input
        ChannelsLast.toChannelsFirst(input + n * i.count, imageCHW, channels: i.channels, height: i.height, width: i.width)
        Im2Col.forward(geometry, image: imageCHW, columns: columns)
    }

    public var parameterSpecs: [ParameterSpec] {
        let o = facts.output
        var specs = [ParameterSpec("weight", shape: [o.height, o.width, filters, facts.input.channels, conv.size.height, conv.size.width],
                                   role: .weight(fanIn: taps), initScheme: initScheme)]
        if conv.bias { specs.append(ParameterSpec("bias", shape: [filters, o.height, o.width], role: .bias)) }
        return specs
    }

    var hasBias: Bool { conv.bias }

    public func forward(input: UnsafePointer<Float>, output: UnsafeMutablePointer<Float>, batch: Int, context: StepContext) {
        for n in 0..<batch {
            loadColumns(input, image: n)
            let y = outputCHW
            Parallel.forEachChunk(count: positions, chunks: context.threads) { _, range in
                for p in range {
                    for f in 0..<filters {
                        let w = weight + (p * filters + f) * taps
                        var s = bias?[f * positions + p] ?? 0
                        for t in 0..<taps { s += w[t] * columns[t * positions + p] }
                        y[f * positions + p] = s
                    }
                }
            }
            let o = facts.output
            ChannelsLast.fromChannelsFirst(outputCHW, output + n * o.count, channels: o.channels, height: o.height, width: o.width)
        }
    }

    public func backward(input: UnsafePointer<Float>, output: UnsafePointer<Float>, outputGradient: UnsafePointer<Float>,
                         inputGradient: UnsafeMutablePointer<Float>?, batch: Int, context: StepContext) {
        for n in 0..<batch {
            loadColumns(input, image: n)
            let o = facts.output
            ChannelsLast.toChannelsFirst(outputGradient + n * o.count, outputCHW, channels: o.channels, height: o.height, width: o.width)
            let dy = outputCHW
            Parallel.forEachChunk(count: positions, chunks: context.threads) { _, range in
                for p in range {
                    for t in 0..<taps { columnGradient[t * positions + p] = 0 }
                    for f in 0..<filters {
                        let g = dy[f * positions + p]
                        let w = weight + (p * filters + f) * taps, dw = weightGradient + (p * filters + f) * taps
                        biasGradient?[f * positions + p] += g
                        for t in 0..<taps {
                            dw[t] += g * columns[t * positions + p]
                            columnGradient[t * positions + p] += g * w[t]
                        }
                    }
                }
            }
            if let inputGradient {
                let i = facts.input
                imageCHW.update(repeating: 0, count: i.count)
                Im2Col.backward(geometry, columns: columnGradient, image: imageCHW)
                ChannelsLast.fromChannelsFirst(imageCHW, inputGradient + n * i.count, channels: i.channels, height: i.height, width: i.width)
            }
        }
    }
}
