import CNNIR

/// Reads one image file into a `PixelImage`: PNG through libpng, JPEG through libjpeg-turbo's TurboJPEG,
/// and the Netpbm formats PGM and PPM (binary P5/P6, text P2/P3). The format is told by the file's first
/// bytes, not its name.
///
/// `channels` asks for 1 (grey) or 3 (RGB) channels, converted as `PixelImage.converted(toChannels:)`
/// says; nil keeps the file's own (1 for grey files, 3 for colour ones). An alpha channel is dropped
/// (as Pillow's `convert("RGB")`), not composited. PNG's gamma chunks are honoured by libpng (samples come
/// back in sRGB); JPEG's EXIF orientation is ignored, as Pillow and torchvision ignore it.
///
/// Sizes are checked from the header before anything is allocated for the pixels: at most `maxPixels`
/// pixels; for PGM/PPM the data the header announces must be in the file. Every damaged or truncated file
/// is a `DataError.badImage` naming it: libpng and TurboJPEG report errors as return values (each runs its
/// own setjmp), so no longjmp ever crosses a Swift frame.
public enum ImageReader {
    /// 2^26 pixels (8192 × 8192, 67 megapixels): more than any phone or scanner photo, which cnnc shrinks to
    /// the network's input anyway; at the limit the reader holds 192 MiB of RGB bytes. A header beyond it is
    /// refused before any allocation.
    public static let defaultMaxPixels = 1 << 26

    /// The file name extensions of the formats read (lower case), as image folders filter on them.
    public static let extensions: Set<String> = ["png", "jpg", "jpeg", "pgm", "ppm", "pnm"]

    public static func read(path: String, channels: Int? = nil, maxPixels: Int = defaultMaxPixels) throws(DataError) -> PixelImage {
        precondition(channels == nil || channels == 1 || channels == 3, "images have 1 or 3 channels")
        let image = try decode(path: path, maxPixels: maxPixels)
        return channels.map { image.converted(toChannels: $0) } ?? image
    }

    static func decode(path: String, maxPixels: Int) throws(DataError) -> PixelImage {
        guard let file = fopen(path, "rb") else {
            throw errno == ENOENT ? .missingFile(path: path) : .unreadable(path: path, reason: String(cString: strerror(errno)))
        }
        var magic = [UInt8](repeating: 0, count: 8)
        let n = fread(&magic, 1, 8, file)
        fclose(file)
        if n == 8 && magic == [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A] { return try png(path, maxPixels: maxPixels) }
        if n >= 3 && magic[0] == 0xFF && magic[1] == 0xD8 && magic[2] == 0xFF { return try jpeg(path, maxPixels: maxPixels) }
        if n >= 2 && magic[0] == UInt8(ascii: "P") && (UInt8(ascii: "2")...UInt8(ascii: "6")).contains(magic[1]) && magic[1] != UInt8(ascii: "4") {
            return try pnm(path, maxPixels: maxPixels)
        }
        throw .badImage(path: path, reason: "not a PNG, JPEG, PGM or PPM image")
    }

    /// Refuses `width` × `height` beyond `maxPixels` (or overflowing); returns the pixel count.
    static func checkedPixels(_ path: String, width: Int, height: Int, maxPixels: Int) throws(DataError) -> Int {
        guard let count = CheckedSize.product([width, height]), count <= maxPixels else {
            throw .imageTooLarge(path: path, width: width, height: height, maxPixels: maxPixels)
        }
        return count
    }
}

#if canImport(Glibc)
import Glibc
#endif
