import CNNIR
import Foundation
import Testing
@testable import CNNData

/// CIFAR folders in the real layout, made of a few crafted records, read through `DataSources`.
struct CIFARFormatTests {
    let files = CraftedFiles()

    func writeCIFAR10(batches: Int = 5) throws {
        for n in 1...batches { try files.write("data_batch_\(n).bin", CIFARReaderTests.record([UInt8(n)]) + CIFARReaderTests.record([9])) }
        try files.write("test_batch.bin", CIFARReaderTests.record([3]))
        let names = ["airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck"]
        try files.write("batches.meta.txt", Array((names.joined(separator: "\n") + "\n\n").utf8))
    }

    @Test func cifar10IsDetectedWithItsNames() throws {
        try writeCIFAR10()
        let source = try DataSources.load(directory: files.directory)
        #expect(source.format == .cifar10 && source.warnings.isEmpty)
        #expect(source.train.labels == [1, 9, 2, 9, 3, 9, 4, 9, 5, 9] && source.test.labels == [3])
        #expect(source.train.channels == 3 && source.train.height == 32 && source.train.width == 32)
        #expect(source.classNames?[3] == "cat" && source.classNames?.count == 10)
        #expect(source.test.source == files.directory + "/test_batch.bin")
        // The trainer's view: channels first again, scaled; image 0's green plane starts at 100.
        #expect(source.train.dataset().pixels[1024] == Float(100) * (Float(1) / 255))
    }

    @Test func fewerBatchesAreAWarning() throws {
        try writeCIFAR10(batches: 2)
        let source = try DataSources.load(directory: files.directory, format: .cifar10)
        #expect(source.train.count == 4)
        #expect(source.warnings == ["\(files.directory): read data_batch_1.bin to data_batch_2.bin only (CIFAR-10 has 5 training batches)"])
    }

    @Test func cifar100FineByDefaultCoarseWhenNamed() throws {
        try files.write("train.bin", CIFARReaderTests.record([4, 40]) + CIFARReaderTests.record([19, 99]))
        try files.write("test.bin", CIFARReaderTests.record([0, 7]))
        try files.write("fine_label_names.txt", Array((0..<100).map { "fine\($0)\n" }.joined().utf8))
        try files.write("coarse_label_names.txt", Array((0..<20).map { "coarse\($0)\n" }.joined().utf8))
        let fine = try DataSources.load(directory: files.directory)
        #expect(fine.format == .cifar100 && fine.train.labels == [40, 99] && fine.classNames?[99] == "fine99")
        let coarse = try DataSources.load(directory: files.directory, format: .cifar100Coarse)
        #expect(coarse.format == .cifar100Coarse && coarse.train.labels == [4, 19] && coarse.test.labels == [0])
        #expect(coarse.classNames?.count == 20 && coarse.classNames?[19] == "coarse19")
        #expect(coarse.train.bytes == fine.train.bytes)
    }

    @Test func namedFormatSaysWhatIsMissing() throws {
        #expect(throws: DataError.missingFile(path: files.directory + "/data_batch_1.bin")) {
            try DataSources.load(directory: files.directory, format: .cifar10)
        }
        #expect(DataError.missingFile(path: files.directory + "/data_batch_1.bin").hint?.contains("test_batch.bin") == true)
        try files.write("train.bin", CIFARReaderTests.record([1, 1]) + [0])
        try files.write("test.bin", CIFARReaderTests.record([1, 1]))
        #expect(throws: DataError.partialRecords(path: files.directory + "/train.bin", bytes: 3075, recordBytes: 3074)) {
            try DataSources.load(directory: files.directory, format: .cifar100)
        }
    }
}
