#if canImport(Glibc)
import Glibc
#endif

/// SIGWINCH, noted by a handler and read by the next step, which redraws at the new width at once.
enum Resize {
    nonisolated(unsafe) private static var flag: sig_atomic_t = 0

    static func watch() {
        signal(SIGWINCH) { _ in Resize.flag = 1 }
    }

    /// Whether the terminal was resized since the last call.
    static func happened() -> Bool {
        guard flag != 0 else { return false }
        flag = 0
        return true
    }
}
