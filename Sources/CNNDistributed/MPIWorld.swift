import CNNRuntime
import Dispatch
import Foundation
#if MPI
import CMPI
#endif

/// Joining the MPI job this process was started in (`mpirun -np N cnnc train …`).
/// MPI is behind the package trait `MPI` (`swift build -c release --traits MPI`): a cnnc built
/// without it runs single-process and says how to rebuild when it finds itself under mpirun.
public enum MPIWorld {
    public static var isAvailable: Bool {
        #if MPI
        return true
        #else
        return false
        #endif
    }

    /// Whether a launcher started this process as one rank of a job (Open MPI's mpirun, or a PMI/PMIx launcher such as srun).
    public static func launched(_ environment: [String: String]) -> Bool {
        worldSize(environment) != nil
    }

    /// The job's rank count as the launcher announced it, before MPI_Init.
    public static func worldSize(_ environment: [String: String]) -> Int? {
        for key in ["OMPI_COMM_WORLD_SIZE", "PMIX_SIZE", "PMI_SIZE"] {
            if let value = environment[key].flatMap(Int.init) { return value }
        }
        return nil
    }

    /// Ranks on this machine: they share its cores, so each takes cores / local ranks threads by default.
    public static func localSize(_ environment: [String: String]) -> Int {
        max(1, environment["OMPI_COMM_WORLD_LOCAL_SIZE"].flatMap(Int.init) ?? 1)
    }

    /// Calls MPI_Init and returns the world; call once, and `finalize` at the end of a successful run.
    public static func join() throws(DistributedError) -> Communicator & Finalizable & PeerWatching {
        #if MPI
        return try MPICommunicator()
        #else
        throw .unavailable
        #endif
    }
}

/// A bound on how long one collective may wait for the other ranks: over a network a host that disappears
/// (cable, power, a link taken down) sends no error, and TCP would keep retrying for many minutes.
public struct PeerTimeout: Sendable {
    public var seconds: Double
    /// Called on the rank that waited too long, with what it was waiting in; it reports and ends the process.
    public var expired: @Sendable (_ operation: String) -> Never
    public init(seconds: Double, expired: @escaping @Sendable (_ operation: String) -> Never) {
        self.seconds = seconds
        self.expired = expired
    }
}

public protocol PeerWatching: AnyObject {
    /// From now on every collective gives up after `timeout.seconds` without completing (nil: wait forever, MPI's default).
    var peerTimeout: PeerTimeout? { get set }
}

public protocol Finalizable {
    /// MPI_Finalize: every rank calls it once, after its last collective.
    func finalize()
}

public enum DistributedError: Error, Sendable {
    case unavailable
    case initialization(code: Int32)

    public var message: String {
        switch self {
        case .unavailable:
            return "this cnnc was built without MPI, so it cannot join an MPI job"
        case .initialization(let code):
            return "MPI_Init failed with error code \(code)"
        }
    }

    public var hint: String? {
        switch self {
        case .unavailable:
            return "install Open MPI (apt-get install -y libopenmpi-dev openmpi-bin) and build with: swift build -c release --traits MPI"
        case .initialization:
            return "start cnnc with mpirun (as root: mpirun --allow-run-as-root -np 2 …), or without --distributed for a single process"
        }
    }
}

#if MPI
/// MPI_COMM_WORLD. Collectives are in place; errors are fatal (MPI's default), so a failed rank ends the
/// whole job instead of leaving the others waiting. Each collective is started non-blocking and polled to
/// completion, so that `peerTimeout` can bound the wait.
final class MPICommunicator: Communicator, Finalizable, PeerWatching {
    let comm: MPI_Comm
    let rank: Int
    let size: Int

    var peerTimeout: PeerTimeout?

    init() throws(DistributedError) {
        // Open MPI's non-blocking allreduce (libnbc) picks reduce-then-broadcast for every in-place sum and for fewer
        // than 4 ranks: each byte crosses the link twice in turn, and log2(N) times on N ranks. cnnc's sums are in
        // place, so it asks for the ring (each byte sent 2 (N-1)/N times), measured at half the time for ResNet-18's
        // 47 MB of gradients at 1 Gb/s (docs/scaling.md); `mpirun --mca coll_libnbc_iallreduce_algorithm K` still wins.
        setenv("OMPI_MCA_coll_libnbc_iallreduce_algorithm", "1", 0)
        var provided: Int32 = 0
        let status = MPI_Init_thread(nil, nil, Int32(MPI_THREAD_SERIALIZED), &provided)
        guard status == MPI_SUCCESS else { throw .initialization(code: status) }
        comm = cnnc_mpi_comm_world()
        var value: Int32 = 0
        MPI_Comm_rank(comm, &value)
        rank = Int(value)
        MPI_Comm_size(comm, &value)
        size = Int(value)
        bfloat16Sum = Self.bfloat16Operation()
        if size > 1, provided >= Int32(MPI_THREAD_SERIALIZED) { progress = SumProgressThread(comm: comm) }
    }

    /// Polls a started collective to completion, giving up after `peerTimeout`.
    private func complete(_ request: inout MPI_Request?, _ operation: String) {
        guard let peerTimeout else {
            MPI_Wait(&request, cnnc_mpi_status_ignore())
            return
        }
        let deadline = DispatchTime.now().uptimeNanoseconds + UInt64(peerTimeout.seconds * 1e9)
        var done: Int32 = 0, polls = 0
        while true {
            MPI_Test(&request, &done, cnnc_mpi_status_ignore())
            if done != 0 { return }
            polls += 1
            if polls % 4096 == 0, DispatchTime.now().uptimeNanoseconds > deadline { peerTimeout.expired(operation) }
        }
    }

    func sum(_ values: UnsafeMutableBufferPointer<Float>) {
        guard size > 1, !values.isEmpty else { return }
        var request: MPI_Request?
        MPI_Iallreduce(cnnc_mpi_in_place(), values.baseAddress, Int32(values.count), cnnc_mpi_float(), cnnc_mpi_sum(), comm, &request)
        complete(&request, "a sum over the ranks")
    }

    /// Runs the MPI calls of started sums (nil if MPI gave less than MPI_THREAD_SERIALIZED: then they start at
    /// once and move on at each `progressSums`).
    private var progress: SumProgressThread?
    /// Requests of the sums started without a progress thread since the last `finishSums`.
    private var pending: [MPI_Request?] = []

    func startSum(_ values: UnsafeMutableBufferPointer<Float>) {
        guard size > 1, !values.isEmpty else { return }
        if let progress { return progress.enqueue(.float(values)) }
        var request: MPI_Request?
        MPI_Iallreduce(cnnc_mpi_in_place(), values.baseAddress, Int32(values.count), cnnc_mpi_float(), cnnc_mpi_sum(), comm, &request)
        pending.append(request)
    }

    /// The operation adding bfloat16 values (made in `init`: the training thread may not call MPI once the progress thread runs).
    private let bfloat16Sum: MPI_Op

    private static func bfloat16Operation() -> MPI_Op {
        var op: MPI_Op?
        MPI_Op_create({ input, output, count, _ in
            guard let input, let output, let count else { return }
            let a = input.assumingMemoryBound(to: UInt16.self), b = output.assumingMemoryBound(to: UInt16.self)
            for i in 0..<Int(count.pointee) { b[i] = BFloat16.rounded(BFloat16.float(a[i]) + BFloat16.float(b[i])) }
        }, 1, &op)
        return op!
    }

    func startBFloat16Sum(_ values: UnsafeMutableBufferPointer<UInt16>) {
        guard size > 1, !values.isEmpty else { return }
        if let progress { return progress.enqueue(.bfloat16(values, bfloat16Sum)) }
        var request: MPI_Request?
        MPI_Iallreduce(cnnc_mpi_in_place(), values.baseAddress, Int32(values.count), cnnc_mpi_uint16(), bfloat16Sum, comm, &request)
        pending.append(request)
    }

    func progressSums() {
        guard !pending.isEmpty else { return }
        var done: Int32 = 0
        MPI_Testall(Int32(pending.count), &pending, &done, cnnc_mpi_statuses_ignore())
    }

    func finishSums() {
        if let progress {
            if !progress.waitAll(until: peerTimeout.map { Date(timeIntervalSinceNow: $0.seconds) }) {
                peerTimeout?.expired("the gradient allreduce")
            }
        }
        for k in pending.indices { complete(&pending[k], "the gradient allreduce") }
        pending.removeAll(keepingCapacity: true)
    }

    func sum(_ values: UnsafeMutableBufferPointer<Double>) {
        guard size > 1, !values.isEmpty else { return }
        var request: MPI_Request?
        MPI_Iallreduce(cnnc_mpi_in_place(), values.baseAddress, Int32(values.count), cnnc_mpi_double(), cnnc_mpi_sum(), comm, &request)
        complete(&request, "a sum over the ranks")
    }

    /// AND of the value and of its complement: both equal the local ones on every rank exactly when all values agree.
    func allEqual(_ value: UInt64) -> Bool {
        guard size > 1 else { return true }
        var pair: [UInt64] = [value, ~value]
        // The buffer must stay put until the collective completes, not only during the call that starts it.
        pair.withUnsafeMutableBufferPointer { pair in
            var request: MPI_Request?
            MPI_Iallreduce(cnnc_mpi_in_place(), pair.baseAddress, 2, cnnc_mpi_uint64(), cnnc_mpi_band(), comm, &request)
            complete(&request, "a comparison across the ranks")
        }
        return pair[0] == value && pair[1] == ~value
    }

    func broadcast(_ values: UnsafeMutableBufferPointer<Float>, root: Int) {
        guard size > 1, !values.isEmpty else { return }
        var request: MPI_Request?
        MPI_Ibcast(values.baseAddress, Int32(values.count), cnnc_mpi_float(), Int32(root), comm, &request)
        complete(&request, "a broadcast from rank \(root)")
    }

    func broadcast(_ bytes: [UInt8], root: Int) -> [UInt8] {
        guard size > 1 else { return bytes }
        var count: [UInt64] = [UInt64(bytes.count)]
        var request: MPI_Request?
        count.withUnsafeMutableBufferPointer { count in
            MPI_Ibcast(count.baseAddress, 1, cnnc_mpi_uint64(), Int32(root), comm, &request)
            complete(&request, "a broadcast from rank \(root)")
        }
        var result = rank == root ? bytes : [UInt8](repeating: 0, count: Int(count[0]))
        // Chunks below 2^31 bytes: MPI counts are 32-bit.
        var offset = 0
        result.withUnsafeMutableBytes { buffer in
            while offset < buffer.count {
                let chunk = min(buffer.count - offset, 1 << 30)
                MPI_Ibcast(buffer.baseAddress! + offset, Int32(chunk), cnnc_mpi_byte(), Int32(root), comm, &request)
                complete(&request, "a broadcast from rank \(root)")
                offset += chunk
            }
        }
        return result
    }

    func barrier() {
        var request: MPI_Request?
        MPI_Ibarrier(comm, &request)
        complete(&request, "waiting for the other ranks")
    }

    func abort(status: Int32) -> Never {
        MPI_Abort(comm, status)
        exit(status)
    }

    func finalize() {
        progress?.stop()
        MPI_Finalize()
    }
}
#endif
