import Foundation

/// Model weights as safetensors: one tensor per parameter named `<layer>.weight`, `<layer>.bias`
/// (batchnorm also `.running_mean`, `.running_var`), in PyTorch's layouts.
public enum Checkpoint {
    public static func save(_ parameters: ParameterStore, to path: String, metadata: [String: String] = [:]) throws(CheckpointError) {
        let tensors = parameters.entries.map { Safetensors.Tensor(name: $0.name, shape: $0.spec.shape, values: parameters.tensor($0)) }
        try AtomicFile.write(Safetensors.encode(tensors, metadata: metadata), to: path)
    }

    /// Loads every tensor of the model from `path`; names and shapes must match exactly.
    @discardableResult
    public static func load(_ parameters: ParameterStore, from path: String) throws(CheckpointError) -> [String: String] {
        try load(parameters, from: contents(path), path: path)
    }

    /// The same, from a file's bytes (read on rank 0 and broadcast under MPI); `path` names it in errors.
    @discardableResult
    public static func load(_ parameters: ParameterStore, from data: Data, path: String) throws(CheckpointError) -> [String: String] {
        let (tensors, metadata) = try Safetensors.decode(data, path: path)
        try load(parameters, tensors: tensors, path: path)
        return metadata
    }

    /// Copies decoded tensors into the parameters; every name must be there with the spec's shape and finite values.
    public static func load(_ parameters: ParameterStore, tensors: [String: Safetensors.Tensor], path: String) throws(CheckpointError) {
        for entry in parameters.entries {
            guard let tensor = tensors[entry.name] else {
                throw .mismatch(what: "tensor '\(entry.name)'", reason: "is missing from \(path)")
            }
            guard tensor.shape == entry.spec.shape else {
                throw .mismatch(what: "tensor '\(entry.name)'", reason: "has shape \(tensor.shape) in \(path), the spec needs \(entry.spec.shape)")
            }
            guard tensor.values.allSatisfy(\.isFinite) else {
                throw .corrupt(path: path, reason: "tensor '\(entry.name)' holds NaN or infinite values")
            }
            parameters.markChanged()
            tensor.values.withUnsafeBufferPointer {
                (parameters.values.baseAddress! + entry.offset).update(from: $0.baseAddress!, count: entry.count)
            }
        }
    }

    public static func read(_ path: String) throws(CheckpointError) -> (tensors: [String: Safetensors.Tensor], metadata: [String: String]) {
        try Safetensors.decode(contents(path), path: path)
    }

    /// A checkpoint file's bytes, with the errors a missing or unreadable file deserves.
    public static func bytes(_ path: String) throws(CheckpointError) -> [UInt8] {
        [UInt8](try contents(path))
    }

    /// The same as `Data`, read once. Only a regular file is read: a device such as /dev/zero would
    /// never end, and a directory has no bytes.
    public static func contents(_ path: String) throws(CheckpointError) -> Data {
        var info = stat()
        guard stat(path, &info) == 0 else { throw .missing(path: path) }
        guard (info.st_mode & S_IFMT) == S_IFREG else { throw .corrupt(path: path, reason: "not a regular file") }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw .corrupt(path: path, reason: "unreadable")
        }
        return data
    }
}

#if canImport(Glibc)
import Glibc
#endif
