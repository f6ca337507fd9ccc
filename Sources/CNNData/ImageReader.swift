import CPNG

/// Reads a single-channel image for `cnnc predict`: PNG through libpng (any colour type, converted to
/// grey) or PGM (binary P5 or text P2). Pixels come back scaled to [0, 1], row-major.
public enum ImageReader {
    public struct Image: Sendable {
        public var width: Int, height: Int
        public var pixels: [Float]
    }

    public static func read(path: String) throws(DataError) -> Image {
        guard let file = fopen(path, "rb") else {
            throw errno == ENOENT ? .missingFile(path: path) : .unreadable(path: path, reason: String(cString: strerror(errno)))
        }
        var magic = [UInt8](repeating: 0, count: 8)
        let n = fread(&magic, 1, 8, file)
        fclose(file)
        if n == 8 && magic == [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A] { return try png(path) }
        if n >= 2 && magic[0] == UInt8(ascii: "P") && (magic[1] == UInt8(ascii: "5") || magic[1] == UInt8(ascii: "2")) {
            return try pgm(path)
        }
        throw .badImage(path: path, reason: "not a PNG or PGM image")
    }

    static func png(_ path: String) throws(DataError) -> Image {
        var image = png_image()
        image.version = UInt32(PNG_IMAGE_VERSION)
        guard png_image_begin_read_from_file(&image, path) != 0 else {
            throw .badImage(path: path, reason: "libpng: " + message(image))
        }
        image.format = UInt32(PNG_FORMAT_GRAY)
        let width = Int(image.width), height = Int(image.height)
        var bytes = [UInt8](repeating: 0, count: width * height)
        let ok = bytes.withUnsafeMutableBytes { png_image_finish_read(&image, nil, $0.baseAddress, Int32(width), nil) }
        guard ok != 0 else { throw .badImage(path: path, reason: "libpng: " + message(image)) }
        return Image(width: width, height: height, pixels: bytes.map { Float($0) / 255 })
    }

    private static func message(_ image: png_image) -> String {
        withUnsafeBytes(of: image.message) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
    }

    static func pgm(_ path: String) throws(DataError) -> Image {
        guard let file = fopen(path, "rb") else { throw .missingFile(path: path) }
        defer { fclose(file) }
        var data: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = fread(&chunk, 1, chunk.count, file)
            data.append(contentsOf: chunk[0..<n])
            if n < chunk.count { break }
        }
        var index = 2
        func token() -> Int? {
            while index < data.count {
                if data[index] == UInt8(ascii: "#") { while index < data.count && data[index] != 10 { index += 1 } }
                else if data[index] <= 32 { index += 1 } else { break }
            }
            var value = 0, digits = 0
            while index < data.count, data[index] >= 48, data[index] <= 57 { value = value * 10 + Int(data[index] - 48); index += 1; digits += 1 }
            return digits > 0 ? value : nil
        }
        guard let width = token(), let height = token(), let maxValue = token(), width > 0, height > 0, maxValue > 0, maxValue < 65536 else {
            throw .badImage(path: path, reason: "malformed PGM header")
        }
        let count = width * height
        var pixels: [Float] = []
        pixels.reserveCapacity(count)
        if data[1] == UInt8(ascii: "5") {
            index += 1 // the single whitespace after maxval
            let bytesPerPixel = maxValue > 255 ? 2 : 1
            guard data.count - index >= count * bytesPerPixel else { throw .badImage(path: path, reason: "truncated PGM data") }
            for i in 0..<count {
                let v = bytesPerPixel == 1 ? Int(data[index + i]) : Int(data[index + 2 * i]) << 8 | Int(data[index + 2 * i + 1])
                pixels.append(Float(v) / Float(maxValue))
            }
        } else {
            for _ in 0..<count {
                guard let v = token() else { throw .badImage(path: path, reason: "truncated PGM data") }
                pixels.append(Float(v) / Float(maxValue))
            }
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
