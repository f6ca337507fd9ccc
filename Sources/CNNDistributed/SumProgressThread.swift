import Foundation
#if MPI
import CMPI

/// Moves the gradient buckets' allreduces on while backward computes. Open MPI advances a non-blocking
/// collective only inside MPI calls, so started from the training thread a bucket's exchange would wait
/// for the next layer boundary at every round of the algorithm. This thread makes every MPI call of the
/// started sums: it starts each bucket as it is queued and polls them every `pollMicroseconds` (sleeping
/// in between, so the cores stay with the training threads) until all are done. The training thread calls
/// MPI only when this thread is idle (`waitAll` returned), which is what MPI_THREAD_SERIALIZED allows.
final class SumProgressThread: @unchecked Sendable {
    private let comm: MPI_Comm
    private let condition = NSCondition()
    enum Values {
        case float(UnsafeMutableBufferPointer<Float>)
        /// With the op that adds them (`BFloat16Sum`).
        case bfloat16(UnsafeMutableBufferPointer<UInt16>, MPI_Op)
    }
    private var queued: [Values] = []
    /// Queued or started, and not complete.
    private var outstanding = 0
    private var stopping = false, stopped = false
    /// Measured on DeepConvNet at 1 Gb/s: 50 µs left ~1 ms of a 6.6 ms allreduce after backward, 250 µs ~4 ms, 1 ms ~8 ms.
    let pollMicroseconds: UInt32 = 50

    init(comm: MPI_Comm) {
        self.comm = comm
        let thread = Thread { [self] in run() }
        thread.name = "cnnc allreduce"
        thread.start()
    }

    func enqueue(_ values: Values) {
        condition.lock()
        queued.append(values)
        outstanding += 1
        condition.broadcast()
        condition.unlock()
    }

    /// Waits until every queued sum is complete; false if `deadline` came first (nil: no deadline).
    func waitAll(until deadline: Date?) -> Bool {
        condition.lock()
        defer { condition.unlock() }
        while outstanding > 0 {
            // Not wait(until: .distantFuture): Foundation on Linux converts that date to nanoseconds and traps.
            guard let deadline else {
                condition.wait()
                continue
            }
            if !condition.wait(until: deadline) { return outstanding == 0 }
        }
        return true
    }

    /// Ends the thread (before MPI_Finalize); every sum must be complete.
    func stop() {
        condition.lock()
        stopping = true
        condition.broadcast()
        while !stopped { condition.wait() }
        condition.unlock()
    }

    private func run() {
        var requests: [MPI_Request?] = []
        while true {
            condition.lock()
            while queued.isEmpty && requests.isEmpty && !stopping { condition.wait() }
            if stopping && requests.isEmpty {
                stopped = true
                condition.broadcast()
                condition.unlock()
                return
            }
            let new = queued
            queued.removeAll(keepingCapacity: true)
            condition.unlock()
            for values in new {
                var request: MPI_Request?
                switch values {
                case .float(let values):
                    MPI_Iallreduce(cnnc_mpi_in_place(), values.baseAddress, Int32(values.count), cnnc_mpi_float(), cnnc_mpi_sum(), comm, &request)
                case .bfloat16(let values, let sum):
                    MPI_Iallreduce(cnnc_mpi_in_place(), values.baseAddress, Int32(values.count), cnnc_mpi_uint16(), sum, comm, &request)
                }
                requests.append(request)
            }
            var done: Int32 = 0
            MPI_Testall(Int32(requests.count), &requests, &done, cnnc_mpi_statuses_ignore())
            if done != 0 {
                condition.lock()
                outstanding -= requests.count
                condition.broadcast()
                condition.unlock()
                requests.removeAll(keepingCapacity: true)
            } else {
                usleep(pollMicroseconds)
            }
        }
    }
}
#endif
