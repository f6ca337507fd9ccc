import Foundation

/// A training run's folder: `runs/<name>-<yyyyMMdd-HHmmss>` by default. It holds `run.json` and `spec.yaml`
/// (what the run was started with), `resume.safetensors` (the commit point), `last.safetensors`,
/// `best.safetensors`, `metrics.csv` and `curves.svg`.
public enum RunFolder {
    public static let recordName = "run.json"
    public static let specName = "spec.yaml"

    /// A new run folder: `out`, or `runs/<name>-<time>` (with `-2`, `-3`… if taken). An existing folder is
    /// accepted only when empty: a run is never written over another one, or into someone's files.
    public static func create(out: String?, network: String, now: Date = Date()) throws(RunFolderError) -> String {
        let fm = FileManager.default
        var folder: String
        if let out {
            folder = out
            if let names = try? fm.contentsOfDirectory(atPath: out) {
                if names.contains(recordName) || names.contains("resume.safetensors") || names.contains("last.safetensors") {
                    throw .existingRun(folder: out)
                }
                // What a start killed before its run.json leaves (the spec's copy, temporaries) counts as empty.
                let unstarted = names.allSatisfy { $0 == specName || $0.hasPrefix(specName + ".tmp-") || $0.hasPrefix(recordName + ".tmp-") }
                if !unstarted { throw .notEmpty(folder: out) }
            } else if fm.fileExists(atPath: out) {
                throw .notAFolder(path: out)
            }
        } else {
            let formatter = DateFormatter()
            formatter.dateFormat = "yyyyMMdd-HHmmss"
            let base = "runs/\(sanitized(network))-\(formatter.string(from: now))"
            folder = base
            var suffix = 2
            while fm.fileExists(atPath: folder) {
                folder = "\(base)-\(suffix)"
                suffix += 1
            }
        }
        do {
            try fm.createDirectory(atPath: folder, withIntermediateDirectories: true)
        } catch {
            throw .uncreatable(folder: folder, reason: error.localizedDescription)
        }
        return folder
    }

    /// The folder to resume: `out`, else the newest `runs/<name>-*` for the network; it must hold a run record.
    public static func existing(out: String?, network: String?) throws(RunFolderError) -> (folder: String, record: RunRecord) {
        guard let folder = out ?? network.flatMap(newest(network:)) else {
            throw .nothingToResume(folder: out ?? "runs/\(network.map(sanitized) ?? "<name>")-*")
        }
        guard let data = FileManager.default.contents(atPath: folder + "/" + recordName) else {
            if FileManager.default.fileExists(atPath: folder + "/last.state.safetensors") { throw .olderFormat(folder: folder) }
            throw .nothingToResume(folder: folder)
        }
        guard let record = RunRecord.decode(data), record.format == RunRecord.currentFormat else {
            throw .badRecord(path: folder + "/" + recordName)
        }
        return (folder, record)
    }

    /// Writes the run record and the copy of the spec (atomically; the record last).
    public static func write(_ record: RunRecord, specText: Data?, to folder: String) throws(CheckpointError) {
        if let specText { try AtomicFile.write(specText, to: folder + "/" + specName) }
        try AtomicFile.write(record.encoded(), to: folder + "/" + recordName)
    }

    /// The newest `runs/<name>-*` folder.
    /// Removes what a start wrote (run.json, spec.yaml) from a folder where no epoch was trained, leaving the
    /// folder itself; a folder with anything else in it is left alone.
    public static func removeUnstarted(_ folder: String) {
        let fm = FileManager.default
        guard let names = try? fm.contentsOfDirectory(atPath: folder),
              names.allSatisfy({ $0 == recordName || $0 == specName || $0.hasPrefix(specName + ".tmp-") || $0.hasPrefix(recordName + ".tmp-") })
        else { return }
        for name in names { try? fm.removeItem(atPath: folder + "/" + name) }
    }

    public static func newest(network: String) -> String? {
        let prefix = sanitized(network) + "-"
        let names = (try? FileManager.default.contentsOfDirectory(atPath: "runs")) ?? []
        return names.filter { $0.hasPrefix(prefix) }.sorted().last.map { "runs/" + $0 }
    }

    /// A network name made safe as one path component: letters, digits, `.`, `_` and `-` stay, anything
    /// else (separators, `..`, control characters, spaces) becomes `_`; a leading dot too.
    public static func sanitized(_ name: String) -> String {
        var out = String(name.unicodeScalars.prefix(100).map { scalar -> Character in
            let allowed = scalar.isASCII && (CharacterSet.alphanumerics.contains(scalar) || scalar == "-" || scalar == "_" || scalar == ".")
            return allowed ? Character(scalar) : "_"
        })
        if out.hasPrefix(".") { out = "_" + out.dropFirst() }
        return out.isEmpty ? "network" : out
    }
}

public enum RunFolderError: Error, Equatable, Sendable {
    case existingRun(folder: String)
    case notEmpty(folder: String)
    case notAFolder(path: String)
    case uncreatable(folder: String, reason: String)
    case nothingToResume(folder: String)
    case olderFormat(folder: String)
    case badRecord(path: String)
    case specChanged(folder: String, spec: String)
    case configurationChanged(folder: String, differences: [String])

    public var message: String {
        switch self {
        case .existingRun(let folder): return "\(folder) holds a run already; cnnc does not write over it"
        case .notEmpty(let folder): return "\(folder) is not empty; a run folder must be new or empty"
        case .notAFolder(let path): return "\(path) exists and is not a folder"
        case .uncreatable(let folder, let reason): return "cannot create the run folder \(folder): \(reason)"
        case .nothingToResume(let folder): return "nothing to resume: \(folder) has no run (no run.json)"
        case .olderFormat(let folder): return "\(folder) was written by an older cnnc, whose checkpoints cannot be resumed exactly"
        case .badRecord(let path): return "\(path) is not a cnnc run record"
        case .specChanged(let folder, let spec):
            return "\(spec) differs from the spec this run was started with (\(folder)/spec.yaml)"
        case .configurationChanged(let folder, let differences):
            return "--resume would continue \(folder) with another configuration: " + differences.joined(separator: "; ")
        }
    }

    public var hint: String? {
        switch self {
        case .existingRun(let folder): return "continue it with 'cnnc train --resume --out \(folder)', or choose another folder with --out"
        case .notEmpty, .notAFolder: return "choose a new folder with --out, or leave --out away for runs/<name>-<time>"
        case .uncreatable: return "check that the parent folder exists and is writable"
        case .nothingToResume: return "pass the run folder of an earlier 'cnnc train' with --out"
        case .olderFormat: return "start a new run; its best.safetensors and last.safetensors still evaluate, and --init-weights starts from one"
        case .badRecord: return "the file was changed by hand or is damaged; start a new run"
        case .specChanged(let folder, _):
            return "leave the spec away to resume with the run's own copy ('cnnc train --resume --out \(folder)'), or start a new run"
        case .configurationChanged(let folder, _):
            return "leave these flags away to continue the run as it was started ('cnnc train --resume --out \(folder)'), or start a new run"
        }
    }
}
