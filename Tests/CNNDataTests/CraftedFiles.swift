import CNNTestSupport
import Foundation

/// Hostile and well-formed data files made byte by byte in a temporary directory: IDX, gzip, PNG, PGM, PPM.
/// Each test states the exact bytes it feeds the readers; the only committed binaries are the JPEG fixtures
/// (Fixtures/, written by Tests/Peers/jpeg_fixtures.py with Pillow's decoding beside each).
struct CraftedFiles {
    let directory = Scratch.directory("crafted")

    /// Writes `bytes` to `directory/name` (then gzips it to `name.gz` when asked) and returns the path.
    @discardableResult
    func write(_ name: String, _ bytes: [UInt8], gzip: Bool = false) throws -> String {
        let path = directory + "/" + name
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        guard gzip else { return path }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/gzip")
        process.arguments = ["-f", path]
        try process.run()
        process.waitUntilExit()
        return path + ".gz"
    }

    // MARK: - IDX

    /// Magic `00 00 08 ndim`, the sizes as big-endian UInt32 (taken modulo 2^32), then `body`.
    static func idx(_ dims: [UInt32], body: [UInt8] = []) -> [UInt8] {
        var bytes: [UInt8] = [0, 0, 8, UInt8(dims.count)]
        for d in dims { bytes += bigEndian(d) }
        return bytes + body
    }

    /// The four files of a set with `images` 2×2 images and `labels` labels (digit i % classes).
    func idxSet(images: Int = 3, labels: Int = 3, testImages: Int? = nil, testLabels: Int? = nil,
                classes: Int = 10, labelOverride: UInt8? = nil) throws {
        for (prefix, imageCount, labelCount) in [("train", images, labels), ("t10k", testImages ?? images, testLabels ?? labels)] {
            let pixels = (0..<(imageCount * 4)).map { UInt8($0 * 20 % 256) }
            var labelBytes = (0..<labelCount).map { UInt8($0 % classes) }
            if let labelOverride, prefix == "t10k", !labelBytes.isEmpty { labelBytes[labelBytes.count - 1] = labelOverride }
            try write("\(prefix)-images-idx3-ubyte", Self.idx([UInt32(imageCount), 2, 2], body: pixels))
            try write("\(prefix)-labels-idx1-ubyte", Self.idx([UInt32(labelCount)], body: labelBytes))
        }
    }

    // MARK: - PNG

    /// A PNG with an IHDR of `width` × `height` (8-bit grey) and `idat` as its only IDAT chunk.
    static func png(width: UInt32, height: UInt32, colourType: UInt8 = 0, idat: [UInt8]) -> [UInt8] {
        let ihdr = bigEndian(width) + bigEndian(height) + [8, colourType, 0, 0, 0]
        return [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]
            + chunk("IHDR", ihdr) + chunk("IDAT", idat) + chunk("IEND", [])
    }

    /// A valid PNG of `rows`, stored (uncompressed) deflate: filter byte 0 before each row. Each row holds
    /// width × samples bytes: 1 sample per pixel for grey (colour type 0), 2 for grey + alpha (4), 3 for RGB (2),
    /// 4 for RGBA (6).
    static func png(rows: [[UInt8]], colourType: UInt8 = 0) -> [UInt8] {
        let samples = [0: 1, 4: 2, 2: 3, 6: 4][Int(colourType)]!
        let raw: [UInt8] = rows.flatMap { [UInt8(0)] + $0 }
        return png(width: UInt32(rows[0].count / samples), height: UInt32(rows.count), colourType: colourType, idat: zlibStored(raw))
    }

    static func chunk(_ type: String, _ data: [UInt8]) -> [UInt8] {
        let typed = Array(type.utf8) + data
        return bigEndian(UInt32(data.count)) + typed + bigEndian(crc32(typed))
    }

    /// A zlib stream of stored deflate blocks (no compression), with its Adler-32.
    static func zlibStored(_ data: [UInt8]) -> [UInt8] {
        var out: [UInt8] = [0x78, 0x01]
        var start = 0
        repeat {
            let n = min(65535, data.count - start)
            let last: UInt8 = start + n == data.count ? 1 : 0
            out += [last, UInt8(n & 255), UInt8(n >> 8), UInt8(~n & 255), UInt8(~n >> 8 & 255)]
            out += data[start..<(start + n)]
            start += n
        } while start < data.count
        var a: UInt32 = 1, b: UInt32 = 0
        for byte in data { a = (a + UInt32(byte)) % 65521; b = (b + a) % 65521 }
        return out + bigEndian(b << 16 | a)
    }

    static func crc32(_ bytes: [UInt8]) -> UInt32 {
        var crc: UInt32 = 0xFFFF_FFFF
        for byte in bytes {
            crc ^= UInt32(byte)
            for _ in 0..<8 { crc = crc & 1 == 1 ? (crc >> 1) ^ 0xEDB8_8320 : crc >> 1 }
        }
        return ~crc
    }

    // MARK: - PGM and PPM

    /// `P5`/`P2`/`P6`/`P3` header text followed by `body`.
    static func pgm(_ header: String, body: [UInt8] = []) -> [UInt8] {
        Array(header.utf8) + body
    }

    // MARK: - NumPy

    /// A .npy file: magic, version, little-endian header length (2 bytes in version 1, 4 in 2 and 3),
    /// `header` padded with spaces and a newline to a multiple of 64 bytes, then `body`.
    static func npy(_ header: String, body: [UInt8] = [], version: UInt8 = 1) -> [UInt8] {
        let prefix = version == 1 ? 10 : 12
        var text = Array(header.utf8)
        while (prefix + text.count + 1) % 64 != 0 { text.append(0x20) }
        text.append(0x0A)
        let length = version == 1 ? littleEndian(UInt32(text.count)).prefix(2) : littleEndian(UInt32(text.count))[...]
        return [0x93] + Array("NUMPY".utf8) + [version, 0] + length + text + body
    }

    /// The header numpy writes for a C-ordered array.
    static func npy(descr: String, shape: [Int], body: [UInt8], version: UInt8 = 1) -> [UInt8] {
        let sizes = shape.count == 1 ? "(\(shape[0]),)" : "(" + shape.map(String.init).joined(separator: ", ") + ")"
        return npy("{'descr': '\(descr)', 'fortran_order': False, 'shape': \(sizes), }", body: body, version: version)
    }

    /// A zip archive of stored members, as `numpy.savez` writes; `claimedSize` replaces the central
    /// directory's uncompressed size of every member (a lying archive).
    static func zipStored(_ members: [(name: String, bytes: [UInt8])], claimedSize: UInt32? = nil) -> [UInt8] {
        var out: [UInt8] = [], central: [UInt8] = []
        for (name, bytes) in members {
            let offset = UInt32(out.count), crc = crc32(bytes), size = UInt32(bytes.count), nameBytes = Array(name.utf8)
            let common = littleEndian16(20) + littleEndian16(0) + littleEndian16(0) + littleEndian16(0) + littleEndian16(0x21)
                + littleEndian(crc) + littleEndian(size)
            out += littleEndian(0x0403_4B50) + common + littleEndian(size) + littleEndian16(UInt16(nameBytes.count)) + littleEndian16(0)
                + nameBytes + bytes
            central += littleEndian(0x0201_4B50) + littleEndian16(20) + common + littleEndian(claimedSize ?? size)
                + littleEndian16(UInt16(nameBytes.count)) + [UInt8](repeating: 0, count: 12) + littleEndian(offset) + nameBytes
        }
        let centralOffset = UInt32(out.count)
        return out + central + littleEndian(0x0605_4B50) + [0, 0, 0, 0] + littleEndian16(UInt16(members.count))
            + littleEndian16(UInt16(members.count)) + littleEndian(UInt32(central.count)) + littleEndian(centralOffset) + [0, 0]
    }

    static func littleEndian(_ value: UInt32) -> [UInt8] { bigEndian(value).reversed() }
    static func littleEndian16(_ value: UInt16) -> [UInt8] { [UInt8(value & 255), UInt8(value >> 8)] }

    static func bigEndian(_ value: UInt32) -> [UInt8] {
        [UInt8(value >> 24), UInt8(value >> 16 & 255), UInt8(value >> 8 & 255), UInt8(value & 255)]
    }
}
