import CNNDistributed
import CNNRuntime

/// The processes of this run: one, or the ranks of the MPI job that started it.
enum World {
    static func join(forced: Bool, environment: [String: String]) throws(DistributedError) -> Communicator {
        guard forced || MPIWorld.launched(environment) else { return SingleProcess() }
        guard MPIWorld.isAvailable else {
            // `mpirun -np 1` of a build without MPI is still a plain single run; more ranks would each train alone.
            if !forced && MPIWorld.worldSize(environment) == 1 { return SingleProcess() }
            throw .unavailable
        }
        return try MPIWorld.join()
    }
}
