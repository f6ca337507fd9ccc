import CNNAnalysis
import CNNIR
import CNNKernels

/// `dense`: fully connected over the flattened input, one GEMM per batch (a large layer's forward pass: one per thread).
///
///     y[n, u] = b[u] + Σ_i w[u, i] · x[n, i]
///
/// Weights `[units, C·H·W]` (PyTorch's `nn.Linear` layout), bias `[units]`. The input index i runs in
/// (C, H, W) order, as PyTorch flattens, so a channels-last input with a spatial extent is first
/// transposed to channels-first (and its gradient back).
public final class DenseLayer: WeightedLayer {
    public let facts: LayerAnalysis
    let dense: Dense
    let initScheme: InitScheme
    let inputs: Int, units: Int
    var weight: UnsafeMutablePointer<Float>!, bias: UnsafeMutablePointer<Float>?
    var weightGradient: UnsafeMutablePointer<Float>!, biasGradient: UnsafeMutablePointer<Float>?
    /// `[N, C·H·W]` channels-first copy of the input and its gradient, when the layouts differ.
    let channelsFirst: UnsafeMutablePointer<Float>?, channelsFirstGradient: UnsafeMutablePointer<Float>?

    init(_ facts: LayerAnalysis, dense: Dense, initScheme: InitScheme, batchCapacity: Int) {
        self.facts = facts
        self.dense = dense
        self.initScheme = initScheme
        inputs = facts.input.count
        units = dense.units
        let i = facts.input
        if i.channels > 1 && i.height * i.width > 1 {
            channelsFirst = .allocate(capacity: batchCapacity * inputs)
            channelsFirst!.initialize(repeating: 0, count: batchCapacity * inputs)
            channelsFirstGradient = .allocate(capacity: batchCapacity * inputs)
            channelsFirstGradient!.initialize(repeating: 0, count: batchCapacity * inputs)
        } else {
            (channelsFirst, channelsFirstGradient) = (nil, nil)
        }
    }

    deinit {
        channelsFirst?.deallocate()
        channelsFirstGradient?.deallocate()
    }

    /// The input as PyTorch flattens it: the layer's channels-first copy (made by `forward`), or the input itself.
    private func flattened(_ input: UnsafePointer<Float>) -> UnsafePointer<Float> {
        channelsFirst.map { UnsafePointer($0) } ?? input
    }

    public var parameterSpecs: [ParameterSpec] {
        var specs = [ParameterSpec("weight", shape: [units, inputs], role: .weight(fanIn: inputs), initScheme: initScheme)]
        if dense.bias { specs.append(ParameterSpec("bias", shape: [units], role: .bias)) }
        return specs
    }

    var hasBias: Bool { dense.bias }

    public func forward(input: UnsafePointer<Float>, output: UnsafeMutablePointer<Float>, batch: Int, context: StepContext) {
        if let channelsFirst {
            let i = facts.input
            for n in 0..<batch {
                ChannelsLast.toChannelsFirst(input + n * inputs, channelsFirst + n * inputs,
                                             channels: i.channels, height: i.height, width: i.width)
            }
        }
        // y[N, U] = x[N, I] · wᵀ. A layer of at least 2^18 weights (an ImageNet classifier: 5–8 MiB, read once per batch
        // of a few images) splits its units over the threads in blocks of 16, each thread reading its own rows of w; the
        // split depends on the thread count only. One image is a matrix-vector product, which reads w in place: a GEMM
        // call packed it first, and MobileNetV2's 1280 → 1000 classifier took 0.47 ms at batch 1 against 0.22
        // (Benchmarks/NOTES.md, change 32).
        let x = flattened(input), blocks = (units + 15) / 16
        Parallel.forEachChunk(count: blocks, chunks: units * inputs >= 1 << 18 ? context.threads : 1) { _, range in
            let first = range.lowerBound * 16, count = min(range.upperBound * 16, units) - first
            if batch == 1 {
                BLAS.gemv(m: count, n: inputs, a: weight + first * inputs, lda: inputs, x: x, y: output + first)
            } else {
                BLAS.gemm(transposeB: true, m: batch, n: count, k: inputs, a: x, lda: inputs, b: weight + first * inputs, ldb: inputs,
                          c: output + first, ldc: units)
            }
        }
        if let bias {
            for n in 0..<batch {
                let row = output + n * units
                for u in 0..<units { row[u] += bias[u] }
            }
        }
    }

    public func backward(input: UnsafePointer<Float>, output: UnsafePointer<Float>, outputGradient: UnsafePointer<Float>,
                         inputGradient: UnsafeMutablePointer<Float>?, batch: Int, context: StepContext) {
        // A frozen layer's tensors get no gradient (`freeze`): only dx, for the layers before it.
        let trainsWeights = facts.layer.freeze == .none
        // dw[U, I] += dyᵀ[U, N] · x[N, I]
        if trainsWeights {
            BLAS.gemm(transposeA: true, m: units, n: inputs, k: batch, a: outputGradient, lda: units, b: flattened(input), ldb: inputs,
                      beta: 1, c: weightGradient, ldc: inputs)
        }
        if trainsWeights, let biasGradient {
            for n in 0..<batch {
                let row = outputGradient + n * units
                for u in 0..<units { biasGradient[u] += row[u] }
            }
        }
        if let inputGradient {
            // dx[N, I] = dy[N, U] · w[U, I]
            BLAS.gemm(m: batch, n: inputs, k: units, a: outputGradient, lda: units, b: weight, ldb: inputs,
                      c: channelsFirstGradient ?? inputGradient, ldc: inputs)
            if let channelsFirstGradient {
                let i = facts.input
                for n in 0..<batch {
                    ChannelsLast.fromChannelsFirst(channelsFirstGradient + n * inputs, inputGradient + n * inputs,
                                                   channels: i.channels, height: i.height, width: i.width)
                }
            }
        }
    }
}
