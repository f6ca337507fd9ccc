import CNNKernels
import Dispatch
import Synchronization
import Testing

/// `Parallel.forEachChunk` runs every chunk exactly once, with its own range, whichever way it runs them: on the worker
/// pool, or on Dispatch when the pool is taken (loops from several threads at once, a loop inside a loop) or there are
/// more chunks than CPUs.
struct ParallelTests {
    /// Each chunk marks its elements with its index + 1; a chunk run twice or not at all leaves a wrong mark.
    static func marks(count: Int, chunks: Int) -> [Int] {
        let marks = UnsafeMutableBufferPointer<Int>.allocate(capacity: count)
        defer { marks.deallocate() }
        marks.initialize(repeating: 0)
        Parallel.forEachChunk(count: count, chunks: chunks) { chunk, range in
            for i in range { marks[i] += chunk + 1 }
        }
        return Array(marks)
    }

    static func expected(count: Int, chunks: Int) -> [Int] {
        let n = max(1, min(chunks, count))
        return (0..<n).flatMap { chunk in Parallel.chunkRange(chunk, of: n, count: count).map { _ in chunk + 1 } }
    }

    @Test(arguments: [1, 2, 3, 64])
    func everyChunkRunsOnceWithItsRange(chunks: Int) {
        for count in [0, 1, 2, 5, 1000] {
            #expect(Self.marks(count: count, chunks: chunks) == Self.expected(count: count, chunks: chunks), "\(count), \(chunks)")
        }
    }

    @Test func manyJobsInARowOnTheSamePool() {
        // Thousands of short jobs: a lost wake-up or a job started before the last one ended shows as a wrong sum or a hang.
        let total = Atomic<Int>(0)
        for job in 0..<5000 {
            Parallel.forEachChunk(count: 2, chunks: 2) { _, range in
                total.add(range.count * (job % 7), ordering: .relaxed)
            }
        }
        #expect(total.load(ordering: .relaxed) == (0..<5000).reduce(0) { $0 + 2 * ($1 % 7) })
    }

    @Test func loopsFromSeveralThreadsAndLoopsInsideLoops() {
        let failures = Atomic<Int>(0)
        DispatchQueue.concurrentPerform(iterations: 4) { caller in
            for round in 0..<200 {
                let count = 10 + (caller * 7 + round) % 50
                if Self.marks(count: count, chunks: 2) != Self.expected(count: count, chunks: 2) { failures.add(1, ordering: .relaxed) }
            }
        }
        let inner = UnsafeMutableBufferPointer<Int>.allocate(capacity: 4 * 100)
        defer { inner.deallocate() }
        inner.initialize(repeating: 0)
        Parallel.forEachChunk(count: 4, chunks: 2) { _, outer in
            for row in outer {
                Parallel.forEachChunk(count: 100, chunks: 2) { _, columns in
                    for column in columns { inner[row * 100 + column] += 1 }
                }
            }
        }
        #expect(failures.load(ordering: .relaxed) == 0)
        #expect(inner.allSatisfy { $0 == 1 })
    }

    @Test func idleWorkersThatSleptStillWake() async throws {
        Parallel.setSpin(microseconds: 0)
        defer { Parallel.setSpin(microseconds: 5000) }
        for _ in 0..<50 {
            #expect(Self.marks(count: 100, chunks: 2) == Self.expected(count: 100, chunks: 2))
            try await Task.sleep(for: .milliseconds(1))
        }
    }

    @Test func elementRangesAreWholeBlocksCoveringEveryElement() {
        for count in [0, 5, 16, 17, 1 << 14, (1 << 14) + 3, 100_003] {
            let seen = UnsafeMutableBufferPointer<Int>.allocate(capacity: max(count, 1))
            defer { seen.deallocate() }
            seen.initialize(repeating: 0)
            let misaligned = Atomic<Int>(0)
            Parallel.forEachElementRange(count: count, chunks: 2) { range in
                if range.lowerBound % 16 != 0 { misaligned.add(1, ordering: .relaxed) }
                for i in range { seen[i] += 1 }
            }
            #expect(seen.prefix(count).allSatisfy { $0 == 1 }, "\(count)")
            #expect(misaligned.load(ordering: .relaxed) == 0)
        }
    }
}
