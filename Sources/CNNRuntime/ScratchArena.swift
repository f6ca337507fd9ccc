/// The per-thread memory the conv layers use inside one pass: padded copies, im2col columns, Winograd tiles and the
/// threads' weight-gradient accumulators (`ThreadScratch`). A model runs one layer at a time, and a layer's scratch
/// holds nothing from one pass to the next (every kernel writes what it reads back: padding rows included), so all the
/// layers share one block per thread, as large as the largest layer's need, instead of one each: ResNet-50's 53 convs
/// held 387 MB of scratch and accumulators on two threads, of which the largest conv needs ~25 MB.
///
/// Sized while the layers are built (`reserve`) and allocated once after (`allocate`), before any pass. One model's
/// passes never run concurrently (separate models, as ranks in one process, have separate arenas).
final class ScratchArena {
    let threads: Int
    /// Floats per thread: the largest reservation, rounded up to whole cache lines.
    private(set) var floatsPerThread = 0
    private var storage: UnsafeMutablePointer<Float>?

    init(threads: Int) { self.threads = max(1, threads) }

    deinit { storage?.deallocate() }

    /// `count` floats rounded up to a whole number of 64-byte lines (offsets of a layer's regions).
    static func aligned(_ count: Int) -> Int { (count + 15) / 16 * 16 }

    /// Makes every thread's block hold at least `floatsPerThread` floats.
    func reserve(floatsPerThread count: Int) {
        precondition(storage == nil, "the scratch arena is already allocated")
        floatsPerThread = max(floatsPerThread, Self.aligned(count))
    }

    /// Allocates every thread's block, zeroed.
    func allocate() {
        precondition(storage == nil, "the scratch arena is already allocated")
        let count = max(1, threads * floatsPerThread)
        storage = .allocate(capacity: count)
        storage!.initialize(repeating: 0, count: count)
    }

    /// Thread `thread`'s block.
    func block(_ thread: Int) -> UnsafeMutablePointer<Float> {
        precondition(thread < threads, "thread \(thread) of a scratch arena for \(threads)")
        return storage! + thread * floatsPerThread
    }
}
