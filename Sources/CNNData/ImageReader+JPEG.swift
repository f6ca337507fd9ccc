import CNNIR
import CTurboJPEG

extension ImageReader {
    /// JPEG through TurboJPEG (libjpeg-turbo's own API): it catches libjpeg's fatal errors with its own
    /// setjmp and returns -1, so a damaged file never longjmps through Swift. Warnings (a truncated file:
    /// "Premature end of JPEG file") also return -1 and are refused too, rather than giving a half-grey image.
    /// The header is read first (tjDecompressHeader3) and its size checked before the pixels are allocated.
    /// Decoding uses libjpeg's defaults (accurate integer DCT, fancy upsampling), as Pillow does.
    ///
    /// The file is read whole; a file larger than 12 bytes per allowed pixel (four times raw RGB) plus 1 MiB
    /// cannot be a JPEG within `maxPixels` and is refused before reading.
    static func jpeg(_ path: String, maxPixels: Int) throws(DataError) -> PixelImage {
        let data = try contents(path, limit: (CheckedSize.product([maxPixels, 12]) ?? Int.max / 2) + (1 << 20))
        guard let handle = tjInitDecompress() else { throw .badImage(path: path, reason: "TurboJPEG: cannot initialise a decompressor") }
        defer { tjDestroy(handle) }
        func failure(_ what: String) -> DataError {
            .badImage(path: path, reason: "TurboJPEG: \(what): " + (tjGetErrorStr2(handle).map { String(cString: $0) } ?? "unknown error"))
        }
        var w: Int32 = 0, h: Int32 = 0, subsampling: Int32 = 0, colourspace: Int32 = 0
        let header = data.withUnsafeBufferPointer { tjDecompressHeader3(handle, $0.baseAddress, UInt(data.count), &w, &h, &subsampling, &colourspace) }
        guard header == 0 else { throw failure("bad header") }
        guard colourspace != Int32(TJCS_CMYK.rawValue) && colourspace != Int32(TJCS_YCCK.rawValue) else {
            throw .badImage(path: path, reason: "CMYK JPEG images are not read; convert the file to RGB")
        }
        let width = Int(w), height = Int(h)
        let count = try checkedPixels(path, width: width, height: height, maxPixels: maxPixels)
        let grey = subsampling == Int32(TJSAMP_GRAY.rawValue)
        let channels = grey ? 1 : 3
        var bytes = [UInt8](repeating: 0, count: count * channels)
        let status = data.withUnsafeBufferPointer { src in
            bytes.withUnsafeMutableBufferPointer { dst in
                tjDecompress2(handle, src.baseAddress, UInt(data.count), dst.baseAddress, w, w * Int32(channels), h,
                              grey ? Int32(TJPF_GRAY.rawValue) : Int32(TJPF_RGB.rawValue), 0)
            }
        }
        guard status == 0 else { throw failure("damaged or truncated data") }
        return PixelImage(width: width, height: height, channels: channels, bytes: bytes)
    }

    /// The whole file, refused unread when larger than `limit` bytes.
    static func contents(_ path: String, limit: Int) throws(DataError) -> [UInt8] {
        guard let file = fopen(path, "rb") else {
            throw errno == ENOENT ? .missingFile(path: path) : .unreadable(path: path, reason: String(cString: strerror(errno)))
        }
        defer { fclose(file) }
        var info = stat()
        guard fstat(fileno(file), &info) == 0 else { throw .unreadable(path: path, reason: String(cString: strerror(errno))) }
        let size = Int(info.st_size)
        guard size <= limit else { throw .badImage(path: path, reason: "a file of \(size) bytes is larger than any image within the pixel limit") }
        var data = [UInt8](repeating: 0, count: size)
        guard fread(&data, 1, size, file) == size else { throw .unreadable(path: path, reason: "short read") }
        return data
    }
}

#if canImport(Glibc)
import Glibc
#endif
