extension ImageReader {
    /// Netpbm grey and colour maps: `P5`/`P6` (binary) or `P2`/`P3` (text), then width, height, maxval
    /// (decimal, separated by whitespace and `#` comments), one whitespace byte, then width × height pixels
    /// of 1 (PGM) or 3 (PPM, RGB) samples: bytes (two big-endian bytes when maxval > 255) for P5/P6, decimal
    /// numbers for P2/P3. Samples are scaled to 0...255 as round(255 · v / maxval). Read as a stream: the file
    /// is never held whole.
    static func pnm(_ path: String, maxPixels: Int) throws(DataError) -> PixelImage {
        guard let file = fopen(path, "rb") else { throw .missingFile(path: path) }
        defer { fclose(file) }
        var info = stat()
        guard fstat(fileno(file), &info) == 0 else { throw .unreadable(path: path, reason: String(cString: strerror(errno))) }
        let fileSize = Int(info.st_size)
        _ = getc(file)
        let kind = getc(file)
        let binary = kind == Int32(UInt8(ascii: "5")) || kind == Int32(UInt8(ascii: "6"))
        let channels = kind == Int32(UInt8(ascii: "3")) || kind == Int32(UInt8(ascii: "6")) ? 3 : 1
        let name = channels == 3 ? "PPM" : "PGM"
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
                throw .badImage(path: path, reason: "malformed \(name): expected the \(what), found '\(UnicodeScalar(UInt8(truncatingIfNeeded: c)))'")
            }
            var value = 0
            while c >= zero && c <= nine {
                value = value * 10 + Int(c - zero)
                guard value <= limit else { throw .badImage(path: path, reason: "malformed \(name): the \(what) exceeds \(limit)") }
                c = getc(file)
            }
            return value
        }
        func header(_ what: String, limit: Int) throws(DataError) -> Int {
            guard let value = try number(what, limit: limit), value > 0 else {
                throw .badImage(path: path, reason: "malformed \(name) header: no positive \(what)")
            }
            return value
        }
        let width = try header("width", limit: Int(Int32.max)), height = try header("height", limit: Int(Int32.max))
        let maxValue = try header("maximum value", limit: 65535)
        let count = try checkedPixels(path, width: width, height: height, maxPixels: maxPixels) * channels
        func scaled(_ v: Int) throws(DataError) -> UInt8 {
            guard v <= maxValue else { throw .badImage(path: path, reason: "\(name) sample \(v) exceeds the maximum value \(maxValue)") }
            return maxValue == 255 ? UInt8(v) : UInt8((v * 255 + maxValue / 2) / maxValue)
        }
        guard c != EOF && c <= 32 else { throw .badImage(path: path, reason: "malformed \(name) header: no whitespace after the maximum value") }
        // `c` was that single whitespace byte: the samples start here.
        let remaining = fileSize - Int(ftell(file))
        var samples = [UInt8](repeating: 0, count: 0)
        if binary {
            let bytesPerSample = maxValue > 255 ? 2 : 1
            let needed = count * bytesPerSample // ≤ 6 · maxPixels: no overflow
            guard remaining >= needed else {
                throw .badImage(path: path, reason: "truncated \(name) data: \(width)×\(height) pixels need \(needed) bytes, the file has \(max(remaining, 0))")
            }
            var data = [UInt8](repeating: 0, count: needed)
            guard fread(&data, 1, needed, file) == needed else { throw .badImage(path: path, reason: "truncated \(name) data") }
            samples = [UInt8](repeating: 0, count: count)
            for i in 0..<count {
                samples[i] = try scaled(bytesPerSample == 1 ? Int(data[i]) : Int(data[2 * i]) << 8 | Int(data[2 * i + 1]))
            }
        } else {
            // Text samples take at least one byte each: a file too short for them is refused before allocating.
            guard remaining >= count else {
                throw .badImage(path: path, reason: "truncated \(name) data: \(width)×\(height) pixels cannot fit in \(max(remaining, 0)) bytes")
            }
            c = getc(file)
            samples.reserveCapacity(count)
            for _ in 0..<count {
                guard let v = try number("sample", limit: 65535) else { throw .badImage(path: path, reason: "truncated \(name) data") }
                samples.append(try scaled(v))
            }
        }
        return PixelImage(width: width, height: height, channels: channels, bytes: samples)
    }
}

#if canImport(Glibc)
import Glibc
#endif
