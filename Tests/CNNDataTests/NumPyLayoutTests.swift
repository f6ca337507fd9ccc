import CNNData
import CZip
import Foundation
import Testing

/// Folders of NumPy arrays in each accepted layout: .npz stored (numpy.savez) and deflated
/// (numpy.savez_compressed, written here through libzip), and .npy files.
struct NumPyLayoutTests {
    let files = CraftedFiles()

    /// Images i of h × w × c: pixel k holds 10·i + k; labels `labels`.
    static func arrays(_ labels: [UInt8], height: Int = 2, width: Int = 2, channels: Int? = nil) -> (x: [UInt8], y: [UInt8]) {
        let size = height * width * (channels ?? 1)
        let shape = [labels.count, height, width] + (channels.map { [$0] } ?? [])
        let pixels: [UInt8] = (0..<(labels.count * size)).map { (k: Int) -> UInt8 in UInt8(k / size * 10 + k % size) }
        let x = CraftedFiles.npy(descr: "|u1", shape: shape, body: pixels)
        let y = CraftedFiles.npy(descr: "<i8", shape: [labels.count], body: labels.flatMap { (label: UInt8) -> [UInt8] in [label, 0, 0, 0, 0, 0, 0, 0] })
        return (x, y)
    }

    /// A deflated archive through libzip (as numpy.savez_compressed writes).
    func writeDeflated(_ name: String, _ members: [(String, [UInt8])]) throws -> String {
        let path = files.directory + "/" + name
        var code: Int32 = 0
        let archive = try #require(zip_open(path, ZIP_CREATE | ZIP_TRUNCATE, &code))
        var buffers: [UnsafeMutableRawPointer] = []
        for (member, bytes) in members {
            let buffer = UnsafeMutableRawPointer.allocate(byteCount: max(bytes.count, 1), alignment: 1)
            buffer.copyMemory(from: bytes, byteCount: bytes.count)
            buffers.append(buffer)
            let source = try #require(zip_source_buffer(archive, buffer, zip_uint64_t(bytes.count), 0))
            let index = zip_file_add(archive, member, source, zip_flags_t(ZIP_FL_OVERWRITE))
            #expect(index >= 0)
            #expect(zip_set_file_compression(archive, zip_uint64_t(index), ZIP_CM_DEFLATE, 0) == 0)
        }
        #expect(zip_close(archive) == 0)
        buffers.forEach { $0.deallocate() }
        return path
    }

    @Test func kerasArchiveStoredOrDeflated() throws {
        let train = Self.arrays([3, 1, 4]), test = Self.arrays([1, 5])
        let members = [("x_train.npy", train.x), ("y_train.npy", train.y), ("x_test.npy", test.x), ("y_test.npy", test.y)]
        for deflated in [false, true] {
            let name = "mnist.npz"
            let path = deflated ? try writeDeflated(name, members) : try files.write(name, CraftedFiles.zipStored(members))
            let (trainSplit, testSplit) = try NumPyLayout.load(directory: files.directory, maxBytes: 1 << 20)
            #expect(trainSplit.labels == [3, 1, 4] && testSplit.labels == [1, 5])
            #expect(trainSplit.channels == 1 && trainSplit.height == 2 && trainSplit.width == 2)
            let expected: [UInt8] = [0, 1, 2, 3, 10, 11, 12, 13, 20, 21, 22, 23]
            #expect(trainSplit.pixels == expected)
            #expect(testSplit.source == path + ":y_test.npy")
            #expect(NumPyLayout.recognizes(directory: files.directory))
        }
    }

    @Test func trainAndTestArchivesWithXAndY() throws {
        let train = Self.arrays([0, 1], channels: 3), test = Self.arrays([1], channels: 3)
        try files.write("train.npz", CraftedFiles.zipStored([("x.npy", train.x), ("y.npy", train.y)]))
        _ = try writeDeflated("test.npz", [("images.npy", test.x), ("labels.npy", test.y)])
        let (trainSplit, testSplit) = try NumPyLayout.load(directory: files.directory, maxBytes: 1 << 20)
        #expect(trainSplit.channels == 3 && trainSplit.count == 2 && testSplit.labels == [1])
        let expected: [UInt8] = Array(0..<12)
        #expect(testSplit.pixels == expected)
    }

    @Test func fourNPYFiles() throws {
        let train = Self.arrays([2, 2]), test = Self.arrays([7])
        for (name, bytes) in [("x_train", train.x), ("y_train", train.y), ("x_test", test.x), ("y_test", test.y)] {
            try files.write(name + ".npy", bytes)
        }
        let (trainSplit, testSplit) = try NumPyLayout.load(directory: files.directory, maxBytes: 1 << 20)
        #expect(trainSplit.labels == [2, 2] && testSplit.labels == [7] && testSplit.source == files.directory + "/y_test.npy")
    }

    @Test func missingAndMismatchedArraysAreNamed() throws {
        #expect(!NumPyLayout.recognizes(directory: files.directory))
        #expect(throws: DataError.missingFile(path: files.directory + "/x_train.npy")) {
            try NumPyLayout.load(directory: files.directory, maxBytes: 1 << 20)
        }
        let train = Self.arrays([0, 1])
        let path = try files.write("data.npz", CraftedFiles.zipStored([("x_train.npy", train.x), ("y_train.npy", train.y)]))
        #expect(throws: DataError.badArray(path: path, reason: "holds x_train, y_train; expected x_train, y_train, x_test and y_test (Keras' mnist.npz)")) {
            try NumPyLayout.load(directory: files.directory, maxBytes: 1 << 20)
        }
        let short = Self.arrays([0])
        try files.write("data.npz", CraftedFiles.zipStored([("x_train.npy", train.x), ("y_train.npy", short.y),
                                                            ("x_test.npy", train.x), ("y_test.npy", train.y)]))
        #expect(throws: DataError.countMismatch(images: path + ":x_train.npy", imageCount: 2, labels: path + ":y_train.npy", labelCount: 1)) {
            try NumPyLayout.load(directory: files.directory, maxBytes: 1 << 20)
        }
        let text = try files.write("train.npz", Array("not a zip".utf8))
        do {
            _ = try NumPyLayout.load(directory: files.directory, maxBytes: 1 << 20)
            Issue.record("a text file was read as an archive")
        } catch {
            guard case .badArray(let errorPath, let reason) = error else { Issue.record("\(error)"); return }
            #expect(errorPath == text && reason.hasPrefix("not a .npz (zip) archive: "))
        }
    }

    // MARK: - Hostile archives

    @Test func aLyingZipDirectoryIsRefusedBeforeAllocating() throws {
        let train = Self.arrays([0])
        let path = try files.write("lie.npz", CraftedFiles.zipStored([("x.npy", train.x)], claimedSize: 0xFFFF_FF00))
        let archive = try NumPyArchive(path: path)
        #expect(archive.names == ["x"])
        #expect(throws: DataError.badArray(path: path + ":x.npy", reason: "the zip directory claims 4294967040 bytes from \(train.x.count) compressed; the archive is damaged")) {
            try archive.array("x", maxBytes: 1 << 40)
        }
        #expect(throws: DataError.tooLarge(path: path + ":x.npy", bytes: 0xFFFF_FF00, limit: 1 << 20)) {
            try archive.array("x", maxBytes: 1 << 20)
        }
        #expect(throws: DataError.missingFile(path: path + ":y.npy")) { try archive.array("y", maxBytes: 1 << 20) }
    }

    @Test func aMemberWhoseHeaderPromisesMoreThanItHoldsIsTruncated() throws {
        let lying = CraftedFiles.npy(descr: "|u1", shape: [100_000, 100, 100], body: [1, 2, 3])
        let path = try writeDeflated("train.npz", [("x.npy", lying), ("y.npy", Self.arrays([0]).y)])
        #expect(throws: DataError.truncated(path: path + ":x.npy", expectedBytes: 1_000_000_000, foundBytes: 3)) {
            try NumPyArchive(path: path).array("x", maxBytes: 1 << 32)
        }
    }

    /// Members cut short or with headers of 0 to 2 bytes: each an error naming the member, never a trap.
    @Test func shortMembersAndHeadersAreErrors() throws {
        let magic: [UInt8] = [0x93] + Array("NUMPY".utf8)
        let members: [(String, [UInt8])] = [
            ("empty.npy", []), ("five.npy", Array(magic.prefix(5))), ("nolength.npy", magic + [1, 0]),
            ("zero.npy", magic + [1, 0, 0, 0]), ("one.npy", magic + [1, 0, 1, 0, 0x7B, 0x7D]),
            ("two.npy", magic + [1, 0, 2, 0, 0x7B, 0x7D]), ("long.npy", magic + [2, 0, 0xFF, 0xFF, 0, 0]),
            ("cut.npy", Array(CraftedFiles.npy(descr: "|u1", shape: [1, 1, 1], body: [1]).prefix(40))),
        ]
        let path = try files.write("short.npz", CraftedFiles.zipStored(members))
        let archive = try NumPyArchive(path: path)
        for (name, _) in members {
            #expect(throws: DataError.self, "\(name)") { try archive.array(String(name.dropLast(4)), maxBytes: 1 << 20) }
        }
    }

    @Test func aDamagedMemberFailsItsCRC() throws {
        let train = Self.arrays([0, 1])
        var bytes = CraftedFiles.zipStored([("x.npy", train.x)])
        // The last value byte of the stored member: 30-byte local header, 5-byte name, then the .npy.
        bytes[30 + 5 + train.x.count - 1] ^= 0xFF
        let path = try files.write("crc.npz", bytes)
        do {
            _ = try NumPyArchive(path: path).array("x", maxBytes: 1 << 20)
            Issue.record("a damaged member was read")
        } catch {
            guard case .unreadable(let errorPath, let reason) = error else { Issue.record("\(error)"); return }
            #expect(errorPath == path + ":x.npy" && reason.contains("CRC"), "\(reason)")
        }
    }
}

extension NumPyLayout.Split {
    var count: Int { labels.count }
}
