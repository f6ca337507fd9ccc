import CNNIR
import CNNData
import Foundation

/// The safetensors format: 8-byte little-endian header length, a JSON header mapping each tensor name
/// to `{"dtype", "shape", "data_offsets"}` (plus an optional `"__metadata__"` of strings), then the raw
/// little-endian data. cnnc writes only F32; PyTorch's `safetensors.torch.load_file` reads the files as they are.
public enum Safetensors {
    public struct Tensor {
        public var name: String
        public var shape: [Int]
        public var values: [Float]

        public init(name: String, shape: [Int], values: [Float]) {
            self.name = name
            self.shape = shape
            self.values = values
        }
    }

    /// Serialises tensors (in the given order) and metadata.
    public static func encode(_ tensors: [Tensor], metadata: [String: String] = [:]) -> Data {
        var header = "{"
        var entries: [String] = []
        if !metadata.isEmpty {
            let pairs = metadata.sorted { $0.key < $1.key }.map { "\(quote($0.key)):\(quote($0.value))" }
            entries.append("\"__metadata__\":{\(pairs.joined(separator: ","))}")
        }
        var offset = 0
        for t in tensors {
            let bytes = t.values.count * 4
            entries.append("\(quote(t.name)):{\"dtype\":\"F32\",\"shape\":[\(t.shape.map(String.init).joined(separator: ","))],\"data_offsets\":[\(offset),\(offset + bytes)]}")
            offset += bytes
        }
        header += entries.joined(separator: ",") + "}"
        // Pad the header with spaces so the data starts 8-byte aligned.
        while header.utf8.count % 8 != 0 { header += " " }
        var data = Data()
        var length = UInt64(header.utf8.count).littleEndian
        withUnsafeBytes(of: &length) { data.append(contentsOf: $0) }
        data.append(contentsOf: header.utf8)
        data.reserveCapacity(data.count + offset)
        for t in tensors {
            t.values.withUnsafeBufferPointer { buffer in
                // Float is little-endian on every platform Swift runs cnnc on (x86-64, arm64).
                data.append(UnsafeBufferPointer(start: UnsafeRawPointer(buffer.baseAddress!).assumingMemoryBound(to: UInt8.self),
                                                count: buffer.count * 4))
            }
        }
        return data
    }

    /// The largest header read: the format's own reference implementation allows 100 MB.
    public static let maximumHeaderBytes = 100_000_000

    /// Parses a safetensors file's bytes into tensors (F32 only) and metadata.
    ///
    /// Every size read from the file is checked before it is used: the header length against the file,
    /// the header itself strictly (see `SafetensorsHeader`), each shape's element count and byte size with
    /// overflow-checked arithmetic, and the tensors' byte ranges, which must tile the data area exactly
    /// (no gap, overlap or trailing bytes), as in the format's reference implementation.
    public static func decode(_ data: Data, path: String) throws(CheckpointError) -> (tensors: [String: Tensor], metadata: [String: String]) {
        try data.withUnsafeBytes { raw in
            Result { () throws(CheckpointError) in try decode(raw, path: path) }
        }.get()
    }

    private static func decode(_ raw: UnsafeRawBufferPointer, path: String) throws(CheckpointError)
        -> (tensors: [String: Tensor], metadata: [String: String]) {
        func corrupt(_ reason: String) -> CheckpointError { .corrupt(path: path, reason: reason) }
        guard raw.count >= 8 else { throw corrupt("shorter than the 8-byte header length") }
        let headerLength = (0..<8).reduce(UInt64(0)) { $0 | UInt64(raw[$1]) << (8 * UInt64($1)) }
        guard headerLength <= UInt64(raw.count - 8) else {
            throw corrupt("header length \(headerLength) exceeds the file's \(raw.count - 8) bytes after it")
        }
        guard headerLength <= UInt64(maximumHeaderBytes) else {
            throw corrupt("header length \(headerLength) is more than the format's limit of \(maximumHeaderBytes) bytes")
        }
        let base = 8 + Int(headerLength)
        let header: SafetensorsHeader
        do {
            header = try SafetensorsHeader(UnsafeRawBufferPointer(rebasing: raw[8..<base]))
        } catch {
            throw corrupt(error.reason)
        }
        let dataBytes = raw.count - base
        var tensors: [String: Tensor] = [:]
        for entry in header.entries {
            let name = entry.name
            guard entry.dtype == "F32" else { throw corrupt("tensor '\(name)' is \(entry.dtype); cnnc reads F32") }
            guard let count = CheckedSize.product(entry.shape),
                  let bytes = CheckedSize.product([count, MemoryLayout<Float>.size]) else {
                throw corrupt("tensor '\(name)' has shape \(entry.shape), whose size overflows")
            }
            guard entry.begin >= 0, entry.begin <= entry.end, entry.end <= dataBytes else {
                throw corrupt("tensor '\(name)' has data_offsets [\(entry.begin), \(entry.end)] outside the \(dataBytes) data bytes")
            }
            guard entry.end - entry.begin == bytes else {
                throw corrupt("tensor '\(name)' of shape \(entry.shape) needs \(bytes) bytes but its data_offsets [\(entry.begin), \(entry.end)] hold \(entry.end - entry.begin)")
            }
        }
        // The ranges tile the data area: sorted by start, each begins where the previous one ended.
        var next = 0
        for entry in header.entries.sorted(by: { ($0.begin, $0.end) < ($1.begin, $1.end) }) {
            guard entry.begin == next else {
                throw corrupt(entry.begin < next ? "tensor '\(entry.name)' overlaps another tensor's data"
                                                 : "no tensor holds data bytes \(next)..<\(entry.begin)")
            }
            next = entry.end
        }
        guard next == dataBytes else { throw corrupt("\(dataBytes - next) bytes follow the last tensor's data") }
        // Every size is now backed by the file: the copies below allocate at most the file's size.
        for entry in header.entries {
            var values = [Float](repeating: 0, count: (entry.end - entry.begin) / MemoryLayout<Float>.size)
            values.withUnsafeMutableBytes { $0.copyMemory(from: UnsafeRawBufferPointer(rebasing: raw[(base + entry.begin)..<(base + entry.end)])) }
            tensors[entry.name] = Tensor(name: entry.name, shape: entry.shape, values: values)
        }
        return (tensors, header.metadata)
    }

    static func quote(_ s: String) -> String {
        var out = "\""
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            default:
                if scalar.value < 0x20 { out += "\\u00" + (scalar.value < 16 ? "0" : "") + String(scalar.value, radix: 16) }
                else { out.unicodeScalars.append(scalar) }
            }
        }
        return out + "\""
    }
}

public enum CheckpointError: Error, Equatable, Sendable {
    case missing(path: String)
    case corrupt(path: String, reason: String)
    case unwritable(path: String, reason: String)
    case mismatch(what: String, reason: String)
    /// The disk filled while writing `bytes` bytes; the file that was there is unchanged.
    case diskFull(path: String, bytes: Int)
    /// The path names a device, FIFO, directory or socket, which cnnc never replaces.
    case notRegularFile(path: String, kind: String)

    public var message: String {
        switch self {
        case .missing(let path): return "\(path): no such checkpoint"
        case .corrupt(let path, let reason): return "\(path): not a valid safetensors file: \(reason)"
        case .unwritable(let path, let reason): return "\(path): cannot write: \(reason)"
        case .mismatch(let what, let reason): return "checkpoint does not fit the spec: \(what) \(reason)"
        case .diskFull(let path, let bytes):
            return "\(path): cannot write \(Self.mebibytes(bytes)): the disk is full; the file that was there is left as it was"
        case .notRegularFile(let path, let kind): return "\(path): is \(kind); cnnc writes only regular files and never replaces anything else"
        }
    }

    public var hint: String? {
        switch self {
        case .missing: return "pass the path of a .safetensors file written by 'cnnc train' (runs/<name>-<time>/best.safetensors)"
        case .corrupt: return "the file may be truncated; use the run's other checkpoint (last or best)"
        case .unwritable: return "check that the output folder exists and is writable (--out DIR)"
        case .mismatch: return "use the checkpoint written for this spec, or the spec it was trained with"
        case .diskFull(let path, _):
            let folder = (path as NSString).deletingLastPathComponent
            return "free space on the disk that holds \(folder.isEmpty ? "." : folder) (df -h shows it), or write elsewhere (train: --out DIR)"
        case .notRegularFile: return "name a new or regular file (a symbolic link to a regular file is written through)"
        }
    }

    static func mebibytes(_ bytes: Int) -> String {
        bytes < 1 << 20 ? "\(bytes) bytes" : String(format: "%.1f MiB", Double(bytes) / Double(1 << 20))
    }
}
