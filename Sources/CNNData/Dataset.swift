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
        let held = Int((Double(count) * fraction).rounded())
        guard held >= 1, held < count else { throw .emptySplit(fraction: fraction, images: count) }
        var generator = SeededGenerator(seed: seed, stream: 0x5EED_5A11)
        var order = Array(0..<count)
        order.shuffle(using: &generator)
        return (subset(Array(order[..<(count - held)])), subset(Array(order[(count - held)...])))
    }
}

/// A data set on disk: the four standard IDX files of a training and a test set.
public struct IDXDataSet: Sendable {
    public var train: Dataset
    public var test: Dataset
    /// The label files, named in errors about labels.
    public var trainLabelsPath: String = "", testLabelsPath: String = ""

    public static let fileStems = ["train-images-idx3-ubyte", "train-labels-idx1-ubyte",
                                   "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"]

    public init(train: Dataset, test: Dataset, trainLabelsPath: String = "", testLabelsPath: String = "") {
        self.train = train
        self.test = test
        self.trainLabelsPath = trainLabelsPath
        self.testLabelsPath = testLabelsPath
    }

    /// Loads `directory/{train,t10k}-{images-idx3,labels-idx1}-ubyte[.gz]`. Each set must hold at least
    /// one image and as many labels as images.
    public static func load(directory: String, maxBytes: Int = IDXReader.maximumDataBytes) throws(DataError) -> IDXDataSet {
        // Colour images are 4-D (count × channels × rows × columns) and may be named idx4 instead of idx3.
        func path(_ stem: String) throws(DataError) -> String {
            let stems = stem.hasSuffix("-images-idx3-ubyte") ? [stem, stem.dropLast("idx3-ubyte".count) + "idx4-ubyte"] : [stem]
            for name in stems {
                for candidate in ["\(directory)/\(name).gz", "\(directory)/\(name)"] where fileExists(candidate) {
                    return candidate
                }
            }
            throw .missingFile(path: "\(directory)/\(stem)[.gz]")
        }
        func set(_ images: String, _ labels: String) throws(DataError) -> (Dataset, String) {
            let imagePath = try path(images), labelPath = try path(labels)
            let raw = try IDXReader.images(path: imagePath, maxBytes: maxBytes)
            guard raw.count > 0 else { throw .empty(path: imagePath) }
            let labelBytes = try IDXReader.labels(path: labelPath, maxBytes: maxBytes)
            guard raw.count == labelBytes.count else {
                throw .countMismatch(images: imagePath, imageCount: raw.count, labels: labelPath, labelCount: labelBytes.count)
            }
            let scale: Float = 1.0 / 255.0
            return (Dataset(channels: raw.channels, height: raw.rows, width: raw.columns,
                            pixels: raw.bytes.map { Float($0) * scale }, labels: labelBytes.map { Int32($0) }), labelPath)
        }
        let (train, trainLabels) = try set(fileStems[0], fileStems[1])
        let (test, testLabels) = try set(fileStems[2], fileStems[3])
        return IDXDataSet(train: train, test: test, trainLabelsPath: trainLabels, testLabelsPath: testLabels)
    }

    /// Every label of the test set (and of the training set, unless `includingTrain` is false) must
    /// name one of the network's `classes` outputs.
    public func checkLabels(classes: Int, includingTrain: Bool = true) throws(DataError) {
        for (set, path) in (includingTrain ? [(train, trainLabelsPath)] : []) + [(test, testLabelsPath)] {
            if let bad = set.labels.first(where: { $0 < 0 || Int($0) >= classes }) {
                throw .labelOutOfRange(path: path, label: Int(bad), classes: classes)
            }
        }
    }
}

/// Finds a named data set: `$CNNC_DATA/NAME`, `./data/NAME`, `/usr/share/datasets/NAME`.
public enum DataLocator {
    public static func directory(for nameOrPath: String, environment: [String: String]) throws(DataError) -> String {
        if nameOrPath.contains("/") || isDirectory(nameOrPath) && !isKnownName(nameOrPath) {
            guard isDirectory(nameOrPath) else { throw .notFound(name: nameOrPath, searched: [nameOrPath]) }
            return nameOrPath
        }
        var searched: [String] = []
        if let root = environment["CNNC_DATA"] { searched.append("\(root)/\(nameOrPath)") }
        searched += ["./data/\(nameOrPath)", "/usr/share/datasets/\(nameOrPath)"]
        for candidate in searched where isDirectory(candidate) {
            return candidate
        }
        throw .notFound(name: nameOrPath, searched: searched)
    }

    static func isKnownName(_ name: String) -> Bool { ["mnist", "fashion-mnist"].contains(name) }
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
