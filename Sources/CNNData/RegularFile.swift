/// Whole-file reads for the record and array formats (CIFAR binary, .npy): the size comes from `stat`
/// first, so a reader checks it against what the format allows before it allocates anything.
enum RegularFile {
    /// The size of the regular file at `path`; a missing file, a directory or a device is an error.
    static func size(_ path: String) throws(DataError) -> Int {
        var info = stat()
        guard stat(path, &info) == 0 else {
            throw errno == ENOENT ? .missingFile(path: path) : .unreadable(path: path, reason: String(cString: strerror(errno)))
        }
        guard (info.st_mode & S_IFMT) == S_IFREG else { throw .unreadable(path: path, reason: "not a regular file") }
        return Int(info.st_size)
    }

    /// The first `count` bytes of `path` (its size already checked by the caller); fewer is an error.
    static func read(_ path: String, count: Int) throws(DataError) -> [UInt8] {
        guard let file = fopen(path, "rb") else {
            throw errno == ENOENT ? .missingFile(path: path) : .unreadable(path: path, reason: String(cString: strerror(errno)))
        }
        defer { fclose(file) }
        var bytes = [UInt8](repeating: 0, count: count)
        let got = bytes.withUnsafeMutableBytes { count == 0 ? 0 : fread($0.baseAddress!, 1, count, file) }
        guard got == count else { throw .truncated(path: path, expectedBytes: count, foundBytes: got) }
        return bytes
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
