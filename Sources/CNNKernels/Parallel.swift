import CKernels
import Dispatch

/// Splits `0..<count` into `chunks` contiguous ranges and runs them concurrently.
/// The split depends only on `count` and `chunks`, so results that are reduced in chunk
/// order afterwards are the same bit for bit on every run with the same thread count.
///
/// Chunk 0 runs on the calling thread and the others on a pool of persistent threads that spin for a few milliseconds
/// between jobs, or on the caller when it gets to them first (`worker_pool.c`): a batch-1 forward pass is a few hundred
/// loops of 20–200 µs each, and handing one to a sleeping Dispatch thread cost about as much as the loop. When the pool
/// is taken (another thread's loop, a loop inside a loop) or there are more chunks than CPUs, the chunks go to Dispatch
/// instead; the split is the same.
public enum Parallel {
    public static func forEachChunk(count: Int, chunks: Int, _ body: (_ chunk: Int, _ range: Range<Int>) -> Void) {
        let n = max(1, min(chunks, count))
        if n == 1 {
            body(0, 0..<count)
            return
        }
        withoutActuallyEscaping(body) { body in
            var job: (Int) -> Void = { i in body(i, chunkRange(i, of: n, count: count)) }
            let pooled = withUnsafeMutablePointer(to: &job) { job in
                cnnc_pool_run(n, { context, chunk in
                    context!.assumingMemoryBound(to: ((Int) -> Void).self).pointee(chunk)
                }, job)
            }
            if pooled != 0 { return }
            let box = UncheckedBox(body)
            DispatchQueue.concurrentPerform(iterations: n) { i in
                box.value(i, chunkRange(i, of: n, count: count))
            }
        }
    }

    /// Splits the elements `0..<count` of element-wise work (each output element depends only on the same element of
    /// the inputs) into `chunks` ranges of whole 16-float blocks, so any split gives the same result. Element-wise
    /// layers split their images this way even at batch 1; work of fewer than `minimum` elements stays on one thread.
    public static func forEachElementRange(count: Int, chunks: Int, minimum: Int = 1 << 14, _ body: (_ range: Range<Int>) -> Void) {
        let blocks = (count + 15) / 16
        forEachChunk(count: blocks, chunks: count < minimum ? 1 : chunks) { _, range in
            body((range.lowerBound * 16)..<min(range.upperBound * 16, count))
        }
    }

    /// How long an idle pool worker spins before it sleeps (default 5,000 µs); 0 makes it sleep at once.
    public static func setSpin(microseconds: Int) {
        cnnc_pool_set_spin(microseconds)
    }

    public static func chunkRange(_ i: Int, of n: Int, count: Int) -> Range<Int> {
        let base = count / n, extra = count % n
        let start = i * base + min(i, extra)
        return start..<(start + base + (i < extra ? 1 : 0))
    }
}

/// Hands a non-Sendable closure to Dispatch; the chunks touch disjoint memory by construction.
private final class UncheckedBox<T>: @unchecked Sendable {
    let value: T
    init(_ value: T) { self.value = value }
}
