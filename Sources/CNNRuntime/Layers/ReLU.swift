import CNNAnalysis
import CNNKernels

/// `relu`: y = max(x, 0); dy/dx = 1 where y > 0.
///
/// After a conv or a batchnorm the layer stack fuses the two: this layer's output and gradient buffers are that layer's
/// (`fusedIntoPrevious`), that layer stores max(·, 0) in its forward pass and masks the gradient, one
/// image at a time while it is in cache, in its backward pass; this layer then does nothing.
public final class ReLU: RuntimeLayer {
    public let facts: LayerAnalysis
    var fusedIntoPrevious = false

    init(_ facts: LayerAnalysis) { self.facts = facts }

    public func forward(input: UnsafePointer<Float>, output: UnsafeMutablePointer<Float>, batch: Int, context: StepContext) {
        guard !fusedIntoPrevious else { return }
        let size = facts.input.count
        Parallel.forEachChunk(count: batch, chunks: context.threads) { _, images in
            for k in (images.lowerBound * size)..<(images.upperBound * size) { output[k] = max(input[k], 0) }
        }
    }

    public func backward(input: UnsafePointer<Float>, output: UnsafePointer<Float>, outputGradient: UnsafePointer<Float>,
                         inputGradient: UnsafeMutablePointer<Float>?, batch: Int, context: StepContext) {
        guard !fusedIntoPrevious, let inputGradient else { return }
        let size = facts.input.count
        Parallel.forEachChunk(count: batch, chunks: context.threads) { _, images in
            for k in (images.lowerBound * size)..<(images.upperBound * size) { inputGradient[k] = output[k] > 0 ? outputGradient[k] : 0 }
        }
    }
}
