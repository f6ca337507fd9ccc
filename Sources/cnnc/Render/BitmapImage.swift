import Foundation

/// An image as an uncompressed 24-bit BMP, for `<img src="data:image/bmp;base64,…">` in the HTML report:
/// a few test images need no compression, and BMP is two headers and the rows.
enum BitmapImage {
    /// `pixels`: channels-first values in [0, 1], 1 channel (grey) or 3 (RGB).
    static func bmp(_ pixels: ArraySlice<Float>, channels: Int, height: Int, width: Int) -> Data {
        precondition(channels >= 1 && pixels.count >= channels * height * width, "a BMP needs channels × height × width values")
        let rowBytes = (3 * width + 3) / 4 * 4
        let imageBytes = rowBytes * height
        var data = Data()
        func le32(_ v: Int) { withUnsafeBytes(of: UInt32(truncatingIfNeeded: v).littleEndian) { data.append(contentsOf: $0) } }
        func le16(_ v: Int) { withUnsafeBytes(of: UInt16(truncatingIfNeeded: v).littleEndian) { data.append(contentsOf: $0) } }
        data.append(contentsOf: Array("BM".utf8))
        le32(54 + imageBytes); le32(0); le32(54)
        le32(40); le32(width); le32(height); le16(1); le16(24); le32(0); le32(imageBytes); le32(2835); le32(2835); le32(0); le32(0)
        let plane = height * width
        let base = pixels.startIndex
        func byte(_ value: Float) -> UInt8 { UInt8(max(0, min(255, (value * 255).rounded()))) }
        for y in stride(from: height - 1, through: 0, by: -1) { // BMP rows run bottom to top
            var row = [UInt8](repeating: 0, count: rowBytes)
            for x in 0..<width {
                let at = base + y * width + x
                let (r, g, b) = channels >= 3 ? (pixels[at], pixels[at + plane], pixels[at + 2 * plane]) : (pixels[at], pixels[at], pixels[at])
                (row[3 * x], row[3 * x + 1], row[3 * x + 2]) = (byte(b), byte(g), byte(r))
            }
            data.append(contentsOf: row)
        }
        return data
    }
}
