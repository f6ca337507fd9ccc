import CNNIR
import CNNSpec
#if canImport(Glibc)
import Glibc
#endif

/// Prints compiler-style diagnostics on stderr:
///
///     specs/bad.yaml:7:5: error: layer 'conv3' has no output: output height = ⌊(4 + 0 + 0 − 1·(5 − 1) − 1) / 1⌋ + 1 = 0
///       - conv: {filters: 32, size: 5}
///         ^
///     hint: the input is too small here: …
enum DiagnosticRenderer {
    static func error(_ message: String, at location: SourceLocation, hint: String? = nil) {
        emit("error", message, at: location, hint: hint)
    }

    static func warning(_ message: String, at location: SourceLocation, hint: String? = nil) {
        emit("warning", message, at: location, hint: hint)
    }

    /// An error with no place in a file (bad data directory, failed write).
    static func error(_ message: String, hint: String? = nil) {
        var text = "cnnc: error: \(message)\n"
        if let hint { text += "hint: \(hint)\n" }
        Terminal.standardError(text)
    }

    /// A warning with no place in a file (files a data reader skipped).
    static func warning(_ message: String) {
        Terminal.standardError("cnnc: warning: \(message)\n")
    }

    private static func emit(_ severity: String, _ message: String, at location: SourceLocation, hint: String?) {
        var text: String
        if location.line > 0 {
            // An override's place is on the command line: its text is the line shown, under "command line".
            let isFlag = location.file.hasPrefix(SpecOverride.flag)
            text = isFlag ? "command line: \(severity): \(message)\n"
                : "\(location.file):\(location.line):\(location.column): \(severity): \(message)\n"
            if let line = isFlag ? location.file : sourceLine(location.file, location.line) {
                let shown = String(line.prefix(200))
                let caretColumn = min(max(location.column - 1, 0), shown.count)
                // Keep tabs so the caret lines up under the same character.
                let padding = shown.prefix(caretColumn).map { $0 == "\t" ? "\t" : " " }.joined()
                text += "  \(shown)\n  \(padding)^\n"
            }
        } else {
            text = "\(location.file): \(severity): \(message)\n"
        }
        if let hint { text += "hint: \(hint)\n" }
        Terminal.standardError(text)
    }

    /// Line `number` (1-based) of a file, decoded leniently so that invalid UTF-8 still shows.
    private static func sourceLine(_ path: String, _ number: Int) -> String? {
        guard let file = fopen(path, "rb") else { return nil }
        defer { fclose(file) }
        var line = 1
        var bytes: [UInt8] = []
        while true {
            let c = fgetc(file)
            if c == EOF { break }
            if c == 10 {
                if line == number { break }
                line += 1
                continue
            }
            if line == number {
                bytes.append(UInt8(c))
                if bytes.count > 4096 { break }
            }
        }
        guard line == number else { return nil }
        let text = String(decoding: bytes, as: UTF8.self)
        return text.unicodeScalars.map { $0.value < 32 && $0 != "\t" ? "?" : String($0) }.joined()
    }
}

enum Terminal {
    static func standardError(_ text: String) {
        var bytes = Array(text.utf8)
        _ = bytes.withUnsafeMutableBytes { write(2, $0.baseAddress, $0.count) }
    }

    /// Flushes Swift's buffered stdout so a progress line shows before the next step.
    static func flush() { fflush(nil) }

    static var standardOutputIsTerminal: Bool { isatty(1) == 1 }

    /// Standard output's width in columns: the terminal's, else $COLUMNS, else 80.
    static var columns: Int {
        var size = winsize()
        if ioctl(1, UInt(TIOCGWINSZ), &size) == 0, size.ws_col > 0 { return Int(size.ws_col) }
        if let text = getenv("COLUMNS").map({ String(cString: $0) }), let value = Int(text), value > 0 { return value }
        return 80
    }
    static var standardErrorIsTerminal: Bool { isatty(2) == 1 }
}
