import CNNData
import CNNTestSupport
import Foundation
import Testing

/// IDX files made here: raw, gzipped, and broken in each way a user might meet.
struct IDXReaderTests {
    let directory = Scratch.directory("idx")

    func idx(_ dims: [Int], bytes: [UInt8]) -> [UInt8] {
        var header: [UInt8] = [0, 0, 8, UInt8(dims.count)]
        for d in dims { header += [UInt8(d >> 24 & 255), UInt8(d >> 16 & 255), UInt8(d >> 8 & 255), UInt8(d & 255)] }
        return header + bytes
    }

    func write(_ name: String, _ bytes: [UInt8], gzip: Bool = false) throws {
        let path = directory + "/" + name
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        if gzip {
            let p = Process()
            p.executableURL = URL(fileURLWithPath: "/bin/gzip")
            p.arguments = ["-f", path]
            try p.run()
            p.waitUntilExit()
        }
    }

    func writeSet(images: Int = 3, labels: Int = 3, gzip: Bool = false) throws {
        let pixels = (0..<(images * 4)).map { UInt8($0 * 20 % 256) }
        for prefix in ["train", "t10k"] {
            try write("\(prefix)-images-idx3-ubyte", idx([images, 2, 2], bytes: pixels), gzip: gzip)
            try write("\(prefix)-labels-idx1-ubyte", idx([labels], bytes: (0..<labels).map { UInt8($0 % 10) }), gzip: gzip)
        }
    }

    @Test(arguments: [false, true])
    func readsRawAndGzipped(gzip: Bool) throws {
        try writeSet(gzip: gzip)
        let set = try IDXFormat.read(directory: directory, options: DataOptions())
        #expect(set.train.count == 3 && set.test.count == 3)
        #expect(set.train.height == 2 && set.train.width == 2 && set.train.channels == 1)
        #expect(set.train.dataset().pixels[1] == Float(20) / 255)
        #expect(set.train.labels == [0, 1, 2])
    }

    /// Colour images: a 4-D file (count × channels × rows × columns), named idx4 or idx3; channels first.
    @Test(arguments: ["idx4", "idx3"])
    func readsFourDimensionalImages(name: String) throws {
        let pixels = (0..<(2 * 3 * 2 * 2)).map { UInt8($0 * 10) }
        for prefix in ["train", "t10k"] {
            try write("\(prefix)-images-\(name)-ubyte", idx([2, 3, 2, 2], bytes: pixels))
            try write("\(prefix)-labels-idx1-ubyte", idx([2], bytes: [4, 7]))
        }
        let set = try IDXFormat.read(directory: directory, options: DataOptions())
        #expect(set.train.count == 2 && set.train.channels == 3 && set.train.height == 2 && set.train.width == 2)
        // Image 1, channel 2, row 0, column 1: byte 12 + 8 + 1 = 21.
        #expect(set.train.dataset().pixels[21] == Float(210) * (Float(1) / 255))
        // Decoded sets hold pixels [N, H, W, C]: image 1, row 0, column 1, channel 2 is byte 12 + 1·3 + 2.
        #expect(set.train.bytes[17] == 210)
        #expect(set.test.labels == [4, 7])
    }

    @Test func fiveDimensionalImagesAreRefused() throws {
        try write("train-images-idx3-ubyte", idx([1, 1, 1, 1, 1], bytes: [0]))
        #expect(throws: DataError.badMagic(path: directory + "/train-images-idx3-ubyte", found: 0x0805,
                                           expected: "image (idx3-ubyte or idx4-ubyte)")) {
            try IDXReader.images(path: directory + "/train-images-idx3-ubyte")
        }
    }

    @Test func wrongMagicIsNamed() throws {
        try writeSet()
        try write("train-images-idx3-ubyte", [0, 0, 8, 1, 0, 0, 0, 1, 7])
        #expect(throws: DataError.badMagic(path: directory + "/train-images-idx3-ubyte", found: 0x0801, expected: "image (idx3-ubyte or idx4-ubyte)")) {
            try IDXFormat.read(directory: directory, options: DataOptions())
        }
    }

    /// A damaged, empty or missing IDX file's hint is about IDX files; a damaged file of another format gets the general
    /// one, even in a folder whose name says idx (this suite's).
    @Test func damagedFilesGetTheirFormatsHint() {
        let idx = directory + "/train-images-idx3-ubyte", cifar = directory + "/data_batch_1.bin"
        for error in [DataError.badMagic(path: idx, found: 0x0801, expected: "image (idx3-ubyte or idx4-ubyte)"),
                      .badHeader(path: idx, reason: "a dimension is 0"), .truncated(path: idx, expectedBytes: 9, foundBytes: 5),
                      .trailingData(path: idx, expectedBytes: 3)] {
            #expect(error.hint?.contains("0x00000803") == true, "\(error)")
        }
        #expect(DataError.empty(path: idx).hint?.contains("header counts 0 images") == true)
        #expect(DataError.missingFile(path: idx).hint?.contains("IDX data directory") == true)
        #expect(DataError.empty(path: cifar).hint?.contains("no readable image") == true)
        for error in [DataError.badMagic(path: cifar, found: 1, expected: "CIFAR"), .badHeader(path: cifar, reason: "x"),
                      .truncated(path: cifar, expectedBytes: 9, foundBytes: 5), .trailingData(path: cifar, expectedBytes: 3)] {
            #expect(error.hint?.contains("damaged or cut short") == true, "\(error)")
        }
    }

    @Test func truncatedFileIsNamed() throws {
        try writeSet()
        try write("t10k-images-idx3-ubyte", idx([3, 2, 2], bytes: [1, 2, 3, 4, 5]))
        #expect(throws: DataError.truncated(path: directory + "/t10k-images-idx3-ubyte", expectedBytes: 12, foundBytes: 5)) {
            try IDXFormat.read(directory: directory, options: DataOptions())
        }
    }

    @Test func countMismatch() throws {
        try writeSet(images: 3, labels: 2)
        #expect(throws: DataError.self) { try IDXFormat.read(directory: directory, options: DataOptions()) }
    }

    @Test func missingFileAndUnknownDataSet() throws {
        #expect(throws: DataError.missingFile(path: directory + "/train-images-idx3-ubyte[.gz]")) {
            try IDXFormat.read(directory: directory, options: DataOptions())
        }
        #expect(throws: DataError.self) { try DataLocator.directory(for: "no-such-set", environment: [:]) }
        do {
            _ = try DataLocator.directory(for: "kmnist", environment: ["CNNC_DATA": "/nowhere"])
            Issue.record("expected an error")
        } catch {
            #expect(error.message == "data set 'kmnist' not found; looked in: /nowhere/kmnist, ./data/kmnist, /usr/share/datasets/kmnist")
        }
        let fashion = DataError.notFound(name: "fashion-mnist", searched: [])
        #expect(fashion.hint?.contains("apt-get install dataset-fashion-mnist") == true)
    }

    @Test func environmentDirectoryIsSearched() throws {
        try FileManager.default.createDirectory(atPath: directory + "/mnist", withIntermediateDirectories: true)
        #expect(try DataLocator.directory(for: "mnist", environment: ["CNNC_DATA": directory]) == directory + "/mnist")
    }

    // MARK: - Hostile headers: an error naming the file, never a trap or an allocation the data cannot back

    @Test func sizesWhoseProductOverflowsAreAnError() throws {
        let files = CraftedFiles()
        let path = try files.write("overflow-idx3-ubyte", CraftedFiles.idx([0xFFFF_FFFF, 0xFFFF_FFFF, 0xFFFF_FFFF], body: [1, 2, 3]))
        #expect(throws: DataError.badHeader(path: path, reason: "the sizes 4294967295 × 4294967295 × 4294967295 overflow")) {
            try IDXReader.images(path: path)
        }
    }

    @Test(arguments: [false, true])
    func hugeCountWithATinyBodyIsTruncatedNotAllocated(gzip: Bool) throws {
        let files = CraftedFiles()
        // 2^31 images of 1 × 1 announced, 100 bytes present: nothing near 2 GB may be allocated.
        let path = try files.write("lying-idx3-ubyte", CraftedFiles.idx([1 << 31, 1, 1], body: [UInt8](repeating: 7, count: 100)), gzip: gzip)
        #expect(throws: DataError.truncated(path: path, expectedBytes: 1 << 31, foundBytes: 100)) {
            try IDXReader.images(path: path)
        }
        let labels = try files.write("lying-idx1-ubyte", CraftedFiles.idx([0xFFFF_FFFF], body: [1, 2, 3]), gzip: gzip)
        #expect(throws: DataError.truncated(path: labels, expectedBytes: 0xFFFF_FFFF, foundBytes: 3)) {
            try IDXReader.labels(path: labels)
        }
    }

    @Test func moreThanTheLimitIsRefusedFromTheHeader() throws {
        let files = CraftedFiles()
        let path = try files.write("big-idx3-ubyte", CraftedFiles.idx([1 << 16, 1 << 16, 2], body: [0]))
        #expect(throws: DataError.tooLarge(path: path, bytes: 1 << 33, limit: IDXReader.maximumDataBytes)) {
            try IDXReader.images(path: path)
        }
        let labels = try files.write("labels-idx1-ubyte", CraftedFiles.idx([100], body: [UInt8](repeating: 1, count: 100)))
        #expect(throws: DataError.tooLarge(path: labels, bytes: 100, limit: 50)) { try IDXReader.labels(path: labels, maxBytes: 50) }
        #expect(try IDXReader.labels(path: labels, maxBytes: 100).count == 100)
    }

    @Test func imagesWithAZeroSideAreAnError() throws {
        let path = try CraftedFiles().write("flat-idx3-ubyte", CraftedFiles.idx([3, 0, 28]))
        #expect(throws: DataError.badHeader(path: path, reason: "images of 0 × 28 pixels")) { try IDXReader.images(path: path) }
    }

    @Test func bytesBeyondTheHeadersCountAreAnError() throws {
        let files = CraftedFiles()
        let raw = try files.write("long-idx1-ubyte", CraftedFiles.idx([3], body: [1, 2, 3, 4, 5]))
        #expect(throws: DataError.trailingData(path: raw, expectedBytes: 3)) { try IDXReader.labels(path: raw) }
        // A gzip bomb: 64 KB that inflate to 64 MB behind a header announcing 4 labels. Reading stops at byte 5.
        let bomb = try files.write("bomb-idx1-ubyte", CraftedFiles.idx([4], body: [UInt8](repeating: 0, count: 64 << 20)), gzip: true)
        #expect(throws: DataError.trailingData(path: bomb, expectedBytes: 4)) { try IDXReader.labels(path: bomb) }
    }

    @Test func shortAndEmptyFilesAreNotIDX() throws {
        let files = CraftedFiles()
        let empty = try files.write("empty", [])
        #expect(throws: DataError.badMagic(path: empty, found: 0, expected: "label (idx1-ubyte)")) { try IDXReader.labels(path: empty) }
        let short = try files.write("short", [0, 0, 8, 3, 0, 0])
        #expect(throws: DataError.badMagic(path: short, found: 0x0803, expected: "image (idx3-ubyte or idx4-ubyte)")) { try IDXReader.images(path: short) }
    }

    @Test func corruptGzipIsAnError() throws {
        let files = CraftedFiles()
        let path = try files.write("corrupt-idx1-ubyte", CraftedFiles.idx([1000], body: (0..<1000).map { UInt8($0 * 7 % 251) }), gzip: true)
        var bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
        for i in 20..<(bytes.count - 8) { bytes[i] ^= 0x5A }
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        #expect(throws: DataError.self) { try IDXReader.labels(path: path) }
    }

    @Test func seededShuffleIsReproducible() {
        var a = SeededGenerator(seed: 42), b = SeededGenerator(seed: 42)
        var x = Array(0..<50), y = Array(0..<50)
        x.shuffle(using: &a)
        y.shuffle(using: &b)
        #expect(x == y && x != Array(0..<50))
    }

    @Test func augmentationKeepsZeroShiftIdentity() {
        let source: [Float] = (0..<16).map(Float.init)
        var out = [Float](repeating: 0, count: 16)
        var generator = SeededGenerator(seed: 1)
        source.withUnsafeBufferPointer { s in
            out.withUnsafeMutableBufferPointer { d in
                Augmenter(maxShift: 0, maxRotationDegrees: 0).apply(source: s.baseAddress!, destination: d.baseAddress!,
                                                                    channels: 1, height: 4, width: 4, generator: &generator)
            }
        }
        #expect(out == source)
    }
}

/// The held-out validation split: seeded, disjoint, and complete.
struct ValidationSplitTests {
    @Test func splitIsDisjointCompleteAndSeeded() throws {
        let data = Dataset(channels: 1, height: 1, width: 1, pixels: (0..<100).map(Float.init), labels: (0..<100).map { Int32($0 % 10) })
        let (train, validation) = try data.split(validation: 0.1, seed: 4)
        #expect(train.count == 90 && validation.count == 10)
        // Pixels carry the original index: together they are every image exactly once.
        #expect(Set(train.pixels + validation.pixels) == Set((0..<100).map(Float.init)))
        #expect(zip(train.pixels, train.labels).allSatisfy { Int32(Int($0.0) % 10) == $0.1 })
        let again = try data.split(validation: 0.1, seed: 4)
        #expect(again.validation.pixels == validation.pixels)
        #expect(try data.split(validation: 0.1, seed: 5).validation.pixels != validation.pixels)
        #expect(throws: DataError.emptySplit(fraction: 0.9999, images: data.count)) { try data.split(validation: 0.9999, seed: 4) }
        #expect(throws: DataError.emptySplit(fraction: 0.0001, images: data.count)) { try data.split(validation: 0.0001, seed: 4) }
    }
}
