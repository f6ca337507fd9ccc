import CNNData
import Foundation

/// `cnnc sweep`: the settings of every run of a grid (or a random sample of it), each a list of `--set` overrides,
/// kept in the sweep folder's `sweep.json` with the results of the runs that finished, so that an interrupted
/// sweep resumes where it stopped.
public struct SweepPlan: Codable, Equatable, Sendable {
    /// One axis: a path and the values it takes (`train.optimizer.lr`, `0.001`, `0.003`).
    public struct Axis: Codable, Equatable, Sendable {
        public var path: String
        public var values: [String]
    }

    public struct Run: Codable, Equatable, Sendable {
        /// 1-based, in the plan's order; the run folder is `runs/<index>`.
        public var index: Int
        /// `path=value`, one per axis.
        public var overrides: [String]
        public var result: SweepResult?

        public var folderName: String { String(format: "%03d", index) }
    }

    public var spec: String
    public var network: String?
    public var epochs: Int?
    public var axes: [Axis]
    /// Fixed overrides, given as a single value.
    public var fixed: [String]
    public var runs: [Run]

    /// Splits each `--set PATH=V1,V2,…` at its top-level commas (those outside brackets, braces and quotes, so
    /// `input=[1,28,28]` is one value). A single value is fixed; several make an axis; the grid is their product,
    /// the first axis varying slowest. `random`: that many runs drawn from the grid without replacement (seeded).
    public init(spec: String, network: String?, epochs: Int?, sets: [String], random: Int? = nil, seed: UInt64 = 1) throws(SweepError) {
        self.spec = spec
        self.network = network
        self.epochs = epochs
        var axes: [Axis] = [], fixed: [String] = []
        for text in sets {
            guard let equals = text.firstIndex(of: "=") else { throw .badSet(text) }
            let path = String(text[..<equals])
            let values = Self.split(String(text[text.index(after: equals)...]))
            if values.count == 1 { fixed.append(text) } else { axes.append(Axis(path: path, values: values)) }
        }
        guard !axes.isEmpty else { throw .nothingToSweep }
        self.axes = axes
        self.fixed = fixed
        // The grid's size, saturating: a sample may be drawn from a grid far too large to list.
        var total = 1
        for axis in axes {
            let (product, overflow) = total.multipliedReportingOverflow(by: axis.values.count)
            total = overflow ? Int.max : product
        }
        let chosen: [Int]
        if let random {
            guard (1...Self.maximumRuns).contains(random) else { throw .tooManyRuns(random, limit: Self.maximumRuns) }
            var generator = SeededGenerator(seed: seed, stream: 0x5EE9)
            if random >= total {
                chosen = Array(0..<total)
            } else {
                var picked = Set<Int>()
                while picked.count < random { picked.insert(Int(generator.next() % UInt64(total))) }
                chosen = picked.sorted()
            }
        } else {
            guard total <= Self.maximumRuns else { throw .tooManyRuns(total, limit: Self.maximumRuns) }
            chosen = Array(0..<total)
        }
        // Grid index → one value per axis, the first axis varying slowest.
        runs = chosen.enumerated().map { position, index in
            var rest = index
            var overrides: [String] = []
            for axis in axes.reversed() {
                overrides.append("\(axis.path)=\(axis.values[rest % axis.values.count])")
                rest /= axis.values.count
            }
            return Run(index: position + 1, overrides: overrides.reversed())
        }
    }

    public static let maximumRuns = 10_000

    /// "0.001,0.003" → ["0.001", "0.003"]; "[1,28,28],[1,32,32]" → two values; "'a,b'" one.
    static func split(_ text: String) -> [String] {
        var values: [String] = [], current = "", depth = 0
        var quote: Character?
        for character in text {
            if let open = quote {
                if character == open { quote = nil }
            } else if character == "'" || character == "\"" {
                quote = character
            } else if character == "[" || character == "{" {
                depth += 1
            } else if character == "]" || character == "}" {
                depth -= 1
            } else if character == ",", depth == 0 {
                values.append(current.trimmingCharacters(in: .whitespaces))
                current = ""
                continue
            }
            current.append(character)
        }
        values.append(current.trimmingCharacters(in: .whitespaces))
        return values
    }

    /// The settings that vary, as `path=value` (the table's columns).
    public func varying(_ run: Run) -> [String] { run.overrides }

    public func encoded() -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        return (try? encoder.encode(self)) ?? Data()
    }

    public static func decode(_ data: Data) -> SweepPlan? { try? JSONDecoder().decode(SweepPlan.self, from: data) }

    /// The same sweep: spec, network, epochs, axes and fixed settings (results aside).
    public func sameSweep(as other: SweepPlan) -> Bool {
        spec == other.spec && network == other.network && epochs == other.epochs && axes == other.axes && fixed == other.fixed
            && runs.map(\.overrides) == other.runs.map(\.overrides)
    }
}

/// What a finished run of a sweep gave, from its `metrics.csv`.
public struct SweepResult: Codable, Equatable, Sendable {
    public var parameters: Int
    public var multiplyAdds: Int
    public var receptiveField: String
    public var epochs: Int
    /// Best validation accuracy over the epochs, when the run had a validation split.
    public var bestValidationAccuracy: Double?
    /// Test accuracy of the best epoch, chosen as the run chose `best.safetensors` (`ModelSelection`).
    public var testAccuracy: Double
    public var seconds: Double

    public init(parameters: Int, multiplyAdds: Int, receptiveField: String, epochs: Int, bestValidationAccuracy: Double?,
                testAccuracy: Double, seconds: Double) {
        self.parameters = parameters
        self.multiplyAdds = multiplyAdds
        self.receptiveField = receptiveField
        self.epochs = epochs
        self.bestValidationAccuracy = bestValidationAccuracy
        self.testAccuracy = testAccuracy
        self.seconds = seconds
    }

    /// Reads `metrics.csv` by its header's names and picks the best epoch as the run did (`selection`, the run's
    /// `ModelSelection`); nil when it has no epoch.
    public static func metrics(_ text: String, selection: ModelSelection) -> (epochs: Int, bestValidation: Double?, test: Double, seconds: Double)? {
        let lines = text.split(separator: "\n").map { $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init) }
        guard let header = lines.first, lines.count > 1 else { return nil }
        func column(_ name: String) -> Int? { header.firstIndex(of: name) }
        guard let epoch = column("epoch"), let test = column("test_accuracy"), let seconds = column("seconds") else { return nil }
        let rows = lines.dropFirst().filter { $0.count == header.count }
        let history = rows.map { row in
            EpochMetrics(epoch: Int(row[epoch]) ?? 0, learningRate: 0, trainLoss: 0, trainAccuracy: 0,
                         validationAccuracy: column("validation_accuracy").flatMap { Double(row[$0]) },
                         validationLoss: column("validation_loss").flatMap { Double(row[$0]) }, testLoss: 0,
                         testAccuracy: Double(row[test]) ?? 0, seconds: Double(row[seconds]) ?? 0, imagesPerSecond: 0)
        }
        guard let best = selection.best(history) else { return nil }
        let bestValidation = history.compactMap(\.validationAccuracy).max()
        return (history.count, bestValidation, best.testAccuracy, history.reduce(0) { $0 + $1.seconds })
    }
}

public enum SweepError: Error, Equatable, Sendable {
    case badSet(String)
    case nothingToSweep
    case tooManyRuns(Int, limit: Int)
    case planChanged(folder: String)
    case notEmpty(folder: String)
    case unwritable(folder: String)

    public var message: String {
        switch self {
        case .badSet(let text): "--set \(text) is not PATH=VALUE[,VALUE…]"
        case .nothingToSweep: "no --set gives more than one value: there is nothing to sweep"
        case .tooManyRuns(let count, let limit): "the sweep would make \(count) runs; it may make 1 to \(limit)"
        case .planChanged(let folder): "\(folder) holds another sweep (its sweep.json has other settings)"
        case .notEmpty(let folder): "\(folder) holds files but no sweep.json"
        case .unwritable(let folder): "cannot make the sweep folder \(folder)"
        }
    }

    public var hint: String? {
        switch self {
        case .badSet: "e.g. --set train.optimizer.lr=0.001,0.003,0.01"
        case .nothingToSweep: "give a path several values: --set train.optimizer.lr=0.001,0.01"
        case .tooManyRuns: "use fewer values, or --random K to sample K runs of the grid"
        case .planChanged: "resume it with the same spec and --set flags, or give another --out"
        case .notEmpty: "give --out a new or empty folder"
        case .unwritable: "check that its parent exists and is writable"
        }
    }
}

/// A sweep's folder: `sweep.json` (the plan and the results so far), `runs/001`, `runs/002`, … (one run folder
/// each), `logs/001.log`, … (each run's output), and the tables `sweep.csv` and `sweep.md`.
public enum SweepFolder {
    public static let planName = "sweep.json"

    /// `out`, or `sweeps/<network>-<time>`. A folder holding a sweep is resumed when its plan is the same sweep
    /// (its results are kept); another sweep's, or a folder with other files, is refused.
    public static func open(out: String?, network: String, plan: SweepPlan, now: Date = Date()) throws(SweepError) -> (String, SweepPlan) {
        let fm = FileManager.default
        var folder: String
        if let out {
            folder = out
        } else {
            let formatter = DateFormatter()
            formatter.dateFormat = "yyyyMMdd-HHmmss"
            folder = "sweeps/\(RunFolder.sanitized(network))-\(formatter.string(from: now))"
            var suffix = 2
            while fm.fileExists(atPath: folder) { folder = "sweeps/\(RunFolder.sanitized(network))-\(formatter.string(from: now))-\(suffix)"; suffix += 1 }
        }
        if let data = fm.contents(atPath: folder + "/" + planName) {
            guard let saved = SweepPlan.decode(data), saved.sameSweep(as: plan) else { throw .planChanged(folder: folder) }
            return (folder, saved)
        }
        if let names = try? fm.contentsOfDirectory(atPath: folder), !names.isEmpty { throw .notEmpty(folder: folder) }
        do {
            try fm.createDirectory(atPath: folder + "/runs", withIntermediateDirectories: true)
            try fm.createDirectory(atPath: folder + "/logs", withIntermediateDirectories: true)
        } catch {
            throw .unwritable(folder: folder)
        }
        return (folder, plan)
    }

    public static func save(_ plan: SweepPlan, to folder: String) throws(CheckpointError) {
        try AtomicFile.write(plan.encoded(), to: folder + "/" + planName)
    }

    public static func runFolder(_ folder: String, _ run: SweepPlan.Run) -> String { folder + "/runs/" + run.folderName }
    public static func logPath(_ folder: String, _ run: SweepPlan.Run) -> String { folder + "/logs/" + run.folderName + ".log" }
}
