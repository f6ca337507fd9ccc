import CNNTestSupport
import Foundation
import Testing
@testable import CNNRuntime

/// Writes replace regular files only, through symbolic links, and clean up after killed writers.
struct AtomicFileTests {
    func folder() throws -> String {
        let path = Scratch.path("atomic")
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    @Test func replacesARegularFile() throws {
        let dir = try folder()
        try AtomicFile.write(Data("old".utf8), to: dir + "/f")
        try AtomicFile.write(Data("new".utf8), to: dir + "/f")
        #expect(FileManager.default.contents(atPath: dir + "/f") == Data("new".utf8))
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir) == ["f"])
    }

    @Test func writesThroughASymbolicLink() throws {
        let dir = try folder()
        try Data("old".utf8).write(to: URL(fileURLWithPath: dir + "/target"))
        try FileManager.default.createSymbolicLink(atPath: dir + "/link", withDestinationPath: "target")
        try AtomicFile.write(Data("new".utf8), to: dir + "/link")
        #expect(try FileManager.default.destinationOfSymbolicLink(atPath: dir + "/link") == "target")
        #expect(FileManager.default.contents(atPath: dir + "/target") == Data("new".utf8))
    }

    @Test func refusesDevicesFIFOsAndFolders() throws {
        let dir = try folder()
        #expect(throws: CheckpointError.notRegularFile(path: "/dev/null", kind: "a device")) {
            try AtomicFile.write(Data("x".utf8), to: "/dev/null")
        }
        #expect(mkfifo(dir + "/fifo", 0o644) == 0)
        #expect(throws: CheckpointError.notRegularFile(path: dir + "/fifo", kind: "a FIFO (named pipe)")) {
            try AtomicFile.write(Data("x".utf8), to: dir + "/fifo")
        }
        try FileManager.default.createSymbolicLink(atPath: dir + "/null-link", withDestinationPath: "/dev/null")
        #expect(throws: CheckpointError.notRegularFile(path: dir + "/null-link", kind: "a device")) {
            try AtomicFile.write(Data("x".utf8), to: dir + "/null-link")
        }
        try FileManager.default.createDirectory(atPath: dir + "/sub", withIntermediateDirectories: false)
        #expect(throws: CheckpointError.notRegularFile(path: dir + "/sub", kind: "a directory")) {
            try AtomicFile.write(Data("x".utf8), to: dir + "/sub")
        }
        var info = stat()
        #expect(lstat(dir + "/fifo", &info) == 0 && (info.st_mode & S_IFMT) == S_IFIFO)
    }

    @Test func removesTemporariesOfKilledWriters() throws {
        let dir = try folder()
        // pid 2^22 + 1 is above Linux's pid_max limit: no such process can be running.
        try Data("half".utf8).write(to: URL(fileURLWithPath: dir + "/f.tmp-4194305"))
        try Data("other".utf8).write(to: URL(fileURLWithPath: dir + "/g.tmp-4194305"))
        try AtomicFile.write(Data("whole".utf8), to: dir + "/f")
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir).sorted() == ["f", "g.tmp-4194305"])
    }

    @Test func aMissingFolderIsAnErrorNotACrash() {
        #expect(throws: CheckpointError.self) { try AtomicFile.write(Data("x".utf8), to: "/nonexistent-cnnc/f") }
    }
}
