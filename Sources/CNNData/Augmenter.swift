/// Random shifts and rotations of training images, sampled bilinearly with zero fill.
public struct Augmenter: Sendable {
    public var maxShift: Int
    public var maxRotationDegrees: Double

    public init(maxShift: Int, maxRotationDegrees: Double) {
        self.maxShift = maxShift
        self.maxRotationDegrees = maxRotationDegrees
    }

    /// Writes a distorted copy of `source` ([C, H, W]) into `destination`.
    public func apply(source: UnsafePointer<Float>, destination: UnsafeMutablePointer<Float>,
                      channels: Int, height: Int, width: Int, generator: inout SeededGenerator) {
        let dx = maxShift > 0 ? Double(Int(generator.next() % UInt64(2 * maxShift + 1)) - maxShift) : 0
        let dy = maxShift > 0 ? Double(Int(generator.next() % UInt64(2 * maxShift + 1)) - maxShift) : 0
        let angle = maxRotationDegrees > 0
            ? (Double(generator.nextUnitFloat()) * 2 - 1) * maxRotationDegrees * Double.pi / 180 : 0
        let c = cos(angle), s = sin(angle)
        let cy = Double(height - 1) / 2, cx = Double(width - 1) / 2
        let plane = height * width
        for y in 0..<height {
            for x in 0..<width {
                // Inverse map: where in the source does output pixel (y, x) come from?
                let ox = Double(x) - cx - dx, oy = Double(y) - cy - dy
                let sx = c * ox + s * oy + cx
                let sy = -s * ox + c * oy + cy
                let x0 = Int(sx.rounded(.down)), y0 = Int(sy.rounded(.down))
                let fx = Float(sx - Double(x0)), fy = Float(sy - Double(y0))
                for ch in 0..<channels {
                    let src = source + ch * plane
                    func at(_ yy: Int, _ xx: Int) -> Float {
                        (yy >= 0 && yy < height && xx >= 0 && xx < width) ? src[yy * width + xx] : 0
                    }
                    let top = at(y0, x0) * (1 - fx) + at(y0, x0 + 1) * fx
                    let bottom = at(y0 + 1, x0) * (1 - fx) + at(y0 + 1, x0 + 1) * fx
                    destination[ch * plane + y * width + x] = top * (1 - fy) + bottom * fy
                }
            }
        }
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
