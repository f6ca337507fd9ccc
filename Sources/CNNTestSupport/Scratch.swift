import Foundation

/// Scratch paths for tests: one folder per test process in the system's temporary directory
/// (`cnnc-tests-<pid>`), removed with everything in it when the process exits, so a test run leaves
/// nothing behind however many tests write files.
public enum Scratch {
    /// A new, unused path `cnnc-tests-<pid>/<name>-<random>`; its parent exists, the path itself does not.
    public static func path(_ name: String) -> String {
        root + "/\(name)-\(UInt32.random(in: 0...UInt32.max))"
    }

    /// A new, empty folder `cnnc-tests-<pid>/<name>-<random>`.
    public static func directory(_ name: String) -> String {
        let directory = path(name)
        try? FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        return directory
    }

    private static let rootPath = NSTemporaryDirectory() + "cnnc-tests-\(getpid())"

    private static let root: String = {
        try? FileManager.default.createDirectory(atPath: rootPath, withIntermediateDirectories: true)
        atexit { try? FileManager.default.removeItem(atPath: Scratch.rootPath) }
        return rootPath
    }()
}
