#if canImport(Glibc)
import Glibc
#endif

/// Ctrl-C (or the SIGTERM mpirun sends) asks the trainer to save and stop at the next step; a second one exits at once.
enum Interrupt {
    nonisolated(unsafe) static var requested = false

    static func install() {
        for name in [SIGINT, SIGTERM] {
            signal(name) { _ in
                if Interrupt.requested { _exit(130) }
                Interrupt.requested = true
            }
        }
    }
}
