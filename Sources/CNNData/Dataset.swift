/// Images and labels in memory: pixels scaled to [0, 1], images `[N, C, H, W]`.
public struct Dataset: Sendable {
    public var channels: Int, height: Int, width: Int
    public var pixels: [Float]
    public var labels: [Int32]

    public init(channels: Int, height: Int, width: Int, pixels: [Float], labels: [Int32]) {
        precondition(pixels.count == labels.count * channels * height * width)
        self.channels = channels
        self.height = height
        self.width = width
        self.pixels = pixels
        self.labels = labels
    }

    public var count: Int { labels.count }
    public var imageSize: Int { channels * height * width }
    public var classCount: Int { Int(labels.max() ?? 0) + 1 }

    /// The images at `indices`, in that order.
    public func subset(_ indices: [Int]) -> Dataset {
        var p = [Float](); p.reserveCapacity(indices.count * imageSize)
        for i in indices { p.append(contentsOf: pixels[(i * imageSize)..<((i + 1) * imageSize)]) }
        return Dataset(channels: channels, height: height, width: width, pixels: p, labels: indices.map { labels[$0] })
    }

    /// Splits off the last `fraction` of a seeded permutation as a validation set; each side keeps an image.
    public func split(validation fraction: Double, seed: UInt64) throws(DataError) -> (train: Dataset, validation: Dataset) {
        let (kept, held) = try Self.splitIndices(count: count, validation: fraction, seed: seed)
        return (subset(kept), subset(held))
    }

    /// The indices `split` keeps and holds out: readers that must know the held-out images (an image folder
    /// without a test split) use the same permutation.
    public static func splitIndices(count: Int, validation fraction: Double, seed: UInt64) throws(DataError) -> (kept: [Int], held: [Int]) {
        let held = Int((Double(count) * fraction).rounded())
        guard held >= 1, held < count else { throw .emptySplit(fraction: fraction, images: count) }
        var generator = SeededGenerator(seed: seed, stream: 0x5EED_5A11)
        var order = Array(0..<count)
        order.shuffle(using: &generator)
        return (Array(order[..<(count - held)]), Array(order[(count - held)...]))
    }
}

func fileExists(_ path: String) -> Bool {
    var info = stat()
    return stat(path, &info) == 0 && (info.st_mode & S_IFMT) == S_IFREG
}

func isDirectory(_ path: String) -> Bool {
    var info = stat()
    return stat(path, &info) == 0 && (info.st_mode & S_IFMT) == S_IFDIR
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
