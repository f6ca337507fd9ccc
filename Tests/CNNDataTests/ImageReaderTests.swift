import CNNData
import Foundation
import Testing

/// PNG and PGM images: well-formed ones read back exactly; hostile headers are refused before any
/// allocation of their announced size, and libpng's errors come back as values.
struct ImageReaderTests {
    let files = CraftedFiles()

    // MARK: - Well-formed

    @Test func readsAGreyPNG() throws {
        let path = try files.write("digit.png", CraftedFiles.png(rows: [[0, 255, 51], [102, 0, 255]]))
        let image = try ImageReader.read(path: path)
        #expect(image.width == 3 && image.height == 2)
        #expect(image.pixels == [0, 1, 0.2, 0.4, 0, 1])
    }

    @Test func readsBinaryAndTextPGM() throws {
        let p5 = try files.write("a.pgm", CraftedFiles.pgm("P5\n# a comment\n2 2\n255\n", body: [0, 255, 51, 102]))
        #expect(try ImageReader.read(path: p5).pixels == [0, 1, 0.2, 0.4])
        let p5Wide = try files.write("wide.pgm", CraftedFiles.pgm("P5 2 1 1000\n", body: [0x03, 0xE8, 0x01, 0xF4]))
        #expect(try ImageReader.read(path: p5Wide).pixels == [1, 0.5])
        let p2 = try files.write("b.pgm", CraftedFiles.pgm("P2\n3 1\n4\n0 2\n4\n"))
        #expect(try ImageReader.read(path: p2).pixels == [0, 0.5, 1])
    }

    @Test func maxPixelsCanBeRaised() throws {
        let path = try files.write("4x4.png", CraftedFiles.png(rows: [[UInt8]](repeating: [1, 2, 3, 4], count: 4)))
        #expect(throws: DataError.imageTooLarge(path: path, width: 4, height: 4, maxPixels: 15)) {
            try ImageReader.read(path: path, maxPixels: 15)
        }
        #expect(try ImageReader.read(path: path, maxPixels: 16).pixels.count == 16)
    }

    // MARK: - Hostile PNG

    @Test(arguments: [(UInt32(1_000_000), UInt32(1_000_000)), (UInt32(30_000), UInt32(30_000)), (UInt32(8193), UInt32(8193))])
    func pngLargerThanTheLimitIsRefusedFromItsHeader(width: UInt32, height: UInt32) throws {
        // A few dozen bytes declaring up to 10^12 pixels; the IDAT holds a single row.
        let path = try files.write("huge.png", CraftedFiles.png(width: width, height: height, idat: CraftedFiles.zlibStored([0, 0])))
        #expect(throws: DataError.imageTooLarge(path: path, width: Int(width), height: Int(height), maxPixels: ImageReader.defaultMaxPixels)) {
            try ImageReader.read(path: path)
        }
    }

    @Test func libpngErrorsComeBackAsValues() throws {
        let good = CraftedFiles.png(rows: [[1, 2], [3, 4]])
        // A bad IDAT checksum, a file cut inside IDAT, a zero width, a width beyond PNG's 2^31 − 1, and no IHDR.
        var badCRC = good
        badCRC[badCRC.count - 13] ^= 0xFF
        let cut = Array(good[0..<(good.count - 20)])
        let zeroWidth = CraftedFiles.png(width: 0, height: 2, idat: CraftedFiles.zlibStored([0, 0]))
        let hugeWidth = CraftedFiles.png(width: 0xFFFF_FFFF, height: 1, idat: CraftedFiles.zlibStored([0, 0]))
        let noHeader = Array(good[0..<8]) + CraftedFiles.chunk("IEND", [])
        let garbageIDAT = CraftedFiles.png(width: 2, height: 2, idat: [0x78, 0x01, 0xFF, 0xFF, 0xFF, 0x00])
        for (name, bytes) in [("crc", badCRC), ("cut", cut), ("zero", zeroWidth), ("wide", hugeWidth),
                              ("noheader", noHeader), ("garbage", garbageIDAT)] {
            let path = try files.write("\(name).png", bytes)
            do {
                _ = try ImageReader.read(path: path)
                Issue.record("\(name).png was accepted")
            } catch {
                guard case .badImage(let errorPath, let reason) = error else { Issue.record("\(name).png: \(error)"); continue }
                #expect(errorPath == path && reason.hasPrefix("libpng: "), "\(name).png: \(reason)")
            }
        }
    }

    // MARK: - Hostile PGM

    @Test func pgmLargerThanTheLimitIsRefusedFromItsHeader() throws {
        let path = try files.write("huge.pgm", CraftedFiles.pgm("P5\n100000 100000\n255\n", body: [1, 2, 3]))
        #expect(throws: DataError.imageTooLarge(path: path, width: 100_000, height: 100_000, maxPixels: ImageReader.defaultMaxPixels)) {
            try ImageReader.read(path: path)
        }
    }

    @Test func pgmDataIsCheckedAgainstTheFileBeforeAllocating() throws {
        // With no pixel limit, the 10^10 announced pixels still meet the 3-byte body before any allocation.
        let p5 = try files.write("lying.pgm", CraftedFiles.pgm("P5\n100000 100000\n65535\n", body: [1, 2, 3]))
        #expect(throws: DataError.badImage(path: p5, reason: "truncated PGM data: 100000×100000 pixels need 20000000000 bytes, the file has 3")) {
            try ImageReader.read(path: p5, maxPixels: .max)
        }
        let p2 = try files.write("lying-text.pgm", CraftedFiles.pgm("P2 8000 8000 255\n1 2 3\n"))
        #expect(throws: DataError.badImage(path: p2, reason: "truncated PGM data: 8000×8000 samples cannot fit in 6 bytes")) {
            try ImageReader.read(path: p2)
        }
        let short = try files.write("short.pgm", CraftedFiles.pgm("P2 2 2 255\n1 2 3\n"))
        #expect(throws: DataError.badImage(path: short, reason: "truncated PGM data")) { try ImageReader.read(path: short) }
    }

    @Test func pgmNumbersThatOverflowAreAnError() throws {
        let cases: [(String, String)] = [
            ("P5\n99999999999999999999999999 2\n255\n", "malformed PGM: the width exceeds 2147483647"),
            ("P5\n2 18446744073709551617\n255\n", "malformed PGM: the height exceeds 2147483647"),
            ("P5\n2 2\n65536\n", "malformed PGM: the maximum value exceeds 65535"),
            ("P2\n1 1\n255\n99999999999999999999999\n", "malformed PGM: the sample exceeds 65535"),
            ("P5\n2 2\n0\n", "malformed PGM header: no positive maximum value"),
            ("P5\n-2 2\n255\n", "malformed PGM: expected the width, found '-'"),
            ("P5\n2", "malformed PGM header: no positive height"),
            ("P2\n2 1\n100\n50 101\n", "PGM sample 101 exceeds the maximum value 100"),
            ("P5 2 2 255", "malformed PGM header: no whitespace after the maximum value"),
        ]
        for (index, (text, reason)) in cases.enumerated() {
            let path = try files.write("bad\(index).pgm", CraftedFiles.pgm(text))
            #expect(throws: DataError.badImage(path: path, reason: reason), "\(text.debugDescription)") { try ImageReader.read(path: path) }
        }
        let sample = try files.write("sample.pgm", CraftedFiles.pgm("P5 2 1 100\n", body: [100, 200]))
        #expect(throws: DataError.badImage(path: sample, reason: "PGM sample 200 exceeds the maximum value 100")) {
            try ImageReader.read(path: sample)
        }
    }

    @Test func otherFilesAreNotImages() throws {
        let path = try files.write("notes.txt", Array("hello".utf8))
        #expect(throws: DataError.badImage(path: path, reason: "not a PNG or PGM image")) { try ImageReader.read(path: path) }
        #expect(throws: DataError.missingFile(path: files.directory + "/none.png")) { try ImageReader.read(path: files.directory + "/none.png") }
    }
}
