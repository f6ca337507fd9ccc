import ArgumentParser
import Foundation

/// How a command-line mistake is reported: `cnnc: error: …`, the usage line, and a hint, with exit 64
/// (EX_USAGE); the style of every other error, with a status a script can tell apart from a bad spec's 1.
enum UsageError {
    static func exit(_ error: Error, arguments: [String]) -> Never {
        // Help, --version and completion scripts, and the statuses the commands chose, go the parser's way.
        if error is ExitCode || CNNC.exitCode(for: error) == .success { CNNC.exit(withError: error) }
        let subcommand = arguments.first { word in CNNC.configuration.subcommands.contains { $0._commandName == word } }
        let command = "cnnc" + (subcommand.map { " \($0)" } ?? "")
        let (message, hint) = explained(CNNC.message(for: error), arguments: arguments, command: command)
        var text = "cnnc: error: \(message)\n"
        if let usage = CNNC.fullMessage(for: error).split(separator: "\n").first(where: { $0.hasPrefix("Usage: ") }) {
            text += "usage: " + usage.dropFirst("Usage: ".count) + "\n"
        }
        text += "hint: \(hint ?? "see '\(command) --help'")\n"
        Terminal.standardError(text)
        CNNC.exit(withError: ExitCode(CNNC.exitCode(for: error).rawValue))
    }

    /// The parser's message in cnnc's words, with a hint where there is a better one than --help.
    static func explained(_ raw: String, arguments: [String], command: String) -> (String, String?) {
        var message = raw.trimmingCharacters(in: .whitespacesAndNewlines)
        if let first = message.first, message.dropFirst().first?.isLowercase == true { message = first.lowercased() + message.dropFirst() }
        // `--epochs -1`: the parser takes "-1" for an option and reports a missing value.
        if message.hasPrefix("missing value for '--"), let option = message.split(separator: "'").dropFirst().first?.split(separator: " ").first,
           let index = arguments.firstIndex(of: String(option)), index + 1 < arguments.count,
           let value = Double(arguments[index + 1]), value < 0 {
            return ("\(option) is \(arguments[index + 1]); it must not be negative", "see '\(command) --help' for what \(option) takes")
        }
        // Spec settings are not flags: `--lr 0.01` is `--set train.optimizer.lr=0.01`.
        if message.hasPrefix("unknown option '--"), let option = message.split(separator: "'").dropFirst().first,
           let path = specPaths[String(option.dropFirst(2))] {
            return ("unknown option '\(option)'", "the spec's \(path) is set with --set \(path)=VALUE (or edit the spec)")
        }
        if message.hasPrefix("unknown option '--data'"), command == "cnnc predict" {
            return ("unknown option '--data'", "predict classifies the image files it is given; to measure a data set, use cnnc eval SPEC --weights W --data DIR")
        }
        return (message, nil)
    }

    /// Options people reach for that are spec settings, by the name they type.
    static let specPaths = [
        "lr": "train.optimizer.lr", "learning-rate": "train.optimizer.lr", "optimizer": "train.optimizer.name",
        "weight-decay": "train.optimizer.weight_decay", "momentum": "train.optimizer.momentum",
        "batch-size": "train.batch", "schedule": "train.schedule.name", "validation": "train.validation",
    ]
}
