import CNNIR
import CZlib

/// Reads IDX files (LeCun's MNIST format), raw or gzipped: zlib's gzread passes raw files through.
///
/// Layout: magic `00 00 08 NDIM` (0x08 = unsigned byte), NDIM big-endian UInt32 sizes, then the bytes.
///
/// The header is checked against the real payload before anything is allocated for it: a raw file's
/// size must be header + product of the sizes exactly; a gzipped file is inflated in chunks into a
/// buffer that grows only as data arrives and stops at the first byte beyond what the header announces,
/// so a lying header costs at most the real data, and a small .gz that inflates to gigabytes costs at
/// most the announced size plus one chunk.
public enum IDXReader {
    /// Images as stored: `count` × `channels` × `rows` × `columns` bytes.
    public struct Images: Sendable {
        public var count: Int, channels: Int, rows: Int, columns: Int
        public var bytes: [UInt8]
    }

    /// The most data bytes read from one file: 4 GiB. The largest published IDX sets are well below it
    /// (EMNIST ByClass's training images are 0.55 GB, MNIST's 47 MB), and a data set holds its pixels as
    /// Float, four times the file, so 4 GiB of bytes is already 16 GiB of memory; a header claiming more
    /// is far likelier damaged than real. Whether a smaller set fits the machine is checked elsewhere.
    public static let maximumDataBytes = 1 << 32

    /// Bytes inflated per gzread call, and the most a read holds beyond the announced size.
    static let chunkBytes = 1 << 20

    /// An images file: idx3 (count × rows × columns, greyscale, as MNIST) or idx4 (count × channels × rows ×
    /// columns, channels first as PyTorch's tensors, e.g. colour images).
    public static func images(path: String, maxBytes: Int = maximumDataBytes) throws(DataError) -> Images {
        let (dims, data) = try read(path: path, dimensions: [3, 4], what: "image (idx3-ubyte or idx4-ubyte)", maxBytes: maxBytes)
        if dims.count == 3 { return Images(count: dims[0], channels: 1, rows: dims[1], columns: dims[2], bytes: data) }
        return Images(count: dims[0], channels: dims[1], rows: dims[2], columns: dims[3], bytes: data)
    }

    /// An idx1 file of labels.
    public static func labels(path: String, maxBytes: Int = maximumDataBytes) throws(DataError) -> [UInt8] {
        try read(path: path, dimensions: [1], what: "label (idx1-ubyte)", maxBytes: maxBytes).1
    }

    /// Reads a file whose number of dimensions is one of `dimensions`.
    static func read(path: String, dimensions allowed: Set<Int>, what: String, maxBytes: Int) throws(DataError) -> ([Int], [UInt8]) {
        guard let file = gzopen(path, "rb") else {
            throw errno == ENOENT ? .missingFile(path: path) : .unreadable(path: path, reason: String(cString: strerror(errno)))
        }
        defer { gzclose(file) }
        var chunk = [UInt8](repeating: 0, count: chunkBytes)
        /// Inflates up to `count` (≤ chunkBytes) bytes into `chunk`; fewer only at the end of the data.
        func readChunk(_ count: Int) throws(DataError) -> Int {
            var filled = 0
            while filled < count {
                let got = chunk.withUnsafeMutableBytes { gzread(file, $0.baseAddress! + filled, UInt32(count - filled)) }
                if got < 0 {
                    var code: Int32 = 0
                    let reason = gzerror(file, &code).map { String(cString: $0) } ?? "corrupt gzip data"
                    throw .unreadable(path: path, reason: "corrupt gzip data (\(reason))")
                }
                if got == 0 { break }
                filled += Int(got)
            }
            return filled
        }

        // MARK: Header
        let magicCount = try readChunk(4)
        let magic = magicCount == 4 ? chunk[0..<4].reduce(UInt32(0)) { $0 << 8 | UInt32($1) } : 0
        let dimensions = Int(magic & 0xFF)
        guard magic & 0xFFFF_FF00 == 0x0800, allowed.contains(dimensions) else {
            throw .badMagic(path: path, found: magic, expected: what)
        }
        let headerBytes = 4 + 4 * dimensions
        guard try readChunk(4 * dimensions) == 4 * dimensions else { throw .badMagic(path: path, found: magic, expected: what) }
        let header = Array(chunk[0..<(4 * dimensions)])
        var dims: [Int] = []
        for d in 0..<dimensions {
            dims.append(header[(4 * d)..<(4 + 4 * d)].reduce(0) { $0 << 8 | Int($1) })
        }
        let described = dims.map(String.init).joined(separator: " × ")
        guard let expected = CheckedSize.product(dims) else {
            throw .badHeader(path: path, reason: "the sizes \(described) overflow")
        }
        if dimensions >= 3 && dims[0] > 0 && dims[1...].contains(0) {
            let sides = dims[1...].map(String.init).joined(separator: " × ")
            throw .badHeader(path: path, reason: "images of \(sides) \(dimensions == 3 ? "pixels" : "values")")
        }
        guard expected <= maxBytes else { throw .tooLarge(path: path, bytes: expected, limit: maxBytes) }

        // MARK: Payload
        if gzdirect(file) == 1 {
            // A raw file: its size tells whether the header is honest, before any allocation.
            var info = stat()
            if stat(path, &info) == 0 && (info.st_mode & S_IFMT) == S_IFREG {
                let available = Int(info.st_size) - headerBytes
                if available < expected { throw .truncated(path: path, expectedBytes: expected, foundBytes: available) }
                if available > expected { throw .trailingData(path: path, expectedBytes: expected) }
            }
        }
        var data: [UInt8] = []
        data.reserveCapacity(min(expected, chunkBytes))
        while data.count < expected {
            let got = try readChunk(min(chunkBytes, expected - data.count))
            if got == 0 { break }
            if data.count + got > data.capacity {
                // Grow geometrically, but never past what the header announces.
                data.reserveCapacity(min(expected, max(data.count + got, 2 * data.capacity)))
            }
            data.append(contentsOf: chunk[0..<got])
        }
        guard data.count == expected else { throw .truncated(path: path, expectedBytes: expected, foundBytes: data.count) }
        // One byte more would be data the header does not announce (this read also checks the gzip CRC).
        guard try readChunk(1) == 0 else { throw .trailingData(path: path, expectedBytes: expected) }
        return (dims, data)
    }
}

#if canImport(Glibc)
import Glibc
#endif
