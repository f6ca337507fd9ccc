import CNNAnalysis
import CNNIR
import CNNKernels

/// A network instantiated from its analysis: layers, one parameter arena and every activation buffer,
/// all allocated here, once, for batches of up to `batchCapacity` images. The runtime never re-derives
/// a shape: every size comes from `NetworkAnalysis`.
public final class Model {
    public let analysis: NetworkAnalysis
    public let layers: [RuntimeLayer]
    public let parameters: ParameterStore
    public let batchCapacity: Int
    public let threads: Int
    /// activations[0] is the input `[N, C, H, W]`; activations[i + 1] is layer i's output.
    let activations: [UnsafeMutableBufferPointer<Float>]
    /// gradients[i] is dL/d(activations[i]); gradients[0] (the input's) is never computed.
    let activationGradients: [UnsafeMutableBufferPointer<Float>]

    public init(_ analysis: NetworkAnalysis, batchCapacity: Int, threads: Int = 1) {
        self.analysis = analysis
        self.batchCapacity = batchCapacity
        self.threads = max(1, threads)
        BLAS.setThreads(1) // cnnc splits batches over threads itself
        layers = analysis.layers.enumerated().map { index, facts in
            Model.makeLayer(facts, index: index, network: analysis.network, batchCapacity: batchCapacity, threads: max(1, threads))
        }
        parameters = ParameterStore(layers: layers)
        let sizes = [analysis.network.input.count] + analysis.layers.map(\.output.count)
        activations = sizes.map { size in
            let buffer = UnsafeMutableBufferPointer<Float>.allocate(capacity: batchCapacity * size)
            buffer.initialize(repeating: 0)
            return buffer
        }
        activationGradients = sizes.enumerated().map { i, size in
            let buffer = UnsafeMutableBufferPointer<Float>.allocate(capacity: i == 0 ? 1 : batchCapacity * size)
            buffer.initialize(repeating: 0)
            return buffer
        }
    }

    deinit {
        activations.forEach { $0.deallocate() }
        activationGradients.forEach { $0.deallocate() }
    }

    /// The exhaustive map from IR kind to runtime layer.
    static func makeLayer(_ facts: LayerAnalysis, index: Int, network: Network, batchCapacity: Int, threads: Int) -> RuntimeLayer {
        let scheme = network.initScheme(of: facts.layer)
        switch facts.layer.kind {
        case .conv(let conv): return Conv2D(facts, conv: conv, initScheme: scheme, maxThreads: threads)
        case .local(let conv): return LocallyConnected(facts, conv: conv, initScheme: scheme)
        case .maxPool: return MaxPool(facts, batchCapacity: batchCapacity)
        case .avgPool: return AvgPool(facts)
        case .globalAvgPool: return GlobalAvgPool(facts)
        case .dense(let dense): return DenseLayer(facts, dense: dense, initScheme: scheme)
        case .dropout(let rate): return Dropout(facts, rate: rate, layerIndex: index, batchCapacity: batchCapacity)
        case .batchNorm(let config): return BatchNormLayer(facts, config: config, batchCapacity: batchCapacity)
        case .relu: return ReLU(facts)
        case .sigmoid: return Sigmoid(facts)
        case .tanh: return Tanh(facts)
        }
    }

    /// Where to write a batch of input images, `[N, C, H, W]`.
    public var input: UnsafeMutablePointer<Float> { activations[0].baseAddress! }
    /// The last layer's output of the last forward pass, `[N, outputs]`.
    public var output: UnsafePointer<Float> { UnsafePointer(activations[layers.count].baseAddress!) }
    public var outputCount: Int { analysis.output.count }
    /// Where the loss writes dL/d(output) before `backward`.
    public var outputGradient: UnsafeMutablePointer<Float> { activationGradients[layers.count].baseAddress! }

    public func forward(batch: Int, context: StepContext) {
        precondition(batch <= batchCapacity, "batch \(batch) exceeds the model's capacity \(batchCapacity)")
        for (i, layer) in layers.enumerated() {
            layer.forward(input: activations[i].baseAddress!, output: activations[i + 1].baseAddress!, batch: batch, context: context)
        }
    }

    /// Backpropagates `outputGradient`, adding into `parameters.gradients` (zero them first).
    /// `inputGradient`, when given, receives dL/d(input) `[N, C, H, W]` (tests and saliency need it; training does not).
    public func backward(batch: Int, context: StepContext, inputGradient: UnsafeMutablePointer<Float>? = nil) {
        for i in stride(from: layers.count - 1, through: 0, by: -1) {
            layers[i].backward(input: activations[i].baseAddress!, output: activations[i + 1].baseAddress!,
                               outputGradient: activationGradients[i + 1].baseAddress!,
                               inputGradient: i == 0 ? inputGradient : activationGradients[i].baseAddress!,
                               batch: batch, context: context)
        }
    }
}
