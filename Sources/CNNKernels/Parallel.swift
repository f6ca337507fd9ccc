import Dispatch

/// Splits `0..<count` into `chunks` contiguous ranges and runs them concurrently.
/// The split depends only on `count` and `chunks`, so results that are reduced in chunk
/// order afterwards are the same bit for bit on every run with the same thread count.
public enum Parallel {
    public static func forEachChunk(count: Int, chunks: Int, _ body: (_ chunk: Int, _ range: Range<Int>) -> Void) {
        let n = max(1, min(chunks, count))
        if n == 1 {
            body(0, 0..<count)
            return
        }
        withoutActuallyEscaping(body) { body in
            let box = UncheckedBox(body)
            DispatchQueue.concurrentPerform(iterations: n) { i in
                box.value(i, chunkRange(i, of: n, count: count))
            }
        }
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
