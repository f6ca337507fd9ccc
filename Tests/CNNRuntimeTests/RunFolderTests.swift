import CNNTestSupport
import Foundation
import Testing
@testable import CNNRuntime

/// Run folders: never written over, names made safe, and a resume that contradicts the run refused.
struct RunFolderTests {
    func folder() -> String { Scratch.path("runs") }

    @Test func namesBecomeOnePathComponent() {
        #expect(RunFolder.sanitized("../../../../tmp/x") == "_._.._.._.._tmp_x")
        #expect(RunFolder.sanitized("..") == "_.")
        #expect(RunFolder.sanitized("a/b\\c\nd e") == "a_b_c_d_e")
        #expect(RunFolder.sanitized("") == "network")
        #expect(RunFolder.sanitized("resnet-18_v1.5") == "resnet-18_v1.5")
        #expect(!RunFolder.sanitized(String(repeating: "x", count: 5000)).contains("/"))
        #expect(RunFolder.sanitized(String(repeating: "x", count: 5000)).count == 100)
    }

    @Test func anExistingRunOrForeignFilesAreNotWrittenOver() throws {
        let dir = folder()
        #expect(try RunFolder.create(out: dir, network: "n") == dir)
        // empty: fine again
        #expect(try RunFolder.create(out: dir, network: "n") == dir)
        try Data("{}".utf8).write(to: URL(fileURLWithPath: dir + "/spec.yaml"))
        #expect(try RunFolder.create(out: dir, network: "n") == dir) // a start killed before run.json
        try Data("{}".utf8).write(to: URL(fileURLWithPath: dir + "/run.json"))
        #expect(throws: RunFolderError.existingRun(folder: dir)) { try RunFolder.create(out: dir, network: "n") }
        let other = folder()
        try FileManager.default.createDirectory(atPath: other, withIntermediateDirectories: true)
        try Data("mine".utf8).write(to: URL(fileURLWithPath: other + "/thesis.tex"))
        #expect(throws: RunFolderError.notEmpty(folder: other)) { try RunFolder.create(out: other, network: "n") }
        #expect(throws: RunFolderError.notAFolder(path: other + "/thesis.tex")) { try RunFolder.create(out: other + "/thesis.tex", network: "n") }
    }

    func record() -> RunRecord {
        RunRecord(cnncVersion: "test", command: ["cnnc", "train", "s.yaml"], spec: "s.yaml", network: "net", data: "/data/mnist",
                  seed: 1, batch: 100, epochs: 20, threads: 2, kernels: "fastest", ranks: 1, initWeights: nil)
    }

    @Test func aResumeThatContradictsTheRecordIsRefusedWithTheDifference() {
        let r = record()
        let same = RunRecord.Request(network: nil, data: nil, seed: nil, batch: nil, epochs: nil, threads: nil, kernels: nil, ranks: 1)
        #expect(r.conflicts(with: same).isEmpty)
        var asked = same
        asked.batch = 1000
        #expect(r.conflicts(with: asked) == ["--batch 1000, but the run was started with --batch 100"])
        asked = same
        asked.epochs = 30 // may grow
        #expect(r.conflicts(with: asked).isEmpty)
        asked.epochs = 10
        asked.seed = 2
        asked.threads = 1
        asked.kernels = "im2col"
        asked.data = "/data/fashion-mnist"
        let found = r.conflicts(with: asked)
        #expect(found.count == 5)
        #expect(found.contains { $0.hasPrefix("--seed 2") } && found.contains { $0.hasPrefix("--threads 1") })
        // Another rank count is no conflict (a lost host): it is said, not refused, and the threads per rank may change with it.
        asked.ranks = 2
        let onTwo = r.conflicts(with: asked)
        #expect(onTwo.count == 4 && !onTwo.contains { $0.hasPrefix("--threads") })
        #expect(!onTwo.contains { $0.contains("process") || $0.contains("ranks") })
        #expect(r.rankChange(same) == nil)
        #expect(r.rankChange(asked)?.hasPrefix("continuing on 2 ranks a run started on 1 process") == true)
    }

    @Test func theRecordRoundTripsAndIsFoundForResume() throws {
        let dir = folder()
        _ = try RunFolder.create(out: dir, network: "net")
        try RunFolder.write(record(), specText: Data("name: net\n".utf8), to: dir)
        let (found, decoded) = try RunFolder.existing(out: dir, network: nil)
        #expect(found == dir && decoded == record())
        #expect(FileManager.default.contents(atPath: dir + "/spec.yaml") == Data("name: net\n".utf8))
        #expect(throws: RunFolderError.nothingToResume(folder: dir + "/none")) { try RunFolder.existing(out: dir + "/none", network: nil) }
        try Data("{\"format\": \"other\"}".utf8).write(to: URL(fileURLWithPath: dir + "/run.json"))
        #expect(throws: RunFolderError.badRecord(path: dir + "/run.json")) { try RunFolder.existing(out: dir, network: nil) }
    }
}
