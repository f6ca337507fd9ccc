import CNNTestSupport
import Foundation

/// Runs the built `cnnc` binary, which SwiftPM puts beside the test bundle.
enum CLI {
    struct Result {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    static let repositoryRoot: String = {
        let here = #filePath
        return String(here[..<here.range(of: "/Tests/")!.lowerBound])
    }()

    static var binary: String {
        let bundle = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        var candidate = bundle.appendingPathComponent("cnnc").path
        if !FileManager.default.fileExists(atPath: candidate) {
            // Under `swift test` the runner may be inside the .xctest bundle.
            candidate = bundle.deletingLastPathComponent().appendingPathComponent("cnnc").path
        }
        return candidate
    }

    static func run(_ arguments: [String], in directory: String = repositoryRoot) throws -> Result {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = arguments
        process.currentDirectoryURL = URL(fileURLWithPath: directory)
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let outData = out.fileHandleForReading.readDataToEndOfFile()
        let errData = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Result(status: process.terminationStatus,
                      stdout: String(decoding: outData, as: UTF8.self), stderr: String(decoding: errData, as: UTF8.self))
    }

    /// Writes `text` to a temporary spec file and returns its path.
    static func temporarySpec(_ text: String, name: String = "spec") throws -> String {
        let path = Scratch.directory("cli") + "/\(name).yaml"
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    static func snapshot(_ name: String) throws -> String {
        try String(contentsOfFile: repositoryRoot + "/Tests/cnncTests/Snapshots/\(name)", encoding: .utf8)
    }
}
