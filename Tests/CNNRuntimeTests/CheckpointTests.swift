import Testing
@testable import CNNRuntime

/// Checkpoint files are read only when they are regular files.
struct CheckpointTests {
    @Test func devicesAndDirectoriesAreNotCheckpoints() {
        #expect(throws: CheckpointError.corrupt(path: "/dev/zero", reason: "not a regular file")) { try Checkpoint.read("/dev/zero") }
        let directory = CraftedSafetensors.temporaryDirectory("dir")
        #expect(throws: CheckpointError.corrupt(path: directory, reason: "not a regular file")) { try Checkpoint.read(directory) }
        #expect(throws: CheckpointError.missing(path: directory + "/none.safetensors")) { try Checkpoint.read(directory + "/none.safetensors") }
    }
}
