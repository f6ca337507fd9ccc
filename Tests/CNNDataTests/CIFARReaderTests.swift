import CNNData
import Testing

/// CIFAR binary records made here byte by byte: label byte(s), then the red, green and blue 32×32 planes.
struct CIFARReaderTests {
    let files = CraftedFiles()

    /// A record whose pixel p of plane c is (c · 100 + p) mod 256, after `labels`.
    static func record(_ labels: [UInt8], shift: Int = 0) -> [UInt8] {
        labels + (0..<3072).map { i in UInt8(((i / 1024) * 100 + i % 1024 + shift) % 256) }
    }

    @Test func planesBecomeChannelsLast() throws {
        var records = CIFARReader.Records(pixels: [], labels: [])
        try CIFARReader.decode(Self.record([7]) + Self.record([2], shift: 1), labels: .cifar10, path: "x.bin", into: &records)
        #expect(records.labels == [7, 2])
        #expect(records.pixels.count == 2 * 32 * 32 * 3)
        // Image 0, row 1, column 2 = plane offset 34: red 34, green 134, blue 234.
        let at = (1 * 32 + 2) * 3
        #expect(Array(records.pixels[at..<(at + 3)]) == [34, 134, 234])
        // Image 1, last pixel (1023): red (1023 + 1) % 256 = 0, green (1123 + 1) % 256 = 100, blue (1223 + 1) % 256 = 200.
        #expect(Array(records.pixels.suffix(3)) == [0, 100, 200])
    }

    @Test func cifar100TakesTheFineLabelOrTheCoarseOne() throws {
        let data = Self.record([19, 99]) + Self.record([3, 42])
        var fine = CIFARReader.Records(pixels: [], labels: []), coarse = fine
        try CIFARReader.decode(data, labels: .fine, path: "train.bin", into: &fine)
        try CIFARReader.decode(data, labels: .coarse, path: "train.bin", into: &coarse)
        #expect(fine.labels == [99, 42] && coarse.labels == [19, 3])
        #expect(fine.pixels == coarse.pixels && fine.pixels[3] == 1)
    }

    @Test func labelsOutsideTheClassesAreRefused() throws {
        var records = CIFARReader.Records(pixels: [], labels: [])
        #expect(throws: DataError.badLabel(path: "b.bin", index: 1, label: 10, classes: 10)) {
            try CIFARReader.decode(Self.record([9]) + Self.record([10]), labels: .cifar10, path: "b.bin", into: &records)
        }
        var coarse = CIFARReader.Records(pixels: [], labels: [])
        #expect(throws: DataError.badLabel(path: "t.bin", index: 0, label: 20, classes: 20)) {
            try CIFARReader.decode(Self.record([20, 5]), labels: .coarse, path: "t.bin", into: &coarse)
        }
    }

    /// The size is checked from stat, before reading: a byte too many or too few, or no record, names the file.
    @Test(arguments: [3073 + 1, 3073 * 2 - 1, 0])
    func aPartialRecordIsRefusedNamingTheFile(bytes: Int) throws {
        let path = try files.write("data_batch_1.bin", [UInt8](repeating: 1, count: bytes))
        #expect(throws: DataError.partialRecords(path: path, bytes: bytes, recordBytes: 3073)) {
            try CIFARReader.read(files: [path], labels: .cifar10, maxBytes: 1 << 30)
        }
        let error = DataError.partialRecords(path: path, bytes: bytes, recordBytes: 3073)
        #expect(error.message == "\(path): \(bytes) bytes is not a whole number of 3073-byte records")
        #expect(error.hint?.contains("1 label byte and 3072 image bytes") == true)
        #expect(DataError.partialRecords(path: path, bytes: 1, recordBytes: 3074).hint?.contains("CIFAR-100") == true)
    }

    @Test func filesAreConcatenatedWithinTheLimit() throws {
        let a = try files.write("data_batch_1.bin", Self.record([1]))
        let b = try files.write("data_batch_2.bin", Self.record([2]) + Self.record([3]))
        let records = try CIFARReader.read(files: [a, b], labels: .cifar10, maxBytes: 3 * 3073)
        #expect(records.labels == [1, 2, 3] && records.count == 3)
        #expect(throws: DataError.tooLarge(path: "\(a), \(b)", bytes: 3 * 3073, limit: 3 * 3073 - 1)) {
            try CIFARReader.read(files: [a, b], labels: .cifar10, maxBytes: 3 * 3073 - 1)
        }
        #expect(throws: DataError.missingFile(path: files.directory + "/none.bin")) {
            try CIFARReader.read(files: [files.directory + "/none.bin"], labels: .cifar10, maxBytes: 1 << 30)
        }
    }

    @Test func trainingFilesRunWithoutAGap() throws {
        for n in [1, 2, 4] { try files.write("data_batch_\(n).bin", Self.record([0])) }
        try files.write("test_batch.bin", Self.record([0]))
        let d = files.directory
        #expect(CIFARReader.trainFiles(directory: d, labels: .cifar10) == ["\(d)/data_batch_1.bin", "\(d)/data_batch_2.bin"])
        #expect(CIFARReader.recognizes(directory: d, labels: .cifar10))
        #expect(!CIFARReader.recognizes(directory: d, labels: .fine))
        #expect(CIFARReader.trainFiles(directory: d, labels: .coarse) == ["\(d)/train.bin"])
        #expect(CIFARReader.testFile(directory: d, labels: .fine) == "\(d)/test.bin")
    }

    @Test func classNamesOnePerLine() throws {
        #expect(CIFARReader.classNames(text: "airplane\nautomobile\r\nbird\n\n") == ["airplane", "automobile", "bird"])
        let d = files.directory
        try files.write("batches.meta.txt", Array((0..<10).map { "class \($0)\n" }.joined().utf8) + [10])
        try files.write("coarse_label_names.txt", Array("a\nb\n".utf8))
        var warnings: [String] = []
        #expect(CIFARReader.classNames(directory: d, labels: .cifar10, warnings: &warnings) == (0..<10).map { "class \($0)" })
        #expect(warnings.isEmpty)
        #expect(CIFARReader.classNames(directory: d, labels: .coarse, warnings: &warnings) == nil)
        #expect(CIFARReader.classNames(directory: d, labels: .fine, warnings: &warnings) == nil)
        #expect(warnings == ["\(d)/coarse_label_names.txt has 2 names for 20 classes: classes are shown as numbers",
                             "\(d)/fine_label_names.txt is missing: classes are shown as numbers"])
    }
}
