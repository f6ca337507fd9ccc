import CNNAnalysis
import CNNKernels

/// `relu`: y = max(x, 0); dy/dx = 1 where y > 0. `relu6` (MobileNetV2): y = min(max(x, 0), 6); dy/dx = 1 where
/// 0 < y < 6, else 0 (PyTorch's ReLU6, whose hardtanh backward passes the gradient only strictly inside).
///
/// After a conv or a batchnorm the layer stack fuses the two: this layer's output and gradient buffers are that layer's
/// (`fusedIntoPrevious`), that layer applies the activation in its forward pass and masks the gradient, one
/// image at a time while it is in cache, in its backward pass; this layer then does nothing.
public final class ReLU: RuntimeLayer {
    public let facts: LayerAnalysis
    /// `.relu` or `.relu6`.
    let activation: FusedActivation
    var fusedIntoPrevious = false

    init(_ facts: LayerAnalysis, activation: FusedActivation = .relu) {
        self.facts = facts
        self.activation = activation
    }

    public func forward(input: UnsafePointer<Float>, output: UnsafeMutablePointer<Float>, batch: Int, context: StepContext) {
        guard !fusedIntoPrevious else { return }
        let size = facts.input.count
        Parallel.forEachElementRange(count: batch * size, chunks: context.threads) { range in
            activation.apply(input + range.lowerBound, into: output + range.lowerBound, count: range.count)
        }
    }

    public func backward(input: UnsafePointer<Float>, output: UnsafePointer<Float>, outputGradient: UnsafePointer<Float>,
                         inputGradient: UnsafeMutablePointer<Float>?, batch: Int, context: StepContext) {
        guard !fusedIntoPrevious, let inputGradient else { return }
        let size = facts.input.count
        Parallel.forEachElementRange(count: batch * size, chunks: context.threads) { range in
            (inputGradient + range.lowerBound).update(from: outputGradient + range.lowerBound, count: range.count)
            activation.mask(output: output + range.lowerBound, gradient: inputGradient + range.lowerBound, count: range.count)
        }
    }
}
