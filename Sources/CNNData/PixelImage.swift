/// A decoded image: 8-bit samples, rows top to bottom, interleaved `[H, W, C]` with C = 1 (grey) or 3 (RGB).
public struct PixelImage: Sendable, Equatable {
    public var width: Int, height: Int, channels: Int
    /// `[H, W, C]`: the sample of channel c at (x, y) is `bytes[(y * width + x) * channels + c]`.
    public var bytes: [UInt8]

    public init(width: Int, height: Int, channels: Int, bytes: [UInt8]) {
        precondition(bytes.count == width * height * channels, "the bytes must hold width × height × channels samples")
        self.width = width
        self.height = height
        self.channels = channels
        self.bytes = bytes
    }

    /// The image with `channels` channels (1 or 3). Grey to RGB copies the grey level into R, G and B;
    /// RGB to grey is ITU-R BT.601 luma with Pillow's fixed-point weights and rounding,
    /// L = (19595 R + 38470 G + 7471 B + 2^15) >> 16 (0.299, 0.587, 0.114 in 16-bit fixed point),
    /// so a folder converted by cnnc matches `Image.convert("L")` (torchvision's `Grayscale`) exactly.
    public func converted(toChannels target: Int) -> PixelImage {
        precondition(target == 1 || target == 3, "images have 1 or 3 channels")
        guard target != channels else { return self }
        let count = width * height
        var out = [UInt8](repeating: 0, count: count * target)
        bytes.withUnsafeBufferPointer { p in
            if target == 3 {
                for i in 0..<count { out[3 * i] = p[i]; out[3 * i + 1] = p[i]; out[3 * i + 2] = p[i] }
            } else {
                for i in 0..<count {
                    let l = 19595 * UInt32(p[3 * i]) + 38470 * UInt32(p[3 * i + 1]) + 7471 * UInt32(p[3 * i + 2]) + 0x8000
                    out[i] = UInt8(l >> 16)
                }
            }
        }
        return PixelImage(width: width, height: height, channels: target, bytes: out)
    }

    /// The samples as Float in [0, 1], channels first: `[C, H, W]`, the network's input layout. Scaled exactly as
    /// `ImageSet.dataset()` scales training and test images (byte · Float(1/255)), so that predict and eval give one
    /// image the same input to the last bit.
    public var planarFloats: [Float] {
        let plane = width * height
        var out = [Float](repeating: 0, count: plane * channels)
        let scale: Float = 1.0 / 255.0
        for i in 0..<plane {
            for c in 0..<channels { out[c * plane + i] = Float(bytes[i * channels + c]) * scale }
        }
        return out
    }
}
