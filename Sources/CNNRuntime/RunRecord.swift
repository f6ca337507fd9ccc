import Foundation

/// `run.json` in a run folder: what the run was started with, so that `--resume` continues the same run
/// and nothing else. Beside it, `spec.yaml` is a byte-for-byte copy of the spec file.
public struct RunRecord: Codable, Equatable, Sendable {
    public static let currentFormat = "cnnc-run-1"
    public var format = RunRecord.currentFormat
    public var cnncVersion: String
    /// The command line that started the run, as typed.
    public var command: [String]
    /// The spec path as given when the run started (its copy is `spec.yaml`).
    public var spec: String
    public var network: String
    /// The data folder, absolute.
    public var data: String
    /// Its format: as named (`train.data: {format: …}`, `--data-format`) or as detected when the data was first read.
    public var dataFormat: String?
    /// A 64-bit hash (hexadecimal) of the data's sizes, pixels and labels (`DataSource.fingerprint`), written once
    /// the data is read: `--resume` refuses data that changed.
    public var dataFingerprint: String?
    /// The data's class names in label order, when it has them (written once the data is read).
    public var classNames: [String]?
    public var seed: UInt64
    public var batch: Int
    /// Grows when a resume asks for more epochs.
    public var epochs: Int
    public var threads: Int
    public var kernels: String
    public var ranks: Int
    /// `--allreduce-precision` when not fp32.
    public var allreducePrecision: String?
    public var initWeights: String?
    /// `--partial` with `initWeights`: a resume that must start over (killed before its first resume point) loads them alike.
    public var partialInitWeights: Bool?
    /// ISO 8601.
    public var started: String

    public init(cnncVersion: String, command: [String], spec: String, network: String, data: String, seed: UInt64, batch: Int,
                epochs: Int, threads: Int, kernels: String, ranks: Int, initWeights: String?, dataFormat: String? = nil,
                started: Date = Date()) {
        self.cnncVersion = cnncVersion
        self.command = command
        self.spec = spec
        self.network = network
        self.data = data
        self.seed = seed
        self.batch = batch
        self.epochs = epochs
        self.threads = threads
        self.kernels = kernels
        self.ranks = ranks
        self.initWeights = initWeights
        self.dataFormat = dataFormat
        self.started = ISO8601DateFormatter().string(from: started)
    }

    /// What a `--resume` command line asks for; nil where it says nothing (the record's value holds).
    public struct Request: Sendable {
        public var network: String?, data: String?
        public var seed: UInt64?, batch: Int?, epochs: Int?, threads: Int?, kernels: String?
        public var ranks: Int
        public var allreducePrecision: String?

        public init(network: String?, data: String?, seed: UInt64?, batch: Int?, epochs: Int?, threads: Int?, kernels: String?, ranks: Int,
                    allreducePrecision: String? = nil) {
            self.network = network
            self.data = data
            self.seed = seed
            self.batch = batch
            self.epochs = epochs
            self.threads = threads
            self.kernels = kernels
            self.ranks = ranks
            self.allreducePrecision = allreducePrecision
        }
    }

    /// Each way `request` contradicts this record, in words ("--batch 1000, but the run was started with --batch 100").
    /// Only the epoch count may grow.
    public func conflicts(with request: Request) -> [String] {
        var found: [String] = []
        func compare<T: Equatable>(_ flag: String, _ asked: T?, _ recorded: T) {
            if let asked, asked != recorded { found.append("\(flag) \(asked), but the run was started with \(flag) \(recorded)") }
        }
        compare("--network", request.network, network)
        compare("--seed", request.seed, seed)
        compare("--batch", request.batch, batch)
        // On another rank count the cores per rank change too: then --threads may change with it.
        if request.ranks == ranks { compare("--threads", request.threads, threads) }
        compare("--kernels", request.kernels, kernels)
        compare("--allreduce-precision", request.allreducePrecision, allreducePrecision ?? AllreducePrecision.fp32.rawValue)
        if let asked = request.data, Self.absolute(asked) != data {
            found.append("--data \(asked), but the run was started with --data \(data)")
        }
        if let asked = request.epochs, asked < epochs {
            found.append("--epochs \(asked), but the run was started with --epochs \(epochs) (the count may only grow)")
        }
        return found
    }

    /// A resume on another number of ranks is allowed (a host was lost, or came back): the global batch, the
    /// order of the images and every random stream stay the same, only the sums' order changes. This says so.
    public func rankChange(_ request: Request) -> String? {
        guard request.ranks != ranks else { return nil }
        func processes(_ n: Int) -> String { n == 1 ? "1 process" : "\(n) ranks" }
        return "continuing on \(processes(request.ranks)) a run started on \(processes(ranks)): the global batch stays \(batch) "
            + "and the images come in the same order, but the gradients are summed in another order (and batchnorm's batch "
            + "statistics come from shares of another size), so the weights differ from an uninterrupted run's (docs/scaling.md)"
    }

    public func encoded() -> Data {
        let encoder = JSONEncoder()
        encoder.keyEncodingStrategy = .convertToSnakeCase
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return ((try? encoder.encode(self)) ?? Data()) + Data("\n".utf8)
    }

    public static func decode(_ data: Data) -> RunRecord? {
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        return try? decoder.decode(RunRecord.self, from: data)
    }

    /// A path made absolute against the working directory, with `.` and `..` resolved.
    public static func absolute(_ path: String) -> String {
        URL(fileURLWithPath: path).standardizedFileURL.path
    }
}
