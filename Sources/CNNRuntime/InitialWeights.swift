/// `--init-weights`: a checkpoint's tensors matched to the spec's by name and shape (fine-tuning). Exact, every
/// tensor of the spec is loaded and the checkpoint has no others; partial, whatever matches is loaded and the
/// rest is reported.
public struct InitialWeights: Sendable, Equatable {
    /// Loaded into the model.
    public var loaded: [String] = []
    /// In the checkpoint, with no tensor of that name in the spec: not used.
    public var skipped: [String] = []
    /// In the spec, not in the checkpoint: left at the spec's init.
    public var leftAtInit: [String] = []
    /// In both with different shapes: left at the spec's init.
    public var refused: [(name: String, checkpoint: [Int], spec: [Int])] = []

    public var isExact: Bool { skipped.isEmpty && leftAtInit.isEmpty && refused.isEmpty }

    public static func == (a: InitialWeights, b: InitialWeights) -> Bool {
        a.loaded == b.loaded && a.skipped == b.skipped && a.leftAtInit == b.leftAtInit
            && a.refused.map(\.name) == b.refused.map(\.name) && a.refused.map(\.checkpoint) == b.refused.map(\.checkpoint)
    }

    /// Matches `path`'s tensors to `parameters` and loads those that fit, unless the match is not exact and
    /// `partial` is false: then nothing is loaded and the error says what differs. PyTorch's
    /// `num_batches_tracked` counters have no place in cnnc and are ignored.
    public static func load(_ parameters: ParameterStore, from path: String, partial: Bool) throws(CheckpointError) -> InitialWeights {
        let (tensors, _) = try Checkpoint.read(path)
        var report = InitialWeights()
        var fitting: [String: Safetensors.Tensor] = [:]
        for entry in parameters.entries {
            guard let tensor = tensors[entry.name] else { report.leftAtInit.append(entry.name); continue }
            guard tensor.shape == entry.spec.shape else {
                report.refused.append((entry.name, tensor.shape, entry.spec.shape))
                continue
            }
            fitting[entry.name] = tensor
            report.loaded.append(entry.name)
        }
        let names = Set(parameters.entries.map(\.name))
        report.skipped = tensors.keys.filter { !names.contains($0) && !$0.hasSuffix(".num_batches_tracked") }.sorted()
        guard partial || report.isExact else {
            throw .mismatch(what: path, reason: "is not an exact match for the spec: " + report.differences(limit: 3)
                            + "; --partial loads the tensors that match and leaves the others at their init")
        }
        for entry in parameters.entries {
            guard let tensor = fitting[entry.name] else { continue }
            guard tensor.values.allSatisfy(\.isFinite) else {
                throw .corrupt(path: path, reason: "tensor '\(entry.name)' holds NaN or infinite values")
            }
            tensor.values.withUnsafeBufferPointer {
                (parameters.values.baseAddress! + entry.offset).update(from: $0.baseAddress!, count: entry.count)
            }
        }
        parameters.markChanged()
        return report
    }

    /// "2 tensors of the spec are not in it (head.weight, head.bias); …", at most `limit` names per kind.
    public func differences(limit: Int = 5) -> String {
        func names(_ list: [String]) -> String {
            list.prefix(limit).joined(separator: ", ") + (list.count > limit ? ", …" : "")
        }
        var parts: [String] = []
        if !leftAtInit.isEmpty { parts.append("\(leftAtInit.count) of the spec's tensors are not in it (\(names(leftAtInit)))") }
        if !refused.isEmpty {
            let shown = refused.prefix(limit).map { "\($0.name) is \($0.checkpoint) there, \($0.spec) in the spec" }
            parts.append("\(refused.count) differ in shape (\(shown.joined(separator: "; "))\(refused.count > limit ? "; …" : ""))")
        }
        if !skipped.isEmpty { parts.append("\(skipped.count) of its tensors have no place in the spec (\(names(skipped)))") }
        return parts.joined(separator: "; ")
    }
}
