import CNNData
import Foundation
import Testing

/// PNG, JPEG, PGM and PPM images: well-formed ones read back exactly (JPEG: as Pillow decodes it, ±1);
/// hostile headers are refused before any allocation of their announced size, and libpng's and TurboJPEG's
/// errors come back as values.
struct ImageReaderTests {
    let files = CraftedFiles()

    // MARK: - Well-formed

    @Test func readsAGreyPNG() throws {
        let path = try files.write("digit.png", CraftedFiles.png(rows: [[0, 255, 51], [102, 0, 255]]))
        let image = try ImageReader.read(path: path)
        #expect(image.width == 3 && image.height == 2 && image.channels == 1)
        #expect(image.bytes == [0, 255, 51, 102, 0, 255])
        #expect(try ImageReader.read(path: path, channels: 3).bytes == [0, 0, 0, 255, 255, 255, 51, 51, 51, 102, 102, 102, 0, 0, 0, 255, 255, 255])
    }

    @Test func readsColourPNGsAndDropsAlpha() throws {
        let rgb = try files.write("rgb.png", CraftedFiles.png(rows: [[255, 0, 0, 0, 255, 0], [0, 0, 255, 10, 20, 30]], colourType: 2))
        let image = try ImageReader.read(path: rgb)
        #expect(image.width == 2 && image.height == 2 && image.channels == 3)
        #expect(image.bytes == [255, 0, 0, 0, 255, 0, 0, 0, 255, 10, 20, 30])
        // Pillow's L of pure red, green and blue: 76, 150, 29; (10, 20, 30) → 18.
        #expect(try ImageReader.read(path: rgb, channels: 1).bytes == [76, 150, 29, 18])
        let rgba = try files.write("rgba.png", CraftedFiles.png(rows: [[255, 0, 0, 0, 1, 2, 3, 128]], colourType: 6))
        #expect(try ImageReader.read(path: rgba) == PixelImage(width: 2, height: 1, channels: 3, bytes: [255, 0, 0, 1, 2, 3]))
        let greyAlpha = try files.write("ga.png", CraftedFiles.png(rows: [[7, 0, 9, 255]], colourType: 4))
        #expect(try ImageReader.read(path: greyAlpha) == PixelImage(width: 2, height: 1, channels: 1, bytes: [7, 9]))
    }

    @Test func readsBinaryAndTextPGM() throws {
        let p5 = try files.write("a.pgm", CraftedFiles.pgm("P5\n# a comment\n2 2\n255\n", body: [0, 255, 51, 102]))
        #expect(try ImageReader.read(path: p5).bytes == [0, 255, 51, 102])
        // Samples scale as round(255 · v / maxval): 1000 and 500 of 1000 → 255 and 128 (127.5 rounds up).
        let p5Wide = try files.write("wide.pgm", CraftedFiles.pgm("P5 2 1 1000\n", body: [0x03, 0xE8, 0x01, 0xF4]))
        #expect(try ImageReader.read(path: p5Wide).bytes == [255, 128])
        let p2 = try files.write("b.pgm", CraftedFiles.pgm("P2\n3 1\n4\n0 2\n4\n"))
        #expect(try ImageReader.read(path: p2).bytes == [0, 128, 255])
    }

    @Test func readsBinaryAndTextPPM() throws {
        let p6 = try files.write("a.ppm", CraftedFiles.pgm("P6\n# colour\n2 1\n255\n", body: [255, 0, 0, 0, 0, 255]))
        #expect(try ImageReader.read(path: p6) == PixelImage(width: 2, height: 1, channels: 3, bytes: [255, 0, 0, 0, 0, 255]))
        #expect(try ImageReader.read(path: p6, channels: 1).bytes == [76, 29])
        let p3 = try files.write("b.ppm", CraftedFiles.pgm("P3 1 2 15\n15 0 5\n0 15 3\n"))
        #expect(try ImageReader.read(path: p3) == PixelImage(width: 1, height: 2, channels: 3, bytes: [255, 0, 85, 0, 255, 51]))
        let short = try files.write("short.ppm", CraftedFiles.pgm("P6 2 2 255\n", body: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]))
        #expect(throws: DataError.badImage(path: short, reason: "truncated PPM data: 2×2 pixels need 12 bytes, the file has 11")) {
            try ImageReader.read(path: short)
        }
    }

    // MARK: - JPEG

    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures").path

    /// Tests/Peers/jpeg_fixtures.py wrote each JPEG with Pillow and Pillow's decoding of it beside it.
    @Test(arguments: [("photo-420", "ppm", 3), ("photo-444-progressive", "ppm", 3), ("photo-grey", "pgm", 1)])
    func jpegDecodesAsPillowDoes(name: String, pillowExtension: String, channels: Int) throws {
        let image = try ImageReader.read(path: "\(Self.fixtures)/\(name).jpg")
        let pillow = try ImageReader.read(path: "\(Self.fixtures)/\(name).\(pillowExtension)")
        #expect(image.width == 53 && image.height == 37 && image.channels == channels)
        #expect(pillow.width == image.width && pillow.height == image.height && pillow.channels == image.channels)
        let worst = zip(image.bytes, pillow.bytes).map { abs(Int($0) - Int($1)) }.max() ?? 99
        #expect(worst <= 1, "\(name): largest difference from Pillow \(worst)")
    }

    @Test func hostileJPEGsAreErrorsNotCrashes() throws {
        let good = try [UInt8](Data(contentsOf: URL(fileURLWithPath: "\(Self.fixtures)/photo-420.jpg")))
        // Truncated (libjpeg's "Premature end of JPEG file" is a warning: refused too), cut in the header,
        // garbage after the start marker, and entropy-coded data overwritten.
        var scribbled = good
        for i in (good.count / 2)..<(good.count / 2 + 64) { scribbled[i] = 0xFF }
        let cases: [(String, [UInt8])] = [("cut", Array(good[0..<(good.count * 2 / 3)])), ("header", Array(good[0..<40])),
                                          ("garbage", [0xFF, 0xD8, 0xFF] + [UInt8](repeating: 0x41, count: 100)), ("scribbled", scribbled)]
        for (name, bytes) in cases {
            let path = try files.write("\(name).jpg", bytes)
            do {
                let image = try ImageReader.read(path: path)
                Issue.record("\(name).jpg was accepted: \(image.width)×\(image.height)")
            } catch {
                guard case .badImage(let errorPath, let reason) = error else { Issue.record("\(name).jpg: \(error)"); continue }
                #expect(errorPath == path && reason.hasPrefix("TurboJPEG: "), "\(name).jpg: \(reason)")
            }
        }
    }

    @Test func jpegLargerThanTheLimitIsRefusedFromItsHeader() throws {
        var bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: "\(Self.fixtures)/photo-420.jpg")))
        // The baseline frame header (FF C0): length (2), precision (1), then height and width, big-endian.
        let sof = try #require((0..<(bytes.count - 1)).first { bytes[$0] == 0xFF && bytes[$0 + 1] == 0xC0 })
        // 60000 × 60000 (libjpeg's own limit is 65500 a side): 3.6 · 10^9 pixels, 10.8 GB of RGB.
        bytes.replaceSubrange((sof + 5)..<(sof + 9), with: [0xEA, 0x60, 0xEA, 0x60])
        let path = try files.write("huge.jpg", bytes)
        #expect(throws: DataError.imageTooLarge(path: path, width: 60000, height: 60000, maxPixels: ImageReader.defaultMaxPixels)) {
            try ImageReader.read(path: path)
        }
        let small = "\(Self.fixtures)/photo-420.jpg"
        #expect(throws: DataError.imageTooLarge(path: small, width: 53, height: 37, maxPixels: 1000)) {
            try ImageReader.read(path: small, maxPixels: 1000)
        }
    }

    @Test func maxPixelsCanBeRaised() throws {
        let path = try files.write("4x4.png", CraftedFiles.png(rows: [[UInt8]](repeating: [1, 2, 3, 4], count: 4)))
        #expect(throws: DataError.imageTooLarge(path: path, width: 4, height: 4, maxPixels: 15)) {
            try ImageReader.read(path: path, maxPixels: 15)
        }
        #expect(try ImageReader.read(path: path, maxPixels: 16).bytes.count == 16)
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
        #expect(throws: DataError.badImage(path: p2, reason: "truncated PGM data: 8000×8000 pixels cannot fit in 6 bytes")) {
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
        #expect(throws: DataError.badImage(path: path, reason: "not a PNG, JPEG, PGM or PPM image")) { try ImageReader.read(path: path) }
        #expect(throws: DataError.missingFile(path: files.directory + "/none.png")) { try ImageReader.read(path: files.directory + "/none.png") }
    }
}
