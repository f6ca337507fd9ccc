/// The one line of the training progress bar, fitted to the terminal's width: the bar shrinks first,
/// then the least useful figures go, so that the line never wraps (a wrapped line is redrawn as a new
/// one each time, flooding the terminal).
struct ProgressLine {
    var epoch: Int, epochs: Int
    var step: Int, steps: Int
    var loss: Double
    var imagesPerSecond: Double
    /// Seconds left in this epoch's steps, and in the whole run (evaluations included); nil while unknown.
    var epochRemaining: Double?
    var runRemaining: Double?

    /// The line for a terminal `columns` wide: at most `columns - 1` characters (the last column would wrap on some terminals).
    func rendered(columns: Int) -> String {
        let limit = max(columns - 1, 1)
        let head = "epoch \(epoch)/\(epochs)"
        // Figures with the priority they keep: the highest stay longest.
        var figures: [(priority: Int, text: String)] = [(5, "\(step)/\(steps)"), (3, "loss \(Format.decimal(loss, places: 4))"),
                                                         (1, "\(Format.grouped(Int(imagesPerSecond))) img/s")]
        if let epochRemaining { figures.append((2, "ETA \(Format.duration(epochRemaining))")) }
        if let runRemaining, epochs > 1 { figures.append((4, "run \(Format.duration(runRemaining))")) }
        while true {
            let text = ([head] + figures.map(\.text)).joined(separator: "  ")
            let room = limit - text.count - 2
            if room >= 10 {
                let width = min(room, 30)
                let filled = width * min(step, steps) / max(steps, 1)
                let bar = String(repeating: "█", count: filled) + String(repeating: "·", count: width - filled)
                return head + " " + bar + " " + figures.map(\.text).joined(separator: "  ")
            }
            guard let lowest = figures.indices.min(by: { figures[$0].priority < figures[$1].priority }) else {
                return String(text.prefix(limit))
            }
            // Images per second and the epoch's ETA give way to the bar; the other figures only to the width.
            if text.count <= limit && figures[lowest].priority > 2 { return text }
            figures.remove(at: lowest)
        }
    }

    /// "epoch 3/20 evaluating…" while the epoch's evaluation runs, fitted likewise.
    static func evaluating(epoch: Int, epochs: Int, runRemaining: Double?, columns: Int) -> String {
        let limit = max(columns - 1, 1)
        let texts = ["epoch \(epoch)/\(epochs)  evaluating on the training and test images…", "epoch \(epoch)/\(epochs)  evaluating…"]
        let run = runRemaining.map { epochs > 1 ? "  run \(Format.duration($0))" : "" } ?? ""
        for text in texts where text.count + run.count <= limit { return text + run }
        return String(texts[1].prefix(limit))
    }
}
