import CNNRuntime
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Training progress: on a terminal, one line redrawn in place and fitted to the terminal's width (read
/// again at every redraw, and at once after a resize), with the epoch's and the whole run's time left and
/// "evaluating" while the epoch's evaluation runs; otherwise plain lines.
final class ProgressRenderer: TrainingObserver {
    let recorder: MetricsRecorder
    let isTerminal: Bool
    var lastDraw = Date.distantPast
    /// Wall time of each epoch this process ran whole (steps and evaluation), for the run's ETA.
    var epochDurations: [Double] = []
    var epochBegan: Date?
    /// The first step this process ran of the current epoch: 1, or later after --resume.
    var firstStep = 1
    /// Seconds a whole epoch's steps take at the current pace.
    var epochStepsEstimate: Double?

    init(recorder: MetricsRecorder, isTerminal: Bool = Terminal.standardOutputIsTerminal) {
        self.recorder = recorder
        self.isTerminal = isTerminal
        if isTerminal { Resize.watch() }
    }

    func trainingStep(_ p: StepProgress) {
        let now = Date()
        if epochBegan == nil {
            (epochBegan, lastDraw, firstStep) = (now, now, p.step)
        }
        // A terminal gets a line redrawn ten times a second (at once after a resize); a log file a plain line every 30 seconds.
        let interval = isTerminal ? 0.1 : 30
        let resized = isTerminal && Resize.happened()
        guard resized || now.timeIntervalSince(lastDraw) >= interval || (isTerminal && p.step == p.stepsPerEpoch) else { return }
        lastDraw = now
        let stepsRun = p.step - firstStep + 1
        let perStep = now.timeIntervalSince(epochBegan ?? now) / Double(max(stepsRun, 1))
        let epochRemaining = Double(p.stepsPerEpoch - p.step) * perStep
        epochStepsEstimate = perStep * Double(p.stepsPerEpoch)
        let line = ProgressLine(epoch: p.epoch, epochs: p.epochs, step: p.step, steps: p.stepsPerEpoch, loss: p.loss,
                                imagesPerSecond: p.imagesPerSecond, epochRemaining: epochRemaining,
                                runRemaining: runRemaining(epoch: p.epoch, epochs: p.epochs, epochRemaining: epochRemaining, now: now))
        if isTerminal {
            print("\r\u{1B}[2K" + line.rendered(columns: Terminal.columns), terminator: "")
        } else {
            print("epoch \(p.epoch)/\(p.epochs) step \(p.step)/\(p.stepsPerEpoch)  loss \(Format.decimal(p.loss, places: 4))  "
                  + "\(Int(p.imagesPerSecond)) img/s  ETA \(Format.duration(epochRemaining))")
        }
        Terminal.flush()
    }

    /// Seconds left in the run: this epoch's steps, its evaluation, and the epochs after it, each as long as
    /// the mean of those finished here (before the first has finished: this epoch's steps, scaled).
    func runRemaining(epoch: Int, epochs: Int, epochRemaining: Double, now: Date) -> Double? {
        let later = Double(epochs - epoch)
        if let mean = epochDurations.isEmpty ? nil : epochDurations.reduce(0, +) / Double(epochDurations.count) {
            let spent = epochBegan.map { now.timeIntervalSince($0) } ?? 0
            return max(mean - spent, epochRemaining) + later * mean
        }
        // Until an epoch has been timed: a whole epoch's steps at this pace, and 10% for its evaluation.
        guard let stepsEstimate = epochStepsEstimate, now.timeIntervalSince(epochBegan ?? now) > 0.5 else { return nil }
        return epochRemaining + later * 1.1 * stepsEstimate
    }

    func evaluating(epoch: Int, epochs: Int) {
        guard isTerminal else { return }
        let now = Date()
        let remaining = runRemaining(epoch: epoch, epochs: epochs, epochRemaining: 0, now: now)
        print("\r\u{1B}[2K" + ProgressLine.evaluating(epoch: epoch, epochs: epochs, runRemaining: remaining, columns: Terminal.columns),
              terminator: "")
        Terminal.flush()
    }

    func epochFinished(_ m: EpochMetrics) {
        if let began = epochBegan, firstStep == 1 { epochDurations.append(Date().timeIntervalSince(began)) }
        epochBegan = nil
        if isTerminal { print("\r\u{1B}[2K", terminator: "") }
        var line = "epoch \(m.epoch): train loss \(Format.decimal(m.trainLoss, places: 4))  train acc \(Format.percent(m.trainAccuracy))"
        if let loss = m.validationLoss { line += "  val loss \(Format.decimal(loss, places: 4))" }
        if let v = m.validationAccuracy { line += "  val acc \(Format.percent(v))" }
        line += "  test acc \(Format.percent(m.testAccuracy))  \(Format.decimal(m.seconds, places: 1)) s  \(Int(m.imagesPerSecond)) img/s"
        if m.ranks > 1 {
            let share = { (seconds: Double) in "\(Format.decimal(seconds, places: 2)) s (\(Format.percent(seconds / max(m.seconds, 1e-9))))" }
            line += m.allreduceOverlapped == true
                ? "  \(m.ranks) ranks: allreduce left after backward (waiting included) \(share(m.allreduceSeconds))"
                : "  \(m.ranks) ranks: allreduce \(share(m.allreduceSeconds)), waiting \(share(m.waitSeconds))"
        }
        print(line)
        if let checked = m.checkedExamples {
            print("replica check: epoch \(m.epoch): weights identical on all \(m.ranks) ranks after every step; "
                  + "\(Format.count(checked, "training image")), each used exactly once")
        }
        Terminal.flush()
        recorder.record(m)
    }

    func finish() {
        if isTerminal { print("\r\u{1B}[2K", terminator: "") }
    }
}
