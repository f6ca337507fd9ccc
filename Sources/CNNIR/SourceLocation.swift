/// A place in a spec file, 1-based, as libyaml reported it; the CLI renders it as `file:line:col`.
public struct SourceLocation: Hashable, Sendable, CustomStringConvertible {
    public var file: String
    public var line: Int
    public var column: Int

    public init(file: String, line: Int, column: Int) {
        self.file = file
        self.line = line
        self.column = column
    }

    /// For networks built in code rather than read from a file.
    public static let unknown = SourceLocation(file: "<memory>", line: 0, column: 0)

    public var description: String { "\(file):\(line):\(column)" }
}
