/// One split of a data set as its reader decoded it: uint8 pixels `[N, H, W, C]` (the layout image files
/// and NumPy arrays use), one label per image. `dataset()` gives the trainer's Float `[N, C, H, W]`.
public struct ImageSet: Sendable {
    public var channels: Int, height: Int, width: Int
    public var bytes: [UInt8]
    public var labels: [Int32]
    /// The file or folder named in errors about this set's labels.
    public var source: String

    public init(channels: Int, height: Int, width: Int, bytes: [UInt8], labels: [Int32], source: String) {
        precondition(bytes.count == labels.count * channels * height * width)
        self.channels = channels
        self.height = height
        self.width = width
        self.bytes = bytes
        self.labels = labels
        self.source = source
    }

    /// Images stored channels first (`[N, C, H, W]`, as IDX and CIFAR store them), moved to `[N, H, W, C]`.
    public init(channelsFirst bytes: [UInt8], channels: Int, height: Int, width: Int, labels: [Int32], source: String) {
        guard channels > 1 else {
            self.init(channels: channels, height: height, width: width, bytes: bytes, labels: labels, source: source)
            return
        }
        let plane = height * width, size = channels * plane
        var interleaved = [UInt8](repeating: 0, count: bytes.count)
        for n in 0..<labels.count {
            for c in 0..<channels {
                for p in 0..<plane { interleaved[n * size + p * channels + c] = bytes[n * size + c * plane + p] }
            }
        }
        self.init(channels: channels, height: height, width: width, bytes: interleaved, labels: labels, source: source)
    }

    public var count: Int { labels.count }
    public var shape: Shape { Shape(channels: channels, height: height, width: width) }

    /// Pixels scaled to [0, 1], channels first: what the trainer and evaluation read.
    public func dataset() -> Dataset {
        let plane = height * width, size = channels * plane
        var pixels = [Float](repeating: 0, count: bytes.count)
        let scale: Float = 1.0 / 255.0
        bytes.withUnsafeBufferPointer { source in
            pixels.withUnsafeMutableBufferPointer { target in
                for n in 0..<count {
                    for p in 0..<plane {
                        for c in 0..<channels { target[n * size + c * plane + p] = Float(source[n * size + p * channels + c]) * scale }
                    }
                }
            }
        }
        return Dataset(channels: channels, height: height, width: width, pixels: pixels, labels: labels)
    }
}

import CNNIR
