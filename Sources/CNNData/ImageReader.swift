import CNNIR
import CPNG

/// Reads a single-channel image for `cnnc predict`: PNG through libpng (any colour type, converted to
/// grey) or PGM (binary P5 or text P2). Pixels come back scaled to [0, 1], row-major.
///
/// Sizes are checked from the header before anything is allocated for the pixels: at most `maxPixels`
/// pixels, and for PGM the data the header announces must be in the file.
public enum ImageReader {
    public struct Image: Sendable {
        public var width: Int, height: Int
        public var pixels: [Float]
    }

    /// 2^26 pixels (8192 × 8192, 67 megapixels): more than any phone or scanner photo of a digit,
    /// which predict shrinks to the network's input anyway; at the limit the reader holds 64 MiB of
    /// grey bytes and 256 MiB of Float pixels. A header beyond it is refused before any allocation.
    public static let defaultMaxPixels = 1 << 26

    public static func read(path: String, maxPixels: Int = defaultMaxPixels) throws(DataError) -> Image {
        guard let file = fopen(path, "rb") else {
            throw errno == ENOENT ? .missingFile(path: path) : .unreadable(path: path, reason: String(cString: strerror(errno)))
        }
        var magic = [UInt8](repeating: 0, count: 8)
        let n = fread(&magic, 1, 8, file)
        fclose(file)
        if n == 8 && magic == [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A] { return try png(path, maxPixels: maxPixels) }
        if n >= 2 && magic[0] == UInt8(ascii: "P") && (magic[1] == UInt8(ascii: "5") || magic[1] == UInt8(ascii: "2")) {
            return try pgm(path, maxPixels: maxPixels)
        }
        throw .badImage(path: path, reason: "not a PNG or PGM image")
    }

    // MARK: - PNG

    /// libpng's simplified API runs each libpng call under its own setjmp (png_safe_execute), so a
    /// libpng error comes back as a 0 result and a message, never as a longjmp through Swift frames.
    /// `png_image_begin_read_from_file` reads the header (IHDR) and no rows: the size is checked there.
    static func png(_ path: String, maxPixels: Int) throws(DataError) -> Image {
        var image = png_image()
        image.version = UInt32(PNG_IMAGE_VERSION)
        guard png_image_begin_read_from_file(&image, path) != 0 else {
            throw .badImage(path: path, reason: "libpng: " + message(image))
        }
        let width = Int(image.width), height = Int(image.height)
        guard let count = CheckedSize.product([width, height]), count <= maxPixels else {
            png_image_free(&image)
            throw .imageTooLarge(path: path, width: width, height: height, maxPixels: maxPixels)
        }
        image.format = UInt32(PNG_FORMAT_GRAY)
        var bytes = [UInt8](repeating: 0, count: count)
        // finish_read frees the image's libpng state whether it succeeds or fails.
        let ok = bytes.withUnsafeMutableBytes { png_image_finish_read(&image, nil, $0.baseAddress, Int32(width), nil) }
        guard ok != 0 else { throw .badImage(path: path, reason: "libpng: " + message(image)) }
        return Image(width: width, height: height, pixels: bytes.map { Float($0) / 255 })
    }

    private static func message(_ image: png_image) -> String {
        withUnsafeBytes(of: image.message) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
    }

    // MARK: - PGM

    /// `P5` or `P2`, width, height, maxval (decimal, separated by whitespace and `#` comments), one
    /// whitespace byte, then width × height samples: bytes (two big-endian bytes when maxval > 255)
    /// for P5, decimal numbers for P2. Read as a stream: the file is never held whole.
    static func pgm(_ path: String, maxPixels: Int) throws(DataError) -> Image {
        guard let file = fopen(path, "rb") else { throw .missingFile(path: path) }
        defer { fclose(file) }
        var info = stat()
        guard fstat(fileno(file), &info) == 0 else { throw .unreadable(path: path, reason: String(cString: strerror(errno))) }
        let fileSize = Int(info.st_size)
        _ = getc(file)
        let binary = getc(file) == Int32(UInt8(ascii: "5"))
        var c = getc(file)
        let zero = Int32(UInt8(ascii: "0")), nine = Int32(UInt8(ascii: "9"))

        /// The next decimal number, after whitespace and comments; nil at the end of the file.
        /// Digits beyond `limit` are an error, so a long number cannot overflow.
        func number(_ what: String, limit: Int) throws(DataError) -> Int? {
            while c != EOF {
                if c == Int32(UInt8(ascii: "#")) {
                    while c != EOF && c != 10 && c != 13 { c = getc(file) }
                } else if c <= 32 {
                    c = getc(file)
                } else {
                    break
                }
            }
            guard c != EOF else { return nil }
            guard c >= zero && c <= nine else {
                throw .badImage(path: path, reason: "malformed PGM: expected the \(what), found '\(UnicodeScalar(UInt8(truncatingIfNeeded: c)))'")
            }
            var value = 0
            while c >= zero && c <= nine {
                value = value * 10 + Int(c - zero)
                guard value <= limit else { throw .badImage(path: path, reason: "malformed PGM: the \(what) exceeds \(limit)") }
                c = getc(file)
            }
            return value
        }
        func header(_ what: String, limit: Int) throws(DataError) -> Int {
            guard let value = try number(what, limit: limit), value > 0 else {
                throw .badImage(path: path, reason: "malformed PGM header: no positive \(what)")
            }
            return value
        }
        let width = try header("width", limit: Int(Int32.max)), height = try header("height", limit: Int(Int32.max))
        let maxValue = try header("maximum value", limit: 65535)
        guard let count = CheckedSize.product([width, height]), count <= maxPixels else {
            throw .imageTooLarge(path: path, width: width, height: height, maxPixels: maxPixels)
        }
        func sampleTooLarge(_ v: Int) -> DataError {
            .badImage(path: path, reason: "PGM sample \(v) exceeds the maximum value \(maxValue)")
        }
        guard c != EOF && c <= 32 else { throw .badImage(path: path, reason: "malformed PGM header: no whitespace after the maximum value") }
        // `c` was that single whitespace byte: the samples start here.
        let remaining = fileSize - Int(ftell(file))
        if binary {
            let bytesPerSample = maxValue > 255 ? 2 : 1
            let needed = count * bytesPerSample // ≤ 2 · maxPixels: no overflow
            guard remaining >= needed else {
                throw .badImage(path: path, reason: "truncated PGM data: \(width)×\(height) pixels need \(needed) bytes, the file has \(max(remaining, 0))")
            }
            var data = [UInt8](repeating: 0, count: needed)
            guard fread(&data, 1, needed, file) == needed else { throw .badImage(path: path, reason: "truncated PGM data") }
            var pixels = [Float](repeating: 0, count: count)
            for i in 0..<count {
                let v = bytesPerSample == 1 ? Int(data[i]) : Int(data[2 * i]) << 8 | Int(data[2 * i + 1])
                guard v <= maxValue else { throw sampleTooLarge(v) }
                pixels[i] = Float(v) / Float(maxValue)
            }
            return Image(width: width, height: height, pixels: pixels)
        }
        // Text samples take at least one byte each: a file too short for them is refused before allocating.
        guard remaining >= count else {
            throw .badImage(path: path, reason: "truncated PGM data: \(width)×\(height) samples cannot fit in \(max(remaining, 0)) bytes")
        }
        c = getc(file)
        var pixels: [Float] = []
        pixels.reserveCapacity(count)
        for _ in 0..<count {
            guard let v = try number("sample", limit: 65535) else { throw .badImage(path: path, reason: "truncated PGM data") }
            guard v <= maxValue else { throw sampleTooLarge(v) }
            pixels.append(Float(v) / Float(maxValue))
        }
        return Image(width: width, height: height, pixels: pixels)
    }

    /// Bilinear resize to the network's input size.
    public static func resized(_ image: Image, width: Int, height: Int) -> Image {
        guard image.width != width || image.height != height else { return image }
        var out = [Float](repeating: 0, count: width * height)
        for y in 0..<height {
            let sy = (Double(y) + 0.5) * Double(image.height) / Double(height) - 0.5
            let y0 = max(0, min(image.height - 1, Int(sy.rounded(.down)))), y1 = min(image.height - 1, y0 + 1)
            let fy = Float(max(0, sy - Double(y0)))
            for x in 0..<width {
                let sx = (Double(x) + 0.5) * Double(image.width) / Double(width) - 0.5
                let x0 = max(0, min(image.width - 1, Int(sx.rounded(.down)))), x1 = min(image.width - 1, x0 + 1)
                let fx = Float(max(0, sx - Double(x0)))
                let p = image.pixels
                let top = p[y0 * image.width + x0] * (1 - fx) + p[y0 * image.width + x1] * fx
                let bottom = p[y1 * image.width + x0] * (1 - fx) + p[y1 * image.width + x1] * fx
                out[y * width + x] = top * (1 - fy) + bottom * fy
            }
        }
        return Image(width: width, height: height, pixels: out)
    }
}

#if canImport(Glibc)
import Glibc
#endif
