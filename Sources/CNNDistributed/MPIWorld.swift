import CNNRuntime
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
    public static func join() throws(DistributedError) -> Communicator & Finalizable {
        #if MPI
        return try MPICommunicator()
        #else
        throw .unavailable
        #endif
    }
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
/// MPI_COMM_WORLD. Collectives are blocking and in place; errors are fatal (MPI's default), so a
/// failed rank ends the whole job instead of leaving the others waiting.
final class MPICommunicator: Communicator, Finalizable {
    let comm: MPI_Comm
    let rank: Int
    let size: Int

    init() throws(DistributedError) {
        let status = MPI_Init(nil, nil)
        guard status == MPI_SUCCESS else { throw .initialization(code: status) }
        comm = cnnc_mpi_comm_world()
        var value: Int32 = 0
        MPI_Comm_rank(comm, &value)
        rank = Int(value)
        MPI_Comm_size(comm, &value)
        size = Int(value)
    }

    func sum(_ values: UnsafeMutableBufferPointer<Float>) {
        guard size > 1, !values.isEmpty else { return }
        MPI_Allreduce(cnnc_mpi_in_place(), values.baseAddress, Int32(values.count), cnnc_mpi_float(), cnnc_mpi_sum(), comm)
    }

    func sum(_ values: UnsafeMutableBufferPointer<Double>) {
        guard size > 1, !values.isEmpty else { return }
        MPI_Allreduce(cnnc_mpi_in_place(), values.baseAddress, Int32(values.count), cnnc_mpi_double(), cnnc_mpi_sum(), comm)
    }

    /// AND of the value and of its complement: both equal the local ones on every rank exactly when all values agree.
    func allEqual(_ value: UInt64) -> Bool {
        guard size > 1 else { return true }
        var pair: [UInt64] = [value, ~value]
        MPI_Allreduce(cnnc_mpi_in_place(), &pair, 2, cnnc_mpi_uint64(), cnnc_mpi_band(), comm)
        return pair[0] == value && pair[1] == ~value
    }

    func broadcast(_ values: UnsafeMutableBufferPointer<Float>, root: Int) {
        guard size > 1, !values.isEmpty else { return }
        MPI_Bcast(values.baseAddress, Int32(values.count), cnnc_mpi_float(), Int32(root), comm)
    }

    func broadcast(_ bytes: [UInt8], root: Int) -> [UInt8] {
        guard size > 1 else { return bytes }
        var count: [UInt64] = [UInt64(bytes.count)]
        MPI_Bcast(&count, 1, cnnc_mpi_uint64(), Int32(root), comm)
        var result = rank == root ? bytes : [UInt8](repeating: 0, count: Int(count[0]))
        // Chunks below 2^31 bytes: MPI counts are 32-bit.
        var offset = 0
        result.withUnsafeMutableBytes { buffer in
            while offset < buffer.count {
                let chunk = min(buffer.count - offset, 1 << 30)
                MPI_Bcast(buffer.baseAddress! + offset, Int32(chunk), cnnc_mpi_byte(), Int32(root), comm)
                offset += chunk
            }
        }
        return result
    }

    func barrier() {
        MPI_Barrier(comm)
    }

    func abort(status: Int32) -> Never {
        MPI_Abort(comm, status)
        exit(status)
    }

    func finalize() {
        MPI_Finalize()
    }
}
#endif
