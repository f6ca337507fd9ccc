import CPNG

extension ImageReader {
    /// libpng's simplified API runs each libpng call under its own setjmp (png_safe_execute), so a
    /// libpng error comes back as a 0 result and a message, never as a longjmp through Swift frames.
    /// `png_image_begin_read_from_file` reads the header (IHDR) and no rows: the size is checked there.
    /// The file is read as grey or RGB (with alpha when it has one, dropped afterwards), its own kind;
    /// conversion between the two is cnnc's (`PixelImage.converted`), not libpng's.
    static func png(_ path: String, maxPixels: Int) throws(DataError) -> PixelImage {
        var image = png_image()
        image.version = UInt32(PNG_IMAGE_VERSION)
        guard png_image_begin_read_from_file(&image, path) != 0 else {
            throw .badImage(path: path, reason: "libpng: " + message(image))
        }
        let width = Int(image.width), height = Int(image.height)
        let count: Int
        do { count = try checkedPixels(path, width: width, height: height, maxPixels: maxPixels) } catch {
            png_image_free(&image)
            throw error
        }
        let colour = image.format & UInt32(PNG_FORMAT_FLAG_COLOR) != 0, alpha = image.format & UInt32(PNG_FORMAT_FLAG_ALPHA) != 0
        let channels = colour ? 3 : 1, stored = channels + (alpha ? 1 : 0)
        // PNG_FORMAT_GRAY, _GA, _RGB, _RGBA: 8-bit sRGB samples, alpha not premultiplied.
        image.format = (colour ? UInt32(PNG_FORMAT_FLAG_COLOR) : 0) | (alpha ? UInt32(PNG_FORMAT_FLAG_ALPHA) : 0)
        // 16-bit samples without a gAMA or sRGB chunk are sRGB like every other image, not linear (libpng's default,
        // which would brighten a 16-bit mid-grey of 32768 to ~188): they become v / 257, rounded.
        image.flags |= UInt32(PNG_IMAGE_FLAG_16BIT_sRGB)
        var bytes = [UInt8](repeating: 0, count: count * stored)
        // finish_read frees the image's libpng state whether it succeeds or fails.
        let ok = bytes.withUnsafeMutableBytes { png_image_finish_read(&image, nil, $0.baseAddress, Int32(width * stored), nil) }
        guard ok != 0 else { throw .badImage(path: path, reason: "libpng: " + message(image)) }
        if alpha {
            var opaque = [UInt8](repeating: 0, count: count * channels)
            for i in 0..<count {
                for c in 0..<channels { opaque[i * channels + c] = bytes[i * stored + c] }
            }
            bytes = opaque
        }
        return PixelImage(width: width, height: height, channels: channels, bytes: bytes)
    }

    private static func message(_ image: png_image) -> String {
        withUnsafeBytes(of: image.message) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
    }
}
