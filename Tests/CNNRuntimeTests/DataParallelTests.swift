import CNNAnalysis
import CNNData
import CNNIR
import CNNSpec
import Foundation
import Testing
@testable import CNNRuntime

/// Data-parallel training without MPI: ranks as threads of this process, joined by an in-process
/// communicator, so the trainer's split, weighting and reductions are checked in `swift test`
/// (Tests/EndToEnd/mpi.sh checks the same under mpirun with Open MPI).
struct DataParallelTests {
    @Test(arguments: [(0, 3), (7, 2), (100, 3), (64, 3), (2, 3), (75, 2)])
    func shardsPartitionEveryBatch(count: Int, size: Int) {
        let parts = (0..<size).map { Shard.range(count: count, rank: $0, size: size) }
        #expect(parts.first?.lowerBound == 0 && parts.last?.upperBound == count)
        for (a, b) in zip(parts, parts.dropFirst()) { #expect(a.upperBound == b.lowerBound) }
        let sizes = parts.map(\.count)
        #expect(sizes.max()! - sizes.min()! <= 1)
        #expect(sizes == sizes.sorted(by: >), "the larger shares come first")
    }

    @Test func dropoutMasksDoNotDependOnHowTheBatchIsSplit() throws {
        let network = try SpecParser.parse("input: [1, 4, 4]\nlayers:\n  - dropout: {rate: 0.5}\n", file: "d.yaml")[0]
        let model = Model(try NetworkAnalysis(network), batchCapacity: 4)
        let input = (0..<64).map { Float($0) + 1 }
        func run(_ images: Range<Int>) -> [Float] {
            for (k, v) in input[(images.lowerBound * 16)..<(images.upperBound * 16)].enumerated() { model.input[k] = v }
            model.forward(batch: images.count, context: StepContext(training: true, threads: 1, seed: 9, step: 5,
                                                                   firstExample: images.lowerBound))
            return Array(UnsafeBufferPointer(start: model.output, count: images.count * 16))
        }
        let whole = run(0..<4)
        #expect(run(0..<2) + run(2..<4) == whole)
        #expect(whole.contains(0) && whole.contains { $0 != 0 })
    }

    @Test func evaluationsSumOverRanks() throws {
        let worlds = InProcessWorld.ranks(2)
        let parts = [Evaluation(count: 3, correct: 2, loss: 0.5, confusion: [[1, 1], [0, 1]]),
                     Evaluation(count: 1, correct: 1, loss: 0.1, confusion: [[1, 0], [0, 0]])]
        let merged = InProcessWorld.concurrently(worlds) { rank, world in parts[rank].summed(over: world) }
        for evaluation in merged {
            #expect(evaluation.count == 4 && evaluation.correct == 3)
            #expect(abs(evaluation.loss - (0.5 * 3 + 0.1) / 4) < 1e-12)
            #expect(evaluation.confusion == [[2, 1], [0, 1]])
        }
    }

    /// Two ranks with uneven shares (batch 8 of 61 images: 4 + 4, the last step 5 = 3 + 2), dropout and
    /// augmentation on: every rank ends with the same weights, every image is used once per epoch, and
    /// the weights equal a single process's up to float summation order.
    /// The second spec adds every other augmentation and `normalize: auto`.
    @Test(arguments: [TrainingTests.spec, TrainingTests.spec.replacingOccurrences(
        of: "augment: {shift: 1}",
        with: "augment: {shift: 1, crop: {pad: 1, fill: reflect}, hflip: 0.5, jitter: {brightness: 0.3, contrast: 0.3}, erase: {fill: random}}, normalize: auto")])
    func twoRanksTrainLikeOneProcess(spec: String) throws {
        let single = try trainer(world: SingleProcess(), directory: TrainingTests().temporaryDirectory("single"), spec: spec)
        #expect(try single.run(threads: 1))

        let directory = TrainingTests().temporaryDirectory("ranks")
        let worlds = InProcessWorld.ranks(2)
        let ranks = InProcessWorld.concurrently(worlds) { _, world in
            let t = try! trainer(world: world, directory: directory, spec: spec)
            t.checkReplicas = true
            return (try? t.run(threads: 1)) == true ? t : nil
        }
        let a = try #require(ranks[0]), b = try #require(ranks[1])
        #expect(Array(a.model.parameters.values) == Array(b.model.parameters.values))
        let reference = Array(single.model.parameters.values)
        let scale = reference.map(abs).max()!
        let difference = zip(reference, a.model.parameters.values).map { abs($0 - $1) }.max()!
        #expect(difference / scale < 1e-4)
        #expect(FileManager.default.fileExists(atPath: directory + "/last.safetensors"))
        // The checkpoint carries the normalisation the weights need (eval, predict and export read it).
        let stored = try Normalization(metadata: Checkpoint.read(directory + "/last.safetensors").metadata, channels: 1, path: directory)
        #expect(stored == a.model.normalization && (stored != nil) == spec.contains("normalize: auto"))
    }

    @Test func aDriftingReplicaIsCaught() throws {
        let directory = TrainingTests().temporaryDirectory("drift")
        let outcomes = InProcessWorld.concurrently(InProcessWorld.ranks(2)) { rank, world -> String in
            let t = try! trainer(world: world, directory: directory)
            t.checkReplicas = true
            t.perturbation = (rank: 1, step: 2)
            do { _ = try t.run(threads: 1); return "finished" } catch let error as TrainingError { return error.message } catch { return "\(error)" }
        }
        #expect(outcomes == Array(repeating: "the ranks' weights differ after epoch 1, step 3; the replicas have diverged", count: 2))
    }

    /// Buckets change when each part of the gradient is summed, not what: the weights equal the one-call run's bit for bit,
    /// with 2 ranks and with 3 where one rank has no image in any step (batch 2) and starts every bucket after the others.
    /// bf16 on the wire keeps the replicas identical and the weights near the fp32 run's.
    @Test(arguments: [(2, 8), (3, 2)])
    func bucketsGiveTheOneCallWeights(ranks: Int, batch: Int) throws {
        func run(bucketBytes: Int, precision: AllreducePrecision = .fp32) throws -> [[Float]] {
            let directory = TrainingTests().temporaryDirectory("buckets")
            return InProcessWorld.concurrently(InProcessWorld.ranks(ranks)) { _, world in
                let t = try! trainer(world: world, directory: directory, batch: batch)
                t.allreduceBucketBytes = bucketBytes
                t.allreducePrecision = precision
                t.checkReplicas = true
                #expect((try? t.run(threads: 1)) == true)
                return Array(t.model.parameters.values)
            }
        }
        let flat = try run(bucketBytes: 0)
        // 16 bytes: a bucket per layer with tensors (the tiny network has 4).
        #expect(try run(bucketBytes: 16) == flat)
        #expect(try run(bucketBytes: 1 << 20) == flat)
        let compressed = try run(bucketBytes: 16, precision: .bf16)
        #expect(compressed.allSatisfy { $0 == compressed[0] })
        // bf16 without buckets: one bucket of the whole arena after backward, the same sums in another cut.
        #expect(try run(bucketBytes: 0, precision: .bf16) == compressed)
        let scale = flat[0].map(abs).max()!
        let difference = zip(flat[0], compressed[0]).map { abs($0 - $1) }.max()!
        #expect(difference > 0 && difference / scale < 0.05)
    }

    func trainer(world: Communicator, directory: String, spec: String = TrainingTests.spec, batch: Int? = nil) throws -> Trainer {
        let network = try SpecParser.parse(spec, file: "tiny.yaml")[0]
        var config = try #require(network.training)
        config.epochs = 1
        if let batch { config.batch = batch }
        let model = Model(try NetworkAnalysis(network), batchCapacity: Trainer.shareCapacity(batch: config.batch, ranks: world.size))
        model.parameters.initialize(seed: config.seed)
        let train = TrainingTests.data(count: 61, seed: 1)
        model.normalization = ChannelStatistics.normalization(for: config.normalize, training: train)
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        return try Trainer(model: model, config: config, train: train, validation: nil,
                           test: TrainingTests.data(count: 40, seed: 2), directory: directory, world: world)
    }
}

/// Ranks as threads: every collective is a barrier-separated exchange through shared slots,
/// summed in rank order.
final class InProcessWorld: Communicator, @unchecked Sendable {
    final class Hub: @unchecked Sendable {
        let size: Int
        let condition = NSCondition()
        var arrived = 0, generation = 0
        var slots: [[Double]]
        var bytes: [UInt8] = []

        init(size: Int) {
            self.size = size
            slots = Array(repeating: [], count: size)
        }

        func barrier() {
            condition.lock()
            let generation = self.generation
            arrived += 1
            if arrived == size {
                arrived = 0
                self.generation += 1
                condition.broadcast()
            } else {
                while generation == self.generation { condition.wait() }
            }
            condition.unlock()
        }

        func put(_ values: [Double], rank: Int) {
            condition.lock()
            slots[rank] = values
            condition.unlock()
        }
    }

    let hub: Hub
    let rank: Int
    var size: Int { hub.size }

    init(hub: Hub, rank: Int) {
        self.hub = hub
        self.rank = rank
    }

    static func ranks(_ size: Int) -> [InProcessWorld] {
        let hub = Hub(size: size)
        return (0..<size).map { InProcessWorld(hub: hub, rank: $0) }
    }

    /// Runs `body` for every rank on its own thread and returns the results in rank order.
    static func concurrently<T>(_ worlds: [InProcessWorld], _ body: @escaping (Int, InProcessWorld) -> T) -> [T] {
        // Each thread writes only its own slot, under the lock; the group's wait orders the writes before the read.
        let shared = RankResults(count: worlds.count, body: body)
        let lock = NSLock()
        let group = DispatchGroup()
        for (rank, world) in worlds.enumerated() {
            let thread = Thread {
                let result = shared.body(rank, world)
                lock.withLock { shared.results[rank] = result }
                group.leave()
            }
            thread.stackSize = 8 << 20
            group.enter()
            thread.start()
        }
        group.wait()
        return shared.results.map { $0! }
    }

    private func exchange(_ values: [Double]) -> [Double] {
        hub.put(values, rank: rank)
        hub.barrier()
        var total = [Double](repeating: 0, count: values.count)
        for slot in hub.slots { for i in total.indices { total[i] += slot[i] } }
        hub.barrier()
        return total
    }

    func sum(_ values: UnsafeMutableBufferPointer<Float>) {
        // Float sums in rank order, like one fixed reduction tree.
        hub.put(values.map(Double.init), rank: rank)
        hub.barrier()
        for i in values.indices {
            var s: Float = 0
            for slot in hub.slots { s += Float(slot[i]) }
            values[i] = s
        }
        hub.barrier()
    }

    /// bfloat16 sums in rank order, rounding after every addition as MPI's user operation does.
    func startBFloat16Sum(_ values: UnsafeMutableBufferPointer<UInt16>) {
        hub.put(values.map { Double(BFloat16.float($0)) }, rank: rank)
        hub.barrier()
        for i in values.indices {
            var s = BFloat16.rounded(Float(hub.slots[0][i]))
            for slot in hub.slots.dropFirst() { s = BFloat16.rounded(BFloat16.float(s) + Float(slot[i])) }
            values[i] = s
        }
        hub.barrier()
    }

    func sum(_ values: UnsafeMutableBufferPointer<Double>) {
        let total = exchange(Array(values))
        for i in values.indices { values[i] = total[i] }
    }

    func allEqual(_ value: UInt64) -> Bool {
        hub.put([Double(bitPattern: value)], rank: rank)
        hub.barrier()
        let equal = hub.slots.allSatisfy { $0[0].bitPattern == value }
        hub.barrier()
        return equal
    }

    func broadcast(_ values: UnsafeMutableBufferPointer<Float>, root: Int) {
        if rank == root { hub.put(values.map(Double.init), rank: rank) }
        hub.barrier()
        for i in values.indices { values[i] = Float(hub.slots[root][i]) }
        hub.barrier()
    }

    func broadcast(_ bytes: [UInt8], root: Int) -> [UInt8] {
        if rank == root {
            hub.condition.lock()
            hub.bytes = bytes
            hub.condition.unlock()
        }
        hub.barrier()
        let result = hub.bytes
        hub.barrier()
        return result
    }

    func barrier() { hub.barrier() }

    func abort(status: Int32) -> Never { fatalError("rank \(rank) aborted with status \(status)") }
}

final class RankResults<T>: @unchecked Sendable {
    var results: [T?]
    let body: (Int, InProcessWorld) -> T

    init(count: Int, body: @escaping (Int, InProcessWorld) -> T) {
        results = Array(repeating: nil, count: count)
        self.body = body
    }
}
