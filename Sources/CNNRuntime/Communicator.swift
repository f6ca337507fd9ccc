import Foundation

/// The processes one training run is spread over (data parallel, one model replica each).
/// A plain run is a world of one; the MPI world lives in CNNDistributed, so the runtime never links MPI.
public protocol Communicator: AnyObject {
    var rank: Int { get }
    var size: Int { get }
    /// Element-wise sum over every rank, in place; every rank gets the result.
    func sum(_ values: UnsafeMutableBufferPointer<Float>)
    func sum(_ values: UnsafeMutableBufferPointer<Double>)
    /// Starts an element-wise sum over every rank, in place, and returns at once: the values are not to be
    /// read or written until `finishSums`. Sums started in the same order on every rank pair up.
    func startSum(_ values: UnsafeMutableBufferPointer<Float>)
    /// Starts a sum of bfloat16 values (`BFloat16`), each pair added in float and rounded back; as `startSum` otherwise.
    func startBFloat16Sum(_ values: UnsafeMutableBufferPointer<UInt16>)
    /// Lets the started sums move on (MPI progresses non-blocking collectives only inside its calls).
    func progressSums()
    /// Returns when every started sum is complete.
    func finishSums()
    /// True on every rank when `value` is the same on every rank.
    func allEqual(_ value: UInt64) -> Bool
    /// Rank `root`'s values, on every rank.
    func broadcast(_ values: UnsafeMutableBufferPointer<Float>, root: Int)
    func broadcast(_ bytes: [UInt8], root: Int) -> [UInt8]
    /// Returns when every rank has called it.
    func barrier()
    /// Ends every process of the job with this exit status.
    func abort(status: Int32) -> Never
}

extension Communicator {
    /// Rank 0 prints, writes the run folder and reads checkpoints for everyone.
    public var isRoot: Bool { rank == 0 }

    public func sum(_ values: inout [Double]) {
        values.withUnsafeMutableBufferPointer { sum($0) }
    }

    /// True on every rank when `flag` is true on any rank: a stop request seen by one rank stops all of them at the same step.
    public func any(_ flag: Bool) -> Bool {
        guard size > 1 else { return flag }
        var value: [Double] = [flag ? 1 : 0]
        sum(&value)
        return value[0] > 0
    }

    /// A world without non-blocking sums sums at once.
    public func startSum(_ values: UnsafeMutableBufferPointer<Float>) { sum(values) }
    /// Only a world of one has nothing to add.
    public func startBFloat16Sum(_ values: UnsafeMutableBufferPointer<UInt16>) {
        precondition(size == 1, "this communicator cannot sum bfloat16 values")
    }
    public func progressSums() {}
    public func finishSums() {}

    public func broadcast(_ string: String, root: Int) -> String {
        String(decoding: broadcast(Array(string.utf8), root: root), as: UTF8.self)
    }
}

/// A world of one process: every collective is the identity.
public final class SingleProcess: Communicator {
    public init() {}
    public var rank: Int { 0 }
    public var size: Int { 1 }
    public func sum(_ values: UnsafeMutableBufferPointer<Float>) {}
    public func sum(_ values: UnsafeMutableBufferPointer<Double>) {}
    public func allEqual(_ value: UInt64) -> Bool { true }
    public func broadcast(_ values: UnsafeMutableBufferPointer<Float>, root: Int) {}
    public func broadcast(_ bytes: [UInt8], root: Int) -> [UInt8] { bytes }
    public func barrier() {}
    public func abort(status: Int32) -> Never { exit(status) }
}

/// How a global batch is split over ranks: contiguous parts, the first `count % size` ranks one item more,
/// so every example of a step goes to exactly one rank whatever the sizes.
public enum Shard {
    public static func range(count: Int, rank: Int, size: Int) -> Range<Int> {
        let base = count / size, extra = count % size
        let start = rank * base + min(rank, extra)
        return start..<(start + base + (rank < extra ? 1 : 0))
    }
}
