import CNNKernels

/// A layer's per-thread scratch: `floatsPerThread` floats at `offset` in each thread's block of the model's
/// `ScratchArena`, which every layer shares (no allocation in forward/backward). Its contents last one pass of the layer.
final class ThreadScratch {
    let arena: ScratchArena, offset: Int, floatsPerThread: Int

    /// Reserves the floats in the arena, which must not be allocated yet.
    init(arena: ScratchArena, offset: Int, floatsPerThread: Int) {
        self.arena = arena
        self.offset = offset
        self.floatsPerThread = floatsPerThread
        arena.reserve(floatsPerThread: offset + floatsPerThread)
    }

    /// Thread `thread`'s floats (valid once the model has allocated the arena).
    subscript(thread: Int) -> UnsafeMutablePointer<Float> { arena.block(thread) + offset }

    /// `target[i] += ((self[0][j] + self[1][j]) + …)` with `j = offset + i`, for `i < count`: the threads' parts summed in
    /// thread order (the same on every run with the same thread count), the elements split over `chunks` threads.
    func addInThreadOrder(threads: Int, from offset: Int, count: Int, into target: UnsafeMutablePointer<Float>, chunks: Int) {
        let parts = (0..<max(threads, 1)).map { UnsafePointer(self[$0] + offset) }
        Parallel.forEachElementRange(count: count, chunks: chunks) { range in
            let first = parts[0]
            switch parts.count {
            case 1:
                for i in range { target[i] += first[i] }
            case 2:
                let second = parts[1]
                for i in range { target[i] += first[i] + second[i] }
            default:
                for i in range {
                    var sum = first[i]
                    for t in 1..<parts.count { sum += parts[t][i] }
                    target[i] += sum
                }
            }
        }
    }

    /// Adds the first `count` floats of threads 1..<threads into thread 0's, in thread order (so a result is the same
    /// on every run with the same thread count), and returns thread 0's.
    func sumInThreadOrder(threads: Int, count: Int) -> UnsafeMutablePointer<Float> {
        let total = self[0]
        for t in 1..<max(threads, 1) {
            let part = self[t]
            for i in 0..<count { total[i] += part[i] }
        }
        return total
    }
}
