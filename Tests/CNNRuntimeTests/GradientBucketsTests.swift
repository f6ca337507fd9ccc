import Testing
@testable import CNNRuntime

/// The bucket plan of the overlapped allreduce, and bfloat16 rounding.
struct GradientBucketsTests {
    /// A world of two that records what it is asked to do.
    final class Recorder: Communicator {
        var calls: [String] = []
        var rank: Int { 0 }
        var size: Int { 2 }
        func sum(_ values: UnsafeMutableBufferPointer<Float>) { calls.append("sum \(values.count)") }
        func sum(_ values: UnsafeMutableBufferPointer<Double>) { calls.append("sum \(values.count)") }
        func startSum(_ values: UnsafeMutableBufferPointer<Float>) { calls.append("start \(values.count)") }
        func startBFloat16Sum(_ values: UnsafeMutableBufferPointer<UInt16>) { calls.append("start bf16 \(values.count)") }
        func progressSums() { calls.append("progress") }
        func finishSums() { calls.append("finish") }
        func allEqual(_ value: UInt64) -> Bool { true }
        func broadcast(_ values: UnsafeMutableBufferPointer<Float>, root: Int) {}
        func broadcast(_ bytes: [UInt8], root: Int) -> [UInt8] { bytes }
        func barrier() { calls.append("barrier") }
        func abort(status: Int32) -> Never { fatalError() }
    }

    /// Layers start at 0, 0, 10, 10, 30 and 100 of 120 floats; buckets of at least 25 are cut at layer starts from the end:
    /// [30, 120) once layer 4 is done, [0, 30) once layer 1 is; layers 5, 3 and 2 complete no bucket.
    @Test func bucketsAreWholeLayersFromTheEnd() {
        let gradients = UnsafeMutableBufferPointer<Float>.allocate(capacity: 120)
        defer { gradients.deallocate() }
        let buckets = GradientBuckets(gradients: gradients, layerStarts: [0, 0, 10, 10, 30, 100], bucketFloats: 25)
        #expect(buckets.ranges == [30..<120, 0..<30])
        #expect(buckets.readyAfter == [4, 1])
        let world = Recorder()
        for layer in stride(from: 5, through: 0, by: -1) {
            world.calls.append("layer \(layer)")
            buckets.layerFinished(layer, world: world)
        }
        buckets.finish(world: world)
        #expect(world.calls == ["layer 5", "progress", "layer 4", "start 90", "progress", "layer 3", "progress", "layer 2", "progress",
                                "layer 1", "start 30", "progress", "layer 0", "progress", "finish"])
    }

    /// A rank whose backward did not run (no images this step), or stopped early (frozen layers), starts what is left
    /// in the same order before waiting, so every rank's sums pair up.
    @Test func whatBackwardDidNotReachStartsInOrderBeforeTheWait() {
        let gradients = UnsafeMutableBufferPointer<Float>.allocate(capacity: 120)
        defer { gradients.deallocate() }
        let buckets = GradientBuckets(gradients: gradients, layerStarts: [0, 0, 10, 10, 30, 100], bucketFloats: 1, precision: .bf16)
        #expect(buckets.ranges == [100..<120, 30..<100, 10..<30, 0..<10])
        let world = Recorder()
        buckets.layerFinished(5, world: world)
        buckets.finish(world: world)
        #expect(world.calls == ["start bf16 20", "progress", "start bf16 70", "start bf16 20", "start bf16 10", "finish"])
        // The next step starts afresh.
        world.calls = []
        buckets.finish(world: world)
        #expect(world.calls.filter { $0.hasPrefix("start") }.count == 4)
    }

    @Test func bfloat16RoundsToNearestEven() {
        #expect(BFloat16.rounded(1) == 0x3F80 && BFloat16.float(0x3F80) == 1)
        // 1 + 2^-8 lies halfway between 1 and 1 + 2^-7: ties go to the even 1; 1 + 3 * 2^-8 goes up to 1 + 2^-6.
        #expect(BFloat16.float(BFloat16.rounded(1 + 0x1p-8)) == 1)
        #expect(BFloat16.float(BFloat16.rounded(1 + 3 * 0x1p-8)) == 1 + 0x1p-6)
        #expect(BFloat16.float(BFloat16.rounded(1 + 0x1p-8 + 0x1p-20)) == 1 + 0x1p-7)
        // float's range: a gradient of 1e-30 survives (IEEE half would flush it to 0); huge values round to infinity.
        #expect(abs(BFloat16.float(BFloat16.rounded(1e-30)) - 1e-30) < 1e-32)
        #expect(BFloat16.float(BFloat16.rounded(.greatestFiniteMagnitude)) == .infinity)
        #expect(BFloat16.float(BFloat16.rounded(-.infinity)) == -.infinity)
        #expect(BFloat16.float(BFloat16.rounded(.nan)).isNaN)
        for x: Float in [0.1, -3.14159, 1234.5, 6e-8] {
            #expect(abs(BFloat16.float(BFloat16.rounded(x)) - x) <= abs(x) * 0x1p-8)
        }
    }
}
