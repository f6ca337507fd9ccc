import CNNRuntime
import Foundation

/// Training progress: a redrawn bar with loss, images/s and ETA on a terminal, plain lines otherwise.
final class ProgressRenderer: TrainingObserver {
    let recorder: MetricsRecorder
    let isTerminal: Bool
    var lastDraw = Date.distantPast
    var epochStart = Date()

    init(recorder: MetricsRecorder, isTerminal: Bool = Terminal.standardOutputIsTerminal) {
        self.recorder = recorder
        self.isTerminal = isTerminal
    }

    func trainingStep(_ p: StepProgress) {
        let now = Date()
        if p.step == 1 {
            epochStart = now
            lastDraw = now
        }
        // A terminal gets a bar redrawn ten times a second; a log file a plain line every 30 seconds.
        let interval = isTerminal ? 0.1 : 30
        guard now.timeIntervalSince(lastDraw) >= interval || (isTerminal && p.step == p.stepsPerEpoch) else { return }
        lastDraw = now
        let remaining = Double(p.stepsPerEpoch - p.step) * now.timeIntervalSince(epochStart) / Double(max(p.step, 1))
        let figures = "\(p.step)/\(p.stepsPerEpoch)  loss \(Format.decimal(p.loss, places: 4))  "
            + "\(Int(p.imagesPerSecond)) img/s  ETA \(Format.duration(remaining))"
        if isTerminal {
            let width = 30
            let filled = width * p.step / max(p.stepsPerEpoch, 1)
            let bar = String(repeating: "█", count: filled) + String(repeating: "·", count: width - filled)
            print("\r\u{1B}[2K" + "epoch \(p.epoch)/\(p.epochs) \(bar) " + figures, terminator: "")
        } else {
            print("epoch \(p.epoch)/\(p.epochs) step " + figures)
        }
        Terminal.flush()
    }

    func epochFinished(_ m: EpochMetrics) {
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
