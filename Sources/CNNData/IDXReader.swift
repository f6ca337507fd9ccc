import CZlib

/// Reads IDX files (LeCun's MNIST format), raw or gzipped: zlib's gzread passes raw files through.
///
/// Layout: magic `00 00 08 NDIM` (0x08 = unsigned byte), NDIM big-endian UInt32 sizes, then the bytes.
public enum IDXReader {
    public struct Array3: Sendable {
        public var count: Int, rows: Int, columns: Int
        public var bytes: [UInt8]
    }

    /// An idx3 file of `count` images of rows × columns bytes.
    public static func images(path: String) throws(DataError) -> Array3 {
        let (dims, data) = try read(path: path, dimensions: 3, what: "image (idx3-ubyte)")
        return Array3(count: dims[0], rows: dims[1], columns: dims[2], bytes: data)
    }

    /// An idx1 file of labels.
    public static func labels(path: String) throws(DataError) -> [UInt8] {
        try read(path: path, dimensions: 1, what: "label (idx1-ubyte)").1
    }

    static func read(path: String, dimensions: Int, what: String) throws(DataError) -> ([Int], [UInt8]) {
        guard let file = gzopen(path, "rb") else {
            throw errno == ENOENT ? .missingFile(path: path) : .unreadable(path: path, reason: String(cString: strerror(errno)))
        }
        defer { gzclose(file) }
        func readExactly(_ n: Int) throws(DataError) -> [UInt8] {
            var buffer = [UInt8](repeating: 0, count: n)
            var filled = 0
            while filled < n {
                let chunk = Int32(min(n - filled, 1 << 30))
                let got = buffer.withUnsafeMutableBytes { gzread(file, $0.baseAddress! + filled, UInt32(chunk)) }
                if got < 0 { throw .unreadable(path: path, reason: "corrupt gzip data") }
                if got == 0 { break }
                filled += Int(got)
            }
            return Array(buffer[0..<filled])
        }
        let header = try readExactly(4 + 4 * dimensions)
        let magic = header.count >= 4 ? header[0..<4].reduce(UInt32(0)) { $0 << 8 | UInt32($1) } : 0
        guard header.count == 4 + 4 * dimensions, magic == 0x0800 | UInt32(dimensions) else {
            throw .badMagic(path: path, found: magic, expected: what)
        }
        var dims: [Int] = []
        for d in 0..<dimensions {
            dims.append(header[(4 + 4 * d)..<(8 + 4 * d)].reduce(0) { $0 << 8 | Int($1) })
        }
        let expected = dims.reduce(1, *)
        guard expected <= 1 << 31 else { throw .unreadable(path: path, reason: "header claims \(expected) bytes") }
        let data = try readExactly(expected)
        guard data.count == expected else { throw .truncated(path: path, expectedBytes: expected, foundBytes: data.count) }
        return (dims, data)
    }
}

#if canImport(Glibc)
import Glibc
#endif
