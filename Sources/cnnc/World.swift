import CNNDistributed
import CNNRuntime
import Foundation

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

extension World {
    /// Bounds every collective of the training loop: a rank that waits longer than `seconds` for the others
    /// within the training (a rank with no image in a step waits for the others' whole step)
    /// (a host down or cut off, which over TCP raises no error for many minutes) reports and ends, and mpirun
    /// then ends the job. Checkpoints are whole at every moment, so the run resumes from its last epoch.
    static func watch(_ world: Communicator, seconds: Double, folder: String) {
        guard seconds > 0, let watched = world as? PeerWatching else { return }
        // Met once without a limit: the limit is on how far the ranks drift apart while training, not on how much
        // longer one of them took to read its data.
        world.barrier()
        let rank = world.rank
        let host = ProcessInfo.processInfo.hostName
        watched.peerTimeout = PeerTimeout(seconds: seconds) { operation in
            Terminal.flush()
            let message = "cnnc: error: rank \(rank) on \(host) waited \(Format.grouped(Int(seconds.rounded()))) s for the other ranks in \(operation): "
                + "a host is down, unreachable or stopped (the limit is --peer-timeout).\n"
                + "  hint: every finished epoch is checkpointed in \(folder); on the hosts that remain, continue with: "
                + "mpirun -np N cnnc train --resume --out \(folder)\n"
            FileHandle.standardError.write(Data(message.utf8))
            // Not MPI_Abort: it waits on the launcher's network, which may be the part that is gone.
            _exit(75)
        }
    }
}
