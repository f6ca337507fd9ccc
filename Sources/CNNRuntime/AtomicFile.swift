import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Writes a file atomically and durably: the bytes go to a temporary file beside the target, which is
/// fsynced, renamed over the target, and the directory fsynced, so that a crash, a kill or a power cut
/// leaves either the old file or the new one, never a mixture (POSIX rename is atomic).
///
/// - A symbolic link is written through: the file it names is replaced, the link stays.
/// - Anything but a regular file (a device such as /dev/full, a FIFO, a directory, a socket) is refused,
///   never replaced.
/// - A full disk (ENOSPC, EDQUOT) is its own error, and the old file is left as it was.
/// - Temporary files `NAME.tmp-PID` left by a killed process are removed on the next write of `NAME`.
public enum AtomicFile {
    public static func write(_ data: Data, to path: String) throws(CheckpointError) {
        let target = try resolve(path)
        removeStaleTemporaries(of: target)
        let temporary = target + ".tmp-\(getpid())"
        let fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw failure(path: path, errno: errno, bytes: data.count) }
        var error: Int32 = 0
        data.withUnsafeBytes { raw in
            var offset = 0
            while offset < raw.count {
                let written = Glibc.write(fd, raw.baseAddress! + offset, raw.count - offset)
                if written < 0 {
                    if errno == EINTR { continue }
                    error = errno
                    return
                }
                offset += written
            }
        }
        if error == 0 && fsync(fd) != 0 { error = errno }
        if close(fd) != 0 && error == 0 { error = errno }
        guard error == 0 else {
            unlink(temporary)
            throw failure(path: path, errno: error, bytes: data.count)
        }
        guard rename(temporary, target) == 0 else {
            let renameError = errno
            unlink(temporary)
            throw failure(path: path, errno: renameError, bytes: data.count)
        }
        // The rename is durable only once the directory entry is on disk.
        let directory = open(directoryName(of: target), O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if directory >= 0 {
            fsync(directory)
            close(directory)
        }
    }

    /// The regular file that a write of `path` replaces: `path` itself, or where its symbolic links lead.
    static func resolve(_ path: String) throws(CheckpointError) -> String {
        var current = path
        for _ in 0..<40 {
            var info = stat()
            guard lstat(current, &info) == 0 else {
                // A new file; its folder must exist (open reports it otherwise).
                return current
            }
            switch info.st_mode & S_IFMT {
            case S_IFREG: return current
            case S_IFLNK:
                var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
                let length = readlink(current, &buffer, buffer.count - 1)
                guard length > 0 else { throw .unwritable(path: path, reason: String(cString: strerror(errno))) }
                let destination = String(decoding: buffer[0..<length].map { UInt8(bitPattern: $0) }, as: UTF8.self)
                current = destination.hasPrefix("/") ? destination : directoryName(of: current) + "/" + destination
            case S_IFDIR: throw .notRegularFile(path: path, kind: "a directory")
            case S_IFCHR, S_IFBLK: throw .notRegularFile(path: path, kind: "a device")
            case S_IFIFO: throw .notRegularFile(path: path, kind: "a FIFO (named pipe)")
            case S_IFSOCK: throw .notRegularFile(path: path, kind: "a socket")
            default: throw .notRegularFile(path: path, kind: "not a regular file")
            }
        }
        throw .unwritable(path: path, reason: "too many levels of symbolic links")
    }

    /// Deletes `NAME.tmp-PID` beside `target` when no process PID is running (a write that was killed).
    static func removeStaleTemporaries(of target: String) {
        let directory = directoryName(of: target)
        let prefix = (target as NSString).lastPathComponent + ".tmp-"
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: directory) else { return }
        for name in names where name.hasPrefix(prefix) {
            guard let pid = Int32(name.dropFirst(prefix.count)), pid != getpid() else { continue }
            if kill(pid, 0) != 0 && errno == ESRCH { unlink(directory + "/" + name) }
        }
    }

    static func directoryName(of path: String) -> String {
        let directory = (path as NSString).deletingLastPathComponent
        return directory.isEmpty ? "." : directory
    }

    static func failure(path: String, errno code: Int32, bytes: Int) -> CheckpointError {
        if code == ENOSPC || code == EDQUOT { return .diskFull(path: path, bytes: bytes) }
        return .unwritable(path: path, reason: String(cString: strerror(code)))
    }
}
