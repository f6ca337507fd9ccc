import CNNAnalysis
import CNNKernels

/// `residual`: the body's output plus the shortcut's (He et al., "Deep Residual Learning", 2015). The shortcut
/// is the input itself, or a stack of layers: the user's (`shortcut: [...]`) or the automatic 1×1 projection.
///
///     y = body(x) + x            dL/dx = body's backward of dL/dy + dL/dy
///     y = body(x) + S(x)         dL/dx = body's backward of dL/dy + S's backward of dL/dy
///
/// A relu or relu6 right after the block runs inside it (`ReLUFusing`): the sum is clamped as it is stored, and the
/// backward pass masks dL/dy before handing it to the branches. Every pass is split over the threads by images. In
/// inference that folds, the body's last conv adds the shortcut (and applies that relu) as it stores its outputs, where
/// its kernel can (`LayerStack.forwardAdding`): ResNet's bottlenecks then skip the add's pass over three tensors.
public final class ResidualBlock: RuntimeLayer, ReLUFusing {
    public let facts: LayerAnalysis
    let body: LayerStack
    let shortcut: LayerStack?
    /// The shortcut's input gradient while it is added to the body's.
    let shortcutGradient: UnsafeMutablePointer<Float>
    /// Set by the layer stack when a `relu` or `relu6` follows.
    var fusedActivation = FusedActivation.none

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
        // A MobileNet block in inference: the body adds the input band by band as it writes them (`BottleneckFusion`).
        if shortcut == nil && body.forwardAddingInput(input, into: output, activation: fusedActivation, batch: batch, context: context) { return }
        let added: UnsafePointer<Float>
        if let shortcut {
            shortcut.forward(input: input, batch: batch, context: context)
            added = UnsafePointer(shortcut.output)
        } else {
            added = input
        }
        // In inference that folds, the body's last conv adds the shortcut as it stores its outputs (ResNet's blocks).
        if body.forwardAdding(added, into: output, activation: fusedActivation, input: input, batch: batch, context: context) { return }
        body.forward(input: input, batch: batch, context: context)
        let branch = UnsafePointer(body.output), size = facts.output.count, activation = fusedActivation
        Parallel.forEachElementRange(count: batch * size, chunks: context.threads) { range in
            activation.add(branch + range.lowerBound, added + range.lowerBound, into: output + range.lowerBound, count: range.count)
        }
    }

    /// `body(offset, count)` for each thread's element range of tensors of `size` floats per image (element-wise work).
    private func eachChunk(batch: Int, size: Int, threads: Int, _ body: (_ offset: Int, _ count: Int) -> Void) {
        Parallel.forEachElementRange(count: batch * size, chunks: threads) { range in body(range.lowerBound, range.count) }
    }

    public func backward(input: UnsafePointer<Float>, output: UnsafePointer<Float>, outputGradient: UnsafePointer<Float>,
                         inputGradient: UnsafeMutablePointer<Float>?, batch: Int, context: StepContext) {
        let (outSize, inSize, threads) = (facts.output.count, facts.input.count, context.threads)
        // The fused activation's backward, in place on the gradient buffer this block shares with it.
        let dy = UnsafeMutablePointer(mutating: outputGradient)
        eachChunk(batch: batch, size: outSize, threads: threads) { offset, count in
            fusedActivation.mask(output: output + offset, gradient: dy + offset, count: count)
            (body.outputGradient + offset).update(from: dy + offset, count: count)
        }
        body.backward(input: input, inputGradient: inputGradient, batch: batch, context: context)
        if let shortcut {
            // Only now: the body and the shortcut keep their gradients in the same buffers (`GradientArena`).
            eachChunk(batch: batch, size: outSize, threads: threads) { offset, count in
                (shortcut.outputGradient + offset).update(from: dy + offset, count: count)
            }
            shortcut.backward(input: input, inputGradient: inputGradient == nil ? nil : shortcutGradient, batch: batch, context: context)
        }
        guard let inputGradient else { return }
        let added = shortcut == nil ? UnsafePointer(dy) : UnsafePointer(shortcutGradient)
        eachChunk(batch: batch, size: inSize, threads: threads) { offset, count in
            for k in offset..<(offset + count) { inputGradient[k] += added[k] }
        }
    }
}
