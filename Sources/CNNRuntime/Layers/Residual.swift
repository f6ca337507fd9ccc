import CNNAnalysis
import CNNKernels

/// `residual`: the body's output plus the shortcut's (He et al., "Deep Residual Learning", 2015). The shortcut
/// is the input itself, or a stack of layers: the user's (`shortcut: [...]`) or the automatic 1×1 projection.
///
///     y = body(x) + x            dL/dx = body's backward of dL/dy + dL/dy
///     y = body(x) + S(x)         dL/dx = body's backward of dL/dy + S's backward of dL/dy
public final class ResidualBlock: RuntimeLayer {
    public let facts: LayerAnalysis
    let body: LayerStack
    let shortcut: LayerStack?
    /// The shortcut's input gradient while it is added to the body's.
    let shortcutGradient: UnsafeMutablePointer<Float>

    init(_ facts: LayerAnalysis, body: LayerStack, shortcut: LayerStack?, batchCapacity: Int) {
        self.facts = facts
        self.body = body
        self.shortcut = shortcut
        let inCount = shortcut == nil ? 1 : batchCapacity * facts.input.count
        shortcutGradient = .allocate(capacity: inCount)
        shortcutGradient.initialize(repeating: 0, count: inCount)
    }

    deinit { shortcutGradient.deallocate() }

    public var children: [RuntimeLayer] { body.layers + (shortcut?.layers ?? []) }

    public func forward(input: UnsafePointer<Float>, output: UnsafeMutablePointer<Float>, batch: Int, context: StepContext) {
        body.forward(input: input, batch: batch, context: context)
        let added: UnsafePointer<Float>
        if let shortcut {
            shortcut.forward(input: input, batch: batch, context: context)
            added = UnsafePointer(shortcut.output)
        } else {
            added = input
        }
        let branch = body.output
        for k in 0..<(batch * facts.output.count) { output[k] = branch[k] + added[k] }
    }

    public func backward(input: UnsafePointer<Float>, output: UnsafePointer<Float>, outputGradient: UnsafePointer<Float>,
                         inputGradient: UnsafeMutablePointer<Float>?, batch: Int, context: StepContext) {
        let outCount = batch * facts.output.count, inCount = batch * facts.input.count
        body.outputGradient.update(from: outputGradient, count: outCount)
        body.backward(input: input, inputGradient: inputGradient, batch: batch, context: context)
        if let shortcut {
            shortcut.outputGradient.update(from: outputGradient, count: outCount)
            shortcut.backward(input: input, inputGradient: inputGradient == nil ? nil : shortcutGradient, batch: batch, context: context)
            if let inputGradient { for k in 0..<inCount { inputGradient[k] += shortcutGradient[k] } }
        } else if let inputGradient {
            for k in 0..<inCount { inputGradient[k] += outputGradient[k] }
        }
    }
}
