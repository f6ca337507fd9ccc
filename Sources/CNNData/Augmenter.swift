import CNNIR

/// Random distortions of training images, in this order: shift and rotation (sampled bilinearly with
/// zero fill), crop of the padded image, horizontal flip, brightness and contrast jitter, random
/// erasing. Each image's
/// parameters come from the generator it is given, drawn in the same order, and only for the
/// distortions that are on (a spec with only shift and rotate draws what it always drew).
public struct Augmenter: Sendable {
    public var maxShift: Int
    public var maxRotationDegrees: Double
    public var crop: RandomCrop?
    public var flipProbability: Double
    public var brightness: Double
    public var contrast: Double
    public var erase: RandomErasing?

    public init(maxShift: Int, maxRotationDegrees: Double, crop: RandomCrop? = nil, flipProbability: Double = 0,
                brightness: Double = 0, contrast: Double = 0, erase: RandomErasing? = nil) {
        self.maxShift = maxShift
        self.maxRotationDegrees = maxRotationDegrees
        self.crop = crop
        self.flipProbability = flipProbability
        self.brightness = brightness
        self.contrast = contrast
        self.erase = erase
    }

    public init(_ augmentation: Augmentation) {
        self.init(maxShift: augmentation.shift, maxRotationDegrees: augmentation.rotate, crop: augmentation.crop,
                  flipProbability: augmentation.hflip, brightness: augmentation.brightness, contrast: augmentation.contrast,
                  erase: augmentation.erase)
    }

    var geometric: Bool { maxShift > 0 || maxRotationDegrees > 0 }
    var cropping: Bool { (crop?.pad ?? 0) > 0 }

    /// Writes a distorted copy of `source` ([C, H, W]) into `destination`. `scratch` (an image's size)
    /// holds the shifted image before its crop when both are on; without it one is allocated.
    public func apply(source: UnsafePointer<Float>, destination: UnsafeMutablePointer<Float>,
                      channels: Int, height: Int, width: Int, generator: inout SeededGenerator,
                      scratch: UnsafeMutablePointer<Float>? = nil) {
        let count = channels * height * width
        if geometric && cropping {
            let buffer = scratch ?? .allocate(capacity: count)
            defer { if scratch == nil { buffer.deallocate() } }
            shiftRotate(source: source, destination: buffer, channels: channels, height: height, width: width, generator: &generator)
            cropPadded(source: buffer, destination: destination, channels: channels, height: height, width: width, generator: &generator)
        } else if geometric {
            shiftRotate(source: source, destination: destination, channels: channels, height: height, width: width, generator: &generator)
        } else if cropping {
            cropPadded(source: source, destination: destination, channels: channels, height: height, width: width, generator: &generator)
        } else {
            destination.update(from: source, count: count)
        }
        if flipProbability > 0, Double(generator.nextUnitFloat()) < flipProbability {
            ImageTransforms.flipHorizontal(destination, channels: channels, height: height, width: width)
        }
        if brightness > 0 || contrast > 0 {
            // ColorJitter: each factor uniform in [max(0, 1 − b), 1 + b], applied in a random order.
            func factor(_ range: Double) -> Float {
                let low = max(0, 1 - range), high = 1 + range
                return Float(low + Double(generator.nextUnitFloat()) * (high - low))
            }
            let b = brightness > 0 ? factor(brightness) : 1
            let c = contrast > 0 ? factor(contrast) : 1
            let contrastFirst = generator.next() & 1 == 1
            if contrastFirst && contrast > 0 {
                ImageTransforms.adjustContrast(destination, channels: channels, height: height, width: width, factor: c)
            }
            if brightness > 0 { ImageTransforms.adjustBrightness(destination, count: count, factor: b) }
            if !contrastFirst && contrast > 0 {
                ImageTransforms.adjustContrast(destination, channels: channels, height: height, width: width, factor: c)
            }
        }
        if let erase, erase.probability > 0, Double(generator.nextUnitFloat()) < erase.probability,
           let box = Self.erasedRectangle(erase, height: height, width: width, generator: &generator) {
            ImageTransforms.erase(destination, channels: channels, height: height, width: width, rectangle: box,
                                  fill: erase.fill, generator: &generator)
        }
    }

    /// The rectangle `RandomErasing` replaces, drawn as torchvision's `get_params` draws it: up to ten
    /// tries of an area (a uniform fraction of the image's in `scale`) and an aspect ratio (log-uniform in
    /// `ratio`), sides rounded half to even as Python's `round`, until both sides are smaller than the
    /// image's; then the top and left uniform over the places it fits. nil when no try fits.
    public static func erasedRectangle(_ erase: RandomErasing, height: Int, width: Int,
                                       generator: inout SeededGenerator) -> ImageTransforms.Rectangle? {
        let area = Double(height * width)
        let logLow = log(erase.ratio.lowerBound), logHigh = log(erase.ratio.upperBound)
        for _ in 0..<10 {
            let target = area * (erase.scale.lowerBound + Double(generator.nextUnitFloat()) * (erase.scale.upperBound - erase.scale.lowerBound))
            let aspect = exp(logLow + Double(generator.nextUnitFloat()) * (logHigh - logLow))
            let h = Int((target * aspect).squareRoot().rounded(.toNearestOrEven))
            let w = Int((target / aspect).squareRoot().rounded(.toNearestOrEven))
            guard h < height, w < width, h > 0, w > 0 else { continue }
            let top = Int(generator.next() % UInt64(height - h + 1))
            let left = Int(generator.next() % UInt64(width - w + 1))
            return ImageTransforms.Rectangle(top: top, left: left, height: h, width: w)
        }
        return nil
    }

    /// The crop's offsets (top, then left), each uniform in [0, 2·pad] (torchvision's `randint(0, H + 2·pad − H + 1)`).
    public static func cropOffsets(pad: Int, generator: inout SeededGenerator) -> (top: Int, left: Int) {
        let span = UInt64(2 * pad + 1)
        let top = Int(generator.next() % span)
        return (top, Int(generator.next() % span))
    }

    func cropPadded(source: UnsafePointer<Float>, destination: UnsafeMutablePointer<Float>,
                    channels: Int, height: Int, width: Int, generator: inout SeededGenerator) {
        let crop = crop!
        let (top, left) = Self.cropOffsets(pad: crop.pad, generator: &generator)
        ImageTransforms.padCrop(source: source, destination: destination, channels: channels, height: height, width: width,
                                pad: crop.pad, top: top, left: left, fill: crop.fill)
    }

    func shiftRotate(source: UnsafePointer<Float>, destination: UnsafeMutablePointer<Float>,
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
