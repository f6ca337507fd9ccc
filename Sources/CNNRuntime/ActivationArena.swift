/// The buffers that hold the layers' outputs in inference that no backward pass follows (`StepContext.folds`): two per
/// depth of nesting, which are the `GradientArena`'s (no gradient is live then), and two of its own per depth of residual
/// shortcuts.
///
/// Training keeps every layer's output for its backward pass, in the layer's own buffer (`LayerStack.outputs`). Inference
/// needs a layer's output only until the next layer has read it, so a stack's layers write theirs in turn into two
/// buffers, each input in the one and each output in the other. A block's branches run one after another inside it, so
/// stacks nested at the same depth share the same two; only a residual block's shortcut, whose output waits while the
/// body runs, has two of its own. The network's last layer still writes its own buffer (`Model.output`).
///
/// Why: a layer's own buffer was last written a whole pass before, so at batch 1 every output went to memory the caches
/// no longer held: ResNet-50's 64 → 256 convs at 56×56 ran at 60% of the FMA limit where the same kernel on buffers in
/// the caches ran at 85% (Benchmarks/NOTES.md, change 37). Taking turns in a few buffers keeps a small batch's
/// activations in the caches.
///
/// Sized while the stacks are built (`reserve`). The shortcuts' buffers are allocated on the first pass that uses them,
/// so that a training run that never runs inference does not pay for them.
final class ActivationArena {
    private let gradients: GradientArena
    /// Where each buffer is: a gradient arena slot, or one of the shortcuts' own (an index into `ownCapacities`).
    private enum Place {
        case gradients(Int)
        case own(Int)
    }
    private var places: [Place] = []
    private var firstSlots: [Key: Int] = [:]
    /// The shortcuts' buffers, in floats, and once allocated (on 64-byte lines, zeroed).
    private var ownCapacities: [Int] = []
    private var own: [UnsafeMutablePointer<Float>] = []

    private struct Key: Hashable {
        let depth: Int
        let shortcut: Bool
    }

    init(sharing gradients: GradientArena) { self.gradients = gradients }

    /// Makes both buffers of the stacks at `depth` (of residual shortcuts, or of everything else) hold at least `count`
    /// floats; returns the first buffer's number for `pointer(_:)` (the second is the next number).
    func reserve(depth: Int, shortcut: Bool, count: Int) -> Int {
        precondition(own.isEmpty, "the activation arena is already allocated")
        let key = Key(depth: depth, shortcut: shortcut)
        if let first = firstSlots[key] {
            for slot in first...(first + 1) {
                switch places[slot] {
                case .gradients: _ = gradients.reserve(depth: depth, parity: slot - first, count: count)
                case .own(let k): ownCapacities[k] = max(ownCapacities[k], count)
                }
            }
            return first
        }
        let first = places.count
        firstSlots[key] = first
        if shortcut {
            places += [.own(ownCapacities.count), .own(ownCapacities.count + 1)]
            ownCapacities += [count, count]
        } else {
            places += [0, 1].map { .gradients(gradients.reserve(depth: depth, parity: $0, count: count)) }
        }
        return first
    }

    /// Buffer `slot` (the shortcuts' buffers are allocated on the first call).
    func pointer(_ slot: Int) -> UnsafeMutablePointer<Float> {
        switch places[slot] {
        case .gradients(let gradientSlot): return gradients.pointer(gradientSlot)
        case .own(let k):
            if own.isEmpty {
                own = ownCapacities.map { AlignedFloats.allocate($0).baseAddress! }
            }
            return own[k]
        }
    }

    /// Whether a pass has used the shortcuts' buffers (a training step never does).
    var isAllocated: Bool { !own.isEmpty }

    /// Floats reserved beyond the gradient arena's (the shortcuts' buffers).
    var capacity: Int { ownCapacities.reduce(0, +) }

    deinit { own.forEach { UnsafeMutableRawPointer($0).deallocate() } }  // AlignedFloats' buffers
}
