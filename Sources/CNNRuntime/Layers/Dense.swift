import CNNAnalysis
import CNNIR
import CNNKernels

/// `dense`: fully connected over the flattened input (C, H, W order), one GEMM per batch.
///
///     y[n, u] = b[u] + Σ_i w[u, i] · x[n, i]
///
/// Weights `[units, C·H·W]` (PyTorch's `nn.Linear` layout), bias `[units]`.
public final class DenseLayer: WeightedLayer {
    public let facts: LayerAnalysis
    let dense: Dense
    let initScheme: InitScheme
    let inputs: Int, units: Int
    var weight: UnsafeMutablePointer<Float>!, bias: UnsafeMutablePointer<Float>?
    var weightGradient: UnsafeMutablePointer<Float>!, biasGradient: UnsafeMutablePointer<Float>?

    init(_ facts: LayerAnalysis, dense: Dense, initScheme: InitScheme) {
        self.facts = facts
        self.dense = dense
        self.initScheme = initScheme
        inputs = facts.input.count
        units = dense.units
    }

    public var parameterSpecs: [ParameterSpec] {
        var specs = [ParameterSpec("weight", shape: [units, inputs], role: .weight(fanIn: inputs), initScheme: initScheme)]
        if dense.bias { specs.append(ParameterSpec("bias", shape: [units], role: .bias)) }
        return specs
    }

    var hasBias: Bool { dense.bias }

    public func forward(input: UnsafePointer<Float>, output: UnsafeMutablePointer<Float>, batch: Int, context: StepContext) {
        // y[N, U] = x[N, I] · wᵀ
        BLAS.gemm(transposeB: true, m: batch, n: units, k: inputs, a: input, lda: inputs, b: weight, ldb: inputs,
                  c: output, ldc: units)
        if let bias {
            for n in 0..<batch {
                let row = output + n * units
                for u in 0..<units { row[u] += bias[u] }
            }
        }
    }

    public func backward(input: UnsafePointer<Float>, output: UnsafePointer<Float>, outputGradient: UnsafePointer<Float>,
                         inputGradient: UnsafeMutablePointer<Float>?, batch: Int, context: StepContext) {
        // dw[U, I] += dyᵀ[U, N] · x[N, I]
        BLAS.gemm(transposeA: true, m: units, n: inputs, k: batch, a: outputGradient, lda: units, b: input, ldb: inputs,
                  beta: 1, c: weightGradient, ldc: inputs)
        if let biasGradient {
            for n in 0..<batch {
                let row = outputGradient + n * units
                for u in 0..<units { biasGradient[u] += row[u] }
            }
        }
        if let inputGradient {
            // dx[N, I] = dy[N, U] · w[U, I]
            BLAS.gemm(m: batch, n: inputs, k: units, a: outputGradient, lda: units, b: weight, ldb: inputs,
                      c: inputGradient, ldc: inputs)
        }
    }
}
