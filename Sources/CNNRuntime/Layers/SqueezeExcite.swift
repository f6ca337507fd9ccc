import CNNAnalysis
import CNNIR

/// `squeeze_excite` (Hu et al., "Squeeze-and-Excitation Networks", 2018), as torchvision's SqueezeExcitation:
///
///     p[c] = mean over h, w of x[h, w, c]                      (global average pool)
///     z[j] = b₁[j] + Σ_c W₁[j, c]·p[c],   a = activation(z)   (1×1 conv C → n, `<name>_squeeze`)
///     u[c] = b₂[c] + Σ_j W₂[c, j]·a[j],   s = gate(u)         (1×1 conv n → C, `<name>_excite`)
///     y[h, w, c] = x[h, w, c]·s[c]
///
/// Backward: ds[c] = Σ_hw dy·x, du = ds·gate'(u), dW₂ += du·aᵀ, da = W₂ᵀ·du, dz = da·activation'(z),
/// dW₁ += dz·pᵀ, dp = W₁ᵀ·dz, and dx[h, w, c] = dy[h, w, c]·s[c] + dp[c]/(H·W).
/// Weights in PyTorch's conv layout, [n, C, 1, 1] and [C, n, 1, 1]; the maps are tiny, so plain loops.
public final class SqueezeExciteLayer: RuntimeLayer {
    public let facts: LayerAnalysis
    let initScheme: InitScheme
    let channels: Int, squeeze: Int
    let activation: any ElementwiseFunction, gate: any ElementwiseFunction
    /// Per image, kept from forward for backward: p, z, a (n), u, s (C).
    let pooled: UnsafeMutablePointer<Float>, hidden: UnsafeMutablePointer<Float>, activated: UnsafeMutablePointer<Float>
    let logits: UnsafeMutablePointer<Float>, scales: UnsafeMutablePointer<Float>
    private let owned: [UnsafeMutablePointer<Float>]
    var squeezeWeight: UnsafeMutablePointer<Float>!, squeezeBias: UnsafeMutablePointer<Float>!
    var exciteWeight: UnsafeMutablePointer<Float>!, exciteBias: UnsafeMutablePointer<Float>!
    var squeezeWeightGradient: UnsafeMutablePointer<Float>!, squeezeBiasGradient: UnsafeMutablePointer<Float>!
    var exciteWeightGradient: UnsafeMutablePointer<Float>!, exciteBiasGradient: UnsafeMutablePointer<Float>!

    init(_ facts: LayerAnalysis, config: SqueezeExcite, initScheme: InitScheme, batchCapacity: Int) {
        self.facts = facts
        self.initScheme = initScheme
        channels = facts.input.channels
        squeeze = config.squeeze
        switch config.activation {
        case .relu: activation = LeakyReLU(slope: 0) // max(x, 0), gradient 0 at 0 as PyTorch's relu
        case .silu: activation = SiLU()
        }
        switch config.gate {
        case .sigmoid: gate = Sigmoid()
        case .hardsigmoid: gate = Hardsigmoid()
        }
        func buffer(_ perImage: Int) -> UnsafeMutablePointer<Float> {
            let p = UnsafeMutablePointer<Float>.allocate(capacity: batchCapacity * perImage)
            p.initialize(repeating: 0, count: batchCapacity * perImage)
            return p
        }
        (pooled, hidden, activated) = (buffer(channels), buffer(squeeze), buffer(squeeze))
        (logits, scales) = (buffer(channels), buffer(channels))
        owned = [pooled, hidden, activated, logits, scales]
    }

    deinit { owned.forEach { $0.deallocate() } }

    public var parameterSpecs: [ParameterSpec] {
        [ParameterSpec("weight", shape: [squeeze, channels, 1, 1], role: .weight(fanIn: channels), initScheme: initScheme, part: "squeeze"),
         ParameterSpec("bias", shape: [squeeze], role: .bias, part: "squeeze"),
         ParameterSpec("weight", shape: [channels, squeeze, 1, 1], role: .weight(fanIn: squeeze), initScheme: initScheme, part: "excite"),
         ParameterSpec("bias", shape: [channels], role: .bias, part: "excite")]
    }

    public func bind(values: [UnsafeMutablePointer<Float>], gradients: [UnsafeMutablePointer<Float>]) {
        (squeezeWeight, squeezeBias, exciteWeight, exciteBias) = (values[0], values[1], values[2], values[3])
        (squeezeWeightGradient, squeezeBiasGradient, exciteWeightGradient, exciteBiasGradient)
            = (gradients[0], gradients[1], gradients[2], gradients[3])
    }

    private var area: Int { facts.input.height * facts.input.width }

    public func forward(input: UnsafePointer<Float>, output: UnsafeMutablePointer<Float>, batch: Int, context: StepContext) {
        let (c, n, area) = (channels, squeeze, area)
        for image in 0..<batch {
            let x = input + image * area * c, y = output + image * area * c
            let p = pooled + image * c, z = hidden + image * n, a = activated + image * n
            let u = logits + image * c, s = scales + image * c
            p.update(repeating: 0, count: c)
            for pixel in 0..<area {
                for k in 0..<c { p[k] += x[pixel * c + k] }
            }
            for k in 0..<c { p[k] /= Float(area) }
            for j in 0..<n {
                var sum = squeezeBias[j]
                for k in 0..<c { sum += squeezeWeight[j * c + k] * p[k] }
                z[j] = sum
            }
            activation.forward(z, a, 0..<n)
            for k in 0..<c {
                var sum = exciteBias[k]
                for j in 0..<n { sum += exciteWeight[k * n + j] * a[j] }
                u[k] = sum
            }
            gate.forward(u, s, 0..<c)
            for pixel in 0..<area {
                for k in 0..<c { y[pixel * c + k] = x[pixel * c + k] * s[k] }
            }
        }
    }

    public func backward(input: UnsafePointer<Float>, output: UnsafePointer<Float>, outputGradient: UnsafePointer<Float>,
                         inputGradient: UnsafeMutablePointer<Float>?, batch: Int, context: StepContext) {
        let (c, n, area) = (channels, squeeze, area)
        var ds = [Float](repeating: 0, count: c), du = [Float](repeating: 0, count: c)
        var da = [Float](repeating: 0, count: n), dz = [Float](repeating: 0, count: n)
        for image in 0..<batch {
            let x = input + image * area * c, dy = outputGradient + image * area * c
            let p = pooled + image * c, z = hidden + image * n, a = activated + image * n
            let u = logits + image * c, s = scales + image * c
            for k in 0..<c { ds[k] = 0 }
            for pixel in 0..<area {
                for k in 0..<c { ds[k] += dy[pixel * c + k] * x[pixel * c + k] }
            }
            ds.withUnsafeBufferPointer { dsp in
                du.withUnsafeMutableBufferPointer { dup in gate.backward(u, s, dsp.baseAddress!, dup.baseAddress!, 0..<c) }
            }
            for k in 0..<c {
                exciteBiasGradient[k] += du[k]
                for j in 0..<n { exciteWeightGradient[k * n + j] += du[k] * a[j] }
            }
            for j in 0..<n {
                var sum: Float = 0
                for k in 0..<c { sum += exciteWeight[k * n + j] * du[k] }
                da[j] = sum
            }
            da.withUnsafeBufferPointer { dap in
                dz.withUnsafeMutableBufferPointer { dzp in activation.backward(z, a, dap.baseAddress!, dzp.baseAddress!, 0..<n) }
            }
            for j in 0..<n {
                squeezeBiasGradient[j] += dz[j]
                for k in 0..<c { squeezeWeightGradient[j * c + k] += dz[j] * p[k] }
            }
            guard let inputGradient else { continue }
            let dx = inputGradient + image * area * c
            // dp[c]/(H·W), spread over every pixel through the pool.
            for k in 0..<c {
                var sum: Float = 0
                for j in 0..<n { sum += squeezeWeight[j * c + k] * dz[j] }
                ds[k] = sum / Float(area)
            }
            for pixel in 0..<area {
                for k in 0..<c { dx[pixel * c + k] = dy[pixel * c + k] * s[k] + ds[k] }
            }
        }
    }
}
