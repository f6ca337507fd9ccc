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

    /// Parses a safetensors file's bytes into tensors (F32 only) and metadata.
    public static func decode(_ data: Data, path: String) throws(CheckpointError) -> (tensors: [String: Tensor], metadata: [String: String]) {
        guard data.count >= 8 else { throw .corrupt(path: path, reason: "shorter than the 8-byte header length") }
        let headerLength = data.prefix(8).enumerated().reduce(UInt64(0)) { $0 | UInt64($1.element) << (8 * UInt64($1.offset)) }
        guard headerLength <= UInt64(data.count - 8), headerLength < 100_000_000 else {
            throw .corrupt(path: path, reason: "header length \(headerLength) exceeds the file")
        }
        let headerData = data.subdata(in: 8..<(8 + Int(headerLength)))
        guard let header = (try? JSONSerialization.jsonObject(with: headerData)) as? [String: Any] else {
            throw .corrupt(path: path, reason: "the header is not a JSON object")
        }
        let base = 8 + Int(headerLength)
        var tensors: [String: Tensor] = [:]
        var metadata: [String: String] = [:]
        for (name, value) in header {
            if name == "__metadata__" {
                metadata = (value as? [String: String]) ?? [:]
                continue
            }
            guard let info = value as? [String: Any], let dtype = info["dtype"] as? String,
                  let shape = info["shape"] as? [Int], let offsets = info["data_offsets"] as? [Int], offsets.count == 2 else {
                throw .corrupt(path: path, reason: "tensor '\(name)' has a malformed entry")
            }
            guard dtype == "F32" else { throw .corrupt(path: path, reason: "tensor '\(name)' is \(dtype); cnnc reads F32") }
            let count = shape.reduce(1, *)
            guard offsets[1] - offsets[0] == count * 4, offsets[0] >= 0, base + offsets[1] <= data.count else {
                throw .corrupt(path: path, reason: "tensor '\(name)' data is out of bounds or of the wrong size")
            }
            var values = [Float](repeating: 0, count: count)
            values.withUnsafeMutableBytes { dst in
                data.copyBytes(to: dst.bindMemory(to: UInt8.self), from: (base + offsets[0])..<(base + offsets[1]))
            }
            tensors[name] = Tensor(name: name, shape: shape, values: values)
        }
        return (tensors, metadata)
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
