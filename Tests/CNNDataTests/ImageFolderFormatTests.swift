import CNNData
import CNNIR
import Foundation
import Testing

/// Image folders: torchvision's class and file order, its handling of other files and empty classes,
/// unreadable files skipped (or refused under strict), sizes and channels brought to the input.
struct ImageFolderFormatTests {
    let files = CraftedFiles()

    /// Writes `bytes` to `directory/path`, making the folders on the way.
    @discardableResult
    func put(_ path: String, _ bytes: [UInt8]) throws -> String {
        let folder = (files.directory + "/" + path as NSString).deletingLastPathComponent
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        return try files.write(path, bytes)
    }

    /// A 2 × 1 grey PNG whose two pixels are `value` and `value + 1`.
    static func png(_ value: UInt8) -> [UInt8] { CraftedFiles.png(rows: [[value, value + 1]]) }
    static func pgm(_ value: UInt8) -> [UInt8] { CraftedFiles.pgm("P5 2 1 255\n", body: [value, value + 1]) }

    func options(_ input: Shape = Shape(channels: 1, height: 1, width: 2), threads: Int = 2) -> DataOptions {
        DataOptions(input: input, threads: threads)
    }

    @Test func classesAndFilesAreInTorchvisionsOrder() throws {
        // Classes by code point ("B" < "a" < "b"); files sorted, then sub-folders' files; other files ignored.
        try put("d/train/b/2.png", Self.png(10))
        try put("d/train/b/1.PGM", Self.pgm(20))
        try put("d/train/a/x.png", Self.png(30))
        try put("d/train/a/deeper/y.png", Self.png(40))
        try put("d/train/a/notes.txt", Array("not an image".utf8))
        try put("d/train/B/z.png", Self.png(50))
        try put("d/train/.hidden/h.png", Self.png(60))
        try put("d/test/a/t.png", Self.png(70))
        let source = try ImageFolderFormat.read(directory: files.directory + "/d", options: options())
        #expect(source.classNames == ["B", "a", "b"])
        #expect(source.train.labels == [0, 1, 1, 2, 2])
        #expect(source.train.bytes == [50, 51, 30, 31, 40, 41, 20, 21, 10, 11])
        #expect(source.test.labels == [1] && source.test.bytes == [70, 71])
        #expect(source.warnings.isEmpty && source.format == .imagefolder)
        #expect(ImageFolderFormat.recognizes(directory: files.directory + "/d"))
    }

    @Test func valStandsForTestAndSingleFoldersNeedAValidationFraction() throws {
        try put("v/train/a/1.png", Self.png(1))
        try put("v/val/a/2.png", Self.png(2))
        #expect(try ImageFolderFormat.read(directory: files.directory + "/v", options: options()).test.bytes == [2, 3])

        for i in 0..<8 { try put("s/\(i % 2 == 0 ? "even" : "odd")/\(i).png", Self.png(UInt8(10 * i))) }
        let single = files.directory + "/s"
        #expect(throws: DataError.noTestSplit(directory: single)) { try ImageFolderFormat.read(directory: single, options: options()) }
        var held = options()
        held.validation = 0.25
        held.seed = 9
        let source = try ImageFolderFormat.read(directory: single, options: held)
        // The test set is exactly what the run's validation split holds out.
        let validation = try source.train.dataset().split(validation: 0.25, seed: 9).validation
        #expect(source.train.count == 8 && source.test.count == 2)
        #expect(source.test.dataset().pixels == validation.pixels && source.test.labels == validation.labels)
        #expect(source.warnings.count == 1)
    }

    @Test func emptyAndUnknownClassesAreErrors() throws {
        try put("e/train/a/1.png", Self.png(1))
        try put("e/train/b/readme.md", Array("#".utf8))
        try put("e/test/a/1.png", Self.png(1))
        #expect(throws: DataError.emptyClasses(folders: [files.directory + "/e/train/b"])) {
            try ImageFolderFormat.read(directory: files.directory + "/e", options: options())
        }
        try put("u/train/a/1.png", Self.png(1))
        try put("u/test/c/1.png", Self.png(1))
        #expect(throws: DataError.unknownClass(folder: files.directory + "/u/test/c", classes: ["a"])) {
            try ImageFolderFormat.read(directory: files.directory + "/u", options: options())
        }
        try FileManager.default.createDirectory(atPath: files.directory + "/none", withIntermediateDirectories: true)
        #expect(throws: DataError.noClasses(directory: files.directory + "/none")) {
            try ImageFolderFormat.read(directory: files.directory + "/none", options: options())
        }
        #expect(!ImageFolderFormat.recognizes(directory: files.directory + "/none"))
    }

    @Test func unreadableFilesAreSkippedWithAWarningOrRefusedWhenStrict() throws {
        try put("w/train/a/1.png", Self.png(1))
        let broken = try put("w/train/a/2.png", Array(Self.png(2).prefix(30)))
        let bmp = try put("w/train/b/3.bmp", [0x42, 0x4D, 0, 0])
        try put("w/train/b/4.png", Self.png(4))
        try put("w/test/a/5.png", Self.png(5))
        let source = try ImageFolderFormat.read(directory: files.directory + "/w", options: options())
        #expect(source.train.labels == [0, 1] && source.train.bytes == [1, 2, 4, 5])
        let warning = try #require(source.warnings.first)
        #expect(warning.hasPrefix("skipped 2 unreadable image files of 4 in "), "\(warning)")
        #expect(warning.contains(broken) && warning.contains(bmp + ": BMP images are not read"), "\(warning)")
        var strict = options()
        strict.strict = true
        #expect {
            try ImageFolderFormat.read(directory: files.directory + "/w", options: strict)
        } throws: { error in
            guard case DataError.unreadableImages(let count, let examples) = error else { return false }
            return count == 2 && examples.count == 2
        }
    }

    @Test func imagesAreConvertedAndResizedToTheInputOrRefused() throws {
        // An RGB 4 × 2 PNG and a grey 2 × 1 one, for a grey 2 × 1 input.
        try put("r/train/a/big.png", CraftedFiles.png(rows: [[255, 0, 0, 255, 0, 0, 0, 0, 255, 0, 0, 255],
                                                             [255, 0, 0, 255, 0, 0, 0, 0, 255, 0, 0, 255]], colourType: 2))
        let path = files.directory + "/r/train/a/big.png"
        try put("r/test/a/small.png", Self.png(8))
        #expect(throws: DataError.imageSizeMismatch(path: path, width: 4, height: 2, expectedWidth: 2, expectedHeight: 1)) {
            try ImageFolderFormat.read(directory: files.directory + "/r", options: options())
        }
        var resized = options()
        resized.resize = ImageResize(mode: .stretch, filter: .area)
        let source = try ImageFolderFormat.read(directory: files.directory + "/r", options: resized)
        // Red is 76 and blue 29 in grey; each output pixel is the mean of a 2 × 2 block of one colour.
        #expect(source.train.bytes == [76, 29] && source.test.bytes == [8, 9])
        let rgb = try ImageFolderFormat.read(directory: files.directory + "/r", options: {
            var o = resized
            o.input = Shape(channels: 3, height: 1, width: 2)
            return o
        }())
        #expect(rgb.train.bytes == [255, 0, 0, 0, 0, 255] && rgb.test.bytes == [8, 8, 8, 9, 9, 9])
    }

    @Test func decodingOnManyThreadsGivesTheSameArray() throws {
        for i in 0..<40 { try put("p/train/c\(i % 3)/\(i).png", Self.png(UInt8(i * 5))) }
        for i in 0..<5 { try put("p/test/c\(i % 3)/\(i).pgm", Self.pgm(UInt8(i))) }
        let one = try ImageFolderFormat.read(directory: files.directory + "/p", options: options(threads: 1))
        let many = try ImageFolderFormat.read(directory: files.directory + "/p", options: options(threads: 7))
        #expect(one.train.bytes == many.train.bytes && one.train.labels == many.train.labels && one.test.bytes == many.test.bytes)
        #expect(one.train.count == 40 && one.test.count == 5)
    }

    @Test func detectionPrefersIDXAndFindsImageFolders() throws {
        try files.idxSet()
        #expect(!ImageFolderFormat.recognizes(directory: files.directory))
        try put("f/a/1.png", Self.png(1))
        try put("f/b/2.png", Self.png(2))
        #expect(try DataSources.load(directory: files.directory + "/f", options: {
            var o = options()
            o.validation = 0.5
            return o
        }()).format == .imagefolder)
    }
}
