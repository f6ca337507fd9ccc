/// The buffers that hold dL/d(output) of every layer during a backward pass, two per depth of nesting.
///
/// In a stack's backward pass layer i reads the gradient of its output and writes that of its input, which is the
/// gradient of layer i − 1's output; nothing reads layer i's afterwards. So a stack's gradients can take turns in two
/// buffers (`parities`; a relu that runs inside the layer before it shares that layer's). Stacks nested at the same
/// depth can share the same two: a block (`residual`, `concat`) runs its branches' backward passes one after another
/// inside its own, each branch starting from a copy of the block's output gradient (one depth up) and ending in the
/// block's input gradient (one depth up, or the block's own scratch). Each buffer is as large as the largest gradient
/// that uses it, so a deep network keeps two buffers per depth instead of one per layer.
///
/// The arena is sized while the stacks are built (`reserve`) and allocated once after (`allocate`), before any pass.
final class GradientArena {
    /// capacities[2 · depth + parity], in floats.
    private var capacities: [Int] = []
    private var buffers: [UnsafeMutableBufferPointer<Float>] = []

    /// Makes slot (depth, parity) hold at least `count` floats; returns the slot's number for `pointer(_:)`.
    func reserve(depth: Int, parity: Int, count: Int) -> Int {
        precondition(buffers.isEmpty, "the gradient arena is already allocated")
        let slot = 2 * depth + parity
        if capacities.count <= slot { capacities += [Int](repeating: 0, count: slot + 1 - capacities.count) }
        capacities[slot] = max(capacities[slot], count)
        return slot
    }

    /// Allocates every slot, zeroed.
    func allocate() {
        precondition(buffers.isEmpty, "the gradient arena is already allocated")
        buffers = capacities.map(AlignedFloats.allocate)
    }

    func pointer(_ slot: Int) -> UnsafeMutablePointer<Float> { buffers[slot].baseAddress! }

    /// Floats reserved over every slot.
    var capacity: Int { capacities.reduce(0, +) }

    deinit { buffers.forEach(AlignedFloats.deallocate) }

    /// Which of a stack's two buffers holds each layer's output gradient: they alternate, starting at 0, over the
    /// layers that are not fused into the one before (`fused[i]`), and a fused layer takes the one before's.
    /// `MemoryBudget` counts with the same rule.
    static func parities(fused: [Bool]) -> [Int] {
        var parities: [Int] = [], next = 0
        for (i, isFused) in fused.enumerated() {
            if isFused && i > 0 {
                parities.append(parities[i - 1])
            } else {
                parities.append(next)
                next ^= 1
            }
        }
        return parities
    }
}
