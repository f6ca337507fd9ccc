import ArgumentParser
import CNNAnalysis
import CNNIR
import CNNRuntime
import CNNSpec
import Dispatch
import Foundation

struct SweepCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sweep",
        abstract: "Train a spec over a grid of settings (or a random sample of it), each run in its own folder, and tabulate the results.",
        discussion: """
            Each --set PATH=V1,V2,… with several values is an axis of the grid (commas inside [ ] or { } or quotes \
            belong to one value); one value is fixed for every run. The runs are 'cnnc train' processes, --jobs at a \
            time with the threads shared among them; the sweep folder (--out, default sweeps/<name>-<time>) holds \
            sweep.json (the plan and the results so far), runs/NNN, logs/NNN.log and the tables sweep.csv and \
            sweep.md. Run the same command with --out DIR again to resume an interrupted sweep.
            """)

    @Argument(help: "Spec file (YAML).", completion: .file(extensions: ["yaml", "yml"])) var spec: String
    @Option(name: .customLong("set"), help: ArgumentHelp("PATH=VALUE[,VALUE…] (repeatable).", valueName: "path=values"))
    var sets: [String] = []
    @Option(help: "Override train.epochs for every run.") var epochs: Int?
    @Option(help: "Runs at a time.") var jobs = 1
    @Option(help: "Train K runs drawn from the grid (seeded by --seed) instead of all of it.") var random: Int?
    @Option(help: "Seed of --random's draw.") var seed: UInt64 = 1
    @Option(help: "Sweep folder (default sweeps/<name>-<time>); an existing sweep's folder resumes it.", completion: .directory) var out: String?
    @Option(help: "Data directory or data set name, for every run (default: the spec's train.data).", completion: .directory) var data: String?
    @Option(help: "Threads in all (default: all cores), shared among the --jobs runs.") var threads: Int?
    @Option(help: "Which network of a multi-document spec.") var network: String?

    func validate() throws {
        if jobs < 1 { throw ValidationError("--jobs must be at least 1") }
        if let epochs, epochs < 1 { throw ValidationError("--epochs must be at least 1") }
        if let threads, !(1...ComputeOptions.maximumThreads).contains(threads) {
            throw ValidationError("--threads must be from 1 to \(ComputeOptions.maximumThreads)")
        }
    }

    func run() throws {
        let proposed = try Report.catching { () throws(SweepError) in
            try SweepPlan(spec: spec, network: network, epochs: epochs, sets: sets, random: random, seed: seed)
        }
        // Every run's spec is checked before anything trains: a bad value fails now, not hours in.
        var facts: [Int: NetworkAnalysis] = [:]
        for run in proposed.runs {
            let options = try ComputeOptions.parse((network.map { ["--network", $0] } ?? [])
                                                   + (proposed.fixed + run.overrides).flatMap { ["--set", $0] })
            facts[run.index] = try options.analysis(spec)
        }
        let name = facts[1]!.network.name
        let (folder, saved) = try Report.catching { () throws(SweepError) in try SweepFolder.open(out: out, network: name, plan: proposed) }
        try Report.catching { () throws(CheckpointError) in try SweepFolder.save(saved, to: folder) }
        let pending = saved.runs.filter { $0.result == nil }
        let axes: String = saved.axes.map { "\($0.path) (\($0.values.count))" }.joined(separator: " × ")
        let done: String = pending.count < saved.runs.count ? ", \(saved.runs.count - pending.count) done already" : ""
        print("sweep \(name): \(saved.runs.count) runs of \(axes)\(done), \(jobs) at a time; folder \(folder)")
        Terminal.flush()

        let state = SweepState(plan: saved, facts: facts, folder: folder)
        let perJob = max(1, (threads ?? ProcessInfo.processInfo.activeProcessorCount) / jobs)
        Interrupt.install()
        let slots = DispatchSemaphore(value: jobs)
        let group = DispatchGroup()
        for run in pending {
            // Waiting for a free slot, a signal sent to the sweep alone (kill -INT) is passed on to the runs.
            while slots.wait(timeout: .now() + 0.2) == .timedOut {
                if Interrupt.requested { state.interruptAll() }
            }
            if Interrupt.requested { slots.signal(); break }
            group.enter()
            state.start(run, arguments: trainArguments(run, plan: saved, folder: folder, threads: perJob)) {
                slots.signal()
                group.leave()
            }
        }
        // A Ctrl-C reaches the runs too (one process group); a signal sent to the sweep alone is passed on.
        while group.wait(timeout: .now() + 0.2) == .timedOut {
            if Interrupt.requested { state.interruptAll() }
        }
        let plan = state.finalPlan
        let table = SweepTable(plan: plan)
        try? Data(table.csv().utf8).write(to: URL(fileURLWithPath: folder + "/sweep.csv"))
        try? Data(table.markdown().utf8).write(to: URL(fileURLWithPath: folder + "/sweep.md"))
        print("")
        print(table.terminal())
        print("wrote \(folder)/sweep.csv, \(folder)/sweep.md")
        if state.wasInterrupted || Interrupt.requested {
            print("interrupted: continue with the same command and --out \(folder)")
            throw ExitCode(130)
        }
        let failures = state.failedRuns
        if !failures.isEmpty {
            DiagnosticRenderer.error("\(failures.count) of \(plan.runs.count) runs failed (\(failures.map(String.init).joined(separator: ", ")))",
                                     hint: "their logs are in \(folder)/logs; run the same command with --out \(folder) to retry them")
            throw ExitCode(1)
        }
    }

    /// `cnnc train` for one run: the spec with the fixed and the run's overrides, or a resume of its folder.
    func trainArguments(_ run: SweepPlan.Run, plan: SweepPlan, folder: String, threads: Int) -> [String] {
        let runFolder = SweepFolder.runFolder(folder, run)
        var arguments = ["train", spec, "--out", runFolder, "--threads", "\(threads)"]
        if FileManager.default.fileExists(atPath: runFolder + "/" + RunFolder.recordName) { arguments.append("--resume") }
        arguments += (plan.fixed + run.overrides).flatMap { ["--set", $0] }
        if let epochs = plan.epochs { arguments += ["--epochs", "\(epochs)"] }
        if let network = plan.network { arguments += ["--network", network] }
        if let data { arguments += ["--data", data] }
        return arguments
    }
}

/// The running sweep: its plan with the results so far (saved as each run ends) and its child processes, behind one lock.
final class SweepState: @unchecked Sendable {
    private let lock = NSLock()
    private var plan: SweepPlan
    private let facts: [Int: NetworkAnalysis]
    private let folder: String
    private var running: [Process] = []
    private var failures: [Int] = []
    private var interrupted = false

    init(plan: SweepPlan, facts: [Int: NetworkAnalysis], folder: String) {
        self.plan = plan
        self.facts = facts
        self.folder = folder
    }

    var finalPlan: SweepPlan { lock.withLock { plan } }
    var failedRuns: [Int] { lock.withLock { failures } }
    var wasInterrupted: Bool { lock.withLock { interrupted } }

    func interruptAll() { lock.withLock { running.forEach { $0.interrupt() } } }

    /// Starts `cnnc train` for `run`, its output to the run's log; `ended` is called once it has ended (or failed to start).
    func start(_ run: SweepPlan.Run, arguments: [String], ended: @escaping @Sendable () -> Void) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/proc/self/exe")
        process.arguments = arguments
        let log = SweepFolder.logPath(folder, run)
        guard FileManager.default.createFile(atPath: log, contents: nil), let handle = FileHandle(forWritingAtPath: log) else {
            return failedToStart(run, "its log \(log) cannot be written", ended: ended)
        }
        process.standardOutput = handle
        process.standardError = handle
        process.terminationHandler = { [self] finished in
            try? handle.close()
            finish(run, process: finished, log: log)
            ended()
        }
        lock.lock()
        do {
            try process.run()
            running.append(process)
            lock.unlock()
        } catch {
            lock.unlock()
            failedToStart(run, "\(error)", ended: ended)
        }
    }

    private func failedToStart(_ run: SweepPlan.Run, _ reason: String, ended: @Sendable () -> Void) {
        lock.withLock { failures.append(run.index) }
        print("run \(run.index) could not start: \(reason)")
        ended()
    }

    private func finish(_ run: SweepPlan.Run, process: Process, log: String) {
        lock.lock()
        defer { lock.unlock() }
        running.removeAll { $0 === process }
        let status = process.terminationStatus
        let count = plan.runs.count
        let label = "run \(run.index)/\(count) [\(run.overrides.joined(separator: " "))]"
        if status == 0, let text = try? String(contentsOfFile: SweepFolder.runFolder(folder, run) + "/metrics.csv", encoding: .utf8),
           let analysis = facts[run.index],
           let metrics = SweepResult.metrics(text, selection: ModelSelection(analysis.network.training ?? TrainingConfig())) {
            let result = SweepResult(parameters: analysis.trainableParameters, multiplyAdds: analysis.totalMultiplyAdds,
                                     receptiveField: analysis.receptiveField.sizeDescription, epochs: metrics.epochs,
                                     bestValidationAccuracy: metrics.bestValidation, testAccuracy: metrics.test, seconds: metrics.seconds)
            plan.runs[run.index - 1].result = result
            try? SweepFolder.save(plan, to: folder)
            print("\(label): " + SweepTable.summary(result))
        } else if status == 130 {
            interrupted = true
        } else {
            failures.append(run.index)
            print("\(label) failed (exit \(status)): see \(log)")
        }
        Terminal.flush()
    }
}
