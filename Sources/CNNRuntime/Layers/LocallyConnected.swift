import CNNAnalysis
import CNNIR
import CNNKernels

/// `local`: a convolution without weight sharing; every output position p has its own filters.
///
///     y[n, f, p] = b[f, p] + Σ_t w[p, f, t] · cols_n[t, p]      (t over C·KH·KW taps)
///
/// Weights `[OH, OW, F, C, KH, KW]`, bias `[F, OH, OW]`. Positions own disjoint weights, so threads
/// split the positions and no reduction is needed.
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
    }

    deinit {
        columns.deallocate()
        columnGradient.deallocate()
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
            Im2Col.forward(geometry, image: input + n * facts.input.count, columns: columns)
            let y = output + n * facts.output.count
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
        }
    }

    public func backward(input: UnsafePointer<Float>, output: UnsafePointer<Float>, outputGradient: UnsafePointer<Float>,
                         inputGradient: UnsafeMutablePointer<Float>?, batch: Int, context: StepContext) {
        for n in 0..<batch {
            Im2Col.forward(geometry, image: input + n * facts.input.count, columns: columns)
            let dy = outputGradient + n * facts.output.count
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
                let dx = inputGradient + n * facts.input.count
                dx.update(repeating: 0, count: facts.input.count)
                Im2Col.backward(geometry, columns: columnGradient, image: dx)
            }
        }
    }
}
