import CNNAnalysis
import CNNKernels

/// `residual`: the body's output plus the block's input (He et al., "Deep Residual Learning", 2015).
/// When the body changes the shape, a 1×1 conv with the matching stride projects the input first.
///
///     y = body(x) + x            dL/dx = body's backward of dL/dy + dL/dy
///     y = body(x) + P(x)         dL/dx = body's backward + P's backward
public final class ResidualBlock: RuntimeLayer {
    public let facts: LayerAnalysis
    let body: LayerStack
    let projection: RuntimeLayer?
    /// The projection's output and its input gradient.
    let projected: UnsafeMutablePointer<Float>, projectionGradient: UnsafeMutablePointer<Float>

    init(_ facts: LayerAnalysis, body: LayerStack, projection: RuntimeLayer?, batchCapacity: Int) {
        self.facts = facts
        self.body = body
        self.projection = projection
        let (outCount, inCount) = projection == nil ? (1, 1) : (batchCapacity * facts.output.count, batchCapacity * facts.input.count)
        projected = .allocate(capacity: outCount)
        projected.initialize(repeating: 0, count: outCount)
        projectionGradient = .allocate(capacity: inCount)
        projectionGradient.initialize(repeating: 0, count: inCount)
    }

    deinit {
        projected.deallocate()
        projectionGradient.deallocate()
    }

    public var children: [RuntimeLayer] { body.layers + (projection.map { [$0] } ?? []) }

    public func forward(input: UnsafePointer<Float>, output: UnsafeMutablePointer<Float>, batch: Int, context: StepContext) {
        body.forward(input: input, batch: batch, context: context)
        let shortcut: UnsafePointer<Float>
        if let projection {
            projection.forward(input: input, output: projected, batch: batch, context: context)
            shortcut = UnsafePointer(projected)
        } else {
            shortcut = input
        }
        let branch = body.output
        for k in 0..<(batch * facts.output.count) { output[k] = branch[k] + shortcut[k] }
    }

    public func backward(input: UnsafePointer<Float>, output: UnsafePointer<Float>, outputGradient: UnsafePointer<Float>,
                         inputGradient: UnsafeMutablePointer<Float>?, batch: Int, context: StepContext) {
        let outCount = batch * facts.output.count, inCount = batch * facts.input.count
        body.outputGradient.update(from: outputGradient, count: outCount)
        body.backward(input: input, inputGradient: inputGradient, batch: batch, context: context)
        if let projection {
            projection.backward(input: input, output: projected, outputGradient: outputGradient,
                                inputGradient: inputGradient == nil ? nil : projectionGradient, batch: batch, context: context)
            if let inputGradient { for k in 0..<inCount { inputGradient[k] += projectionGradient[k] } }
        } else if let inputGradient {
            for k in 0..<inCount { inputGradient[k] += outputGradient[k] }
        }
    }
}
