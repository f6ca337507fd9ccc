/// The gradient arena's allreduce cut into buckets that start while backward is still running
/// (PyTorch DistributedDataParallel's buckets), so that the network's time hides behind the rest of backward.
///
/// Backward runs the top-level layers last to first, and the arena holds them first to last, so when top-level
/// layer i is done every gradient from its first offset to the arena's end is final. A bucket is a run of whole
/// top-level layers taken from the end, closed once it holds `bucketFloats` or more; it starts as soon as its
/// earliest layer is done. The plan depends only on the network and the bucket size, so every rank starts the same
/// buckets in the same order, and a run is reproducible for a plan. With two ranks each element's sum is a + b
/// whatever the cut, so the weights equal the one-allreduce run's bit for bit; with more, MPI may add in another
/// order per message size.
final class GradientBuckets {
    /// Arena ranges from the end toward the start; `readyAfter[k]` is the top-level layer whose backward completes bucket k.
    let ranges: [Range<Int>]
    let readyAfter: [Int]
    private let gradients: UnsafeMutableBufferPointer<Float>
    /// With `.bf16`: the gradients rounded to bfloat16, which is what is summed; read back into `gradients` at the end.
    private let compressed: UnsafeMutableBufferPointer<UInt16>?
    private var started = 0

    /// `layerStarts[i]` is top-level layer i's first offset in the arena (its inner layers' tensors included).
    init(gradients: UnsafeMutableBufferPointer<Float>, layerStarts: [Int], bucketFloats: Int, precision: AllreducePrecision = .fp32) {
        self.gradients = gradients
        if precision == .bf16 {
            compressed = .allocate(capacity: gradients.count)
            compressed!.initialize(repeating: 0)
        } else {
            compressed = nil
        }
        var ranges: [Range<Int>] = [], readyAfter: [Int] = []
        var end = gradients.count
        for i in stride(from: layerStarts.count - 1, through: 0, by: -1) where end - layerStarts[i] >= max(bucketFloats, 1) || i == 0 {
            if layerStarts[i] < end {
                ranges.append(layerStarts[i]..<end)
                readyAfter.append(i)
            }
            end = layerStarts[i]
        }
        self.ranges = ranges
        self.readyAfter = readyAfter
    }

    deinit { compressed?.deallocate() }

    private func start(_ k: Int, world: Communicator) {
        let range = ranges[k]
        if let compressed {
            for i in range { compressed[i] = BFloat16.rounded(gradients[i]) }
            world.startBFloat16Sum(UnsafeMutableBufferPointer(rebasing: compressed[range]))
        } else {
            world.startSum(UnsafeMutableBufferPointer(rebasing: gradients[range]))
        }
    }

    /// Called after top-level layer `layer`'s backward: starts every bucket it completed and moves the started ones on.
    func layerFinished(_ layer: Int, world: Communicator) {
        while started < ranges.count, readyAfter[started] >= layer {
            start(started, world: world)
            started += 1
        }
        world.progressSums()
    }

    /// Starts the buckets backward did not reach: all of them on a rank with no images this step (or a non-finite
    /// loss), those of layers before the first trained one on every rank. Call it before any other collective,
    /// so that every rank starts the same sums in the same order.
    func startRemaining(world: Communicator) {
        while started < ranges.count {
            start(started, world: world)
            started += 1
        }
    }

    /// Waits for every bucket; the next step starts afresh.
    func finish(world: Communicator) {
        startRemaining(world: world)
        world.finishSums()
        if let compressed {
            for i in 0..<gradients.count { gradients[i] = BFloat16.float(compressed[i]) }
        }
        started = 0
    }
}
