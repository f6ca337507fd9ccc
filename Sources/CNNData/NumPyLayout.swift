/// Where a folder of NumPy arrays keeps its images and labels. Tried in this order:
///
/// 1. `DIR/train.npz` and `DIR/test.npz`, each with the images as `x` (or `images`) and the labels as `y`
///    (or `labels`): `numpy.savez("train.npz", x=images, y=labels)`.
/// 2. One `DIR/*.npz` with `x_train`, `y_train`, `x_test`, `y_test`: Keras' convention (`mnist.npz`).
/// 3. `DIR/x_train.npy`, `DIR/y_train.npy`, `DIR/x_test.npy`, `DIR/y_test.npy`.
///
/// Images are uint8, `N×H×W` (one channel) or `N×H×W×C` (channels last, as Keras and PIL keep them);
/// labels are integers, one per image. `.npz` files may be stored (`numpy.savez`) or deflated
/// (`numpy.savez_compressed`).
public enum NumPyLayout {
    /// One split's images and labels, as read: pixels `[N, H, W, C]`.
    public struct Split: Sendable, Equatable {
        public var channels: Int, height: Int, width: Int
        public var pixels: [UInt8]
        public var labels: [Int32]
        /// The file (or archive member) of the labels, named in label errors.
        public var source: String
    }

    /// Where one split's two arrays are.
    enum Location: Equatable {
        /// Arrays of an archive: its path and the two names, first the images'.
        case archive(String, images: String, labels: String)
        /// Two .npy files.
        case files(images: String, labels: String)
    }

    public static func recognizes(directory: String) -> Bool { (try? locate(directory: directory)) != nil }

    /// The train and test locations, by the rules above.
    static func locate(directory: String) throws(DataError) -> (train: Location, test: Location) {
        let train = "\(directory)/train.npz", test = "\(directory)/test.npz"
        if fileExists(train) || fileExists(test) {
            func location(_ path: String) throws(DataError) -> Location {
                let names = try NumPyArchive(path: path).names
                guard let x = ["x", "images"].first(where: names.contains), let y = ["y", "labels"].first(where: names.contains) else {
                    throw .badArray(path: path, reason: "holds \(names.joined(separator: ", ")); expected images as 'x' (or 'images') and labels as 'y' (or 'labels')")
                }
                return .archive(path, images: x, labels: y)
            }
            return (try location(train), try location(test))
        }
        let archives = ((try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []).filter { $0.hasSuffix(".npz") }.sorted()
        if archives.count == 1 {
            let path = "\(directory)/\(archives[0])"
            let names = try NumPyArchive(path: path).names
            let keras = ["x_train", "y_train", "x_test", "y_test"]
            guard keras.allSatisfy(names.contains) else {
                throw .badArray(path: path, reason: "holds \(names.joined(separator: ", ")); expected x_train, y_train, x_test and y_test (Keras' mnist.npz)")
            }
            return (.archive(path, images: "x_train", labels: "y_train"), .archive(path, images: "x_test", labels: "y_test"))
        }
        if archives.count > 1 {
            throw .badArray(path: directory, reason: "holds \(archives.count) .npz files (\(archives.joined(separator: ", "))); "
                            + "expected train.npz and test.npz, or one archive with x_train, y_train, x_test, y_test")
        }
        let files = ["x_train", "y_train", "x_test", "y_test"].map { "\(directory)/\($0).npy" }
        guard let missing = files.first(where: { !fileExists($0) }) else {
            return (.files(images: files[0], labels: files[1]), .files(images: files[2], labels: files[3]))
        }
        throw .missingFile(path: missing)
    }

    /// Reads both splits; each array at most `maxBytes`.
    public static func load(directory: String, maxBytes: Int) throws(DataError) -> (train: Split, test: Split) {
        let (train, test) = try locate(directory: directory)
        return (try read(train, maxBytes: maxBytes), try read(test, maxBytes: maxBytes))
    }

    static func read(_ location: Location, maxBytes: Int) throws(DataError) -> Split {
        let images: NumPyArray, labels: NumPyArray, imagePath: String, labelPath: String
        switch location {
        case .archive(let path, let x, let y):
            let archive = try NumPyArchive(path: path)
            (imagePath, labelPath) = ("\(path):\(x).npy", "\(path):\(y).npy")
            images = try archive.array(x, maxBytes: maxBytes)
            labels = try archive.array(y, maxBytes: maxBytes)
        case .files(let x, let y):
            (imagePath, labelPath) = (x, y)
            images = try NumPyArray.read(path: x, maxBytes: maxBytes)
            labels = try NumPyArray.read(path: y, maxBytes: maxBytes)
        }
        let shape = try images.images(path: imagePath)
        guard shape.count > 0 else { throw .empty(path: imagePath) }
        let values = try labels.labels(path: labelPath)
        guard values.count == shape.count else {
            throw .countMismatch(images: imagePath, imageCount: shape.count, labels: labelPath, labelCount: values.count)
        }
        return Split(channels: shape.channels, height: shape.height, width: shape.width, pixels: images.bytes, labels: values, source: labelPath)
    }
}

import Foundation
