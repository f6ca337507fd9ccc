import CNNIR
import Dispatch

/// Folders of image files, one per class, as torchvision's `ImageFolder` and Keras's
/// `image_dataset_from_directory` read them:
///
/// - `DIR/train/<class>/…` and `DIR/test/<class>/…` (`DIR/val/` when there is no `test/`; with both, `val/`
///   is not read). The test split's class folders must be training classes; a class may lack test images.
/// - `DIR/<class>/…` (or `DIR/train/<class>/…` alone): one split. `train.validation` must be set; the images it
///   holds out (the same seeded permutation as the run's validation split, `Dataset.splitIndices`) are the
///   validation set and the test set both, and a warning says so.
///
/// torchvision's rules: classes are the sub-folders' names sorted by code point (Python's `sorted`), the class
/// index is the position; files are found in every folder below a class folder (`os.walk`), folders in sorted
/// order, files sorted within each; a file counts by its extension, case-insensitive. cnnc decodes `.png`, `.jpg`,
/// `.jpeg`, `.pgm`, `.ppm`, `.pnm`; `.bmp`, `.gif`, `.tif`, `.tiff`, `.webp` files (which torchvision reads) are
/// counted as unreadable; files with other extensions are ignored, as torchvision ignores them. Names starting
/// with `.` are ignored (unlike torchvision, which would make `.ipynb_checkpoints` a class). A class folder
/// with no image file is an error naming it (torchvision: "Found no valid file for the classes …").
///
/// Every image is decoded once, on `options.threads` threads, into one uint8 array: converted to the input's
/// channels (grey ↔ RGB, `PixelImage.converted`) and brought to its size by `options.resize`; without a resize,
/// an image of another size is an error naming the file and both sizes. A file that cannot be decoded (damaged,
/// truncated, beyond `options.maxPixels`, or of an unread format) is skipped, and a warning gives the count and
/// the first three; with `options.strict` it is an error.
public enum ImageFolderFormat: DataReader {
    public static let format = DataFormat.imagefolder

    /// Image formats torchvision reads and cnnc does not: counted as unreadable files, not ignored.
    public static let undecodedExtensions: Set<String> = ["bmp", "gif", "tif", "tiff", "webp"]

    /// Files named in a warning or an error about unreadable images.
    static let examples = 3

    struct Entry: Sendable {
        var path: String
        var label: Int32
    }

    public static func recognizes(directory: String) -> Bool {
        let root = isDirectory(directory + "/train") ? directory + "/train" : directory
        return subfolders(root).contains { folder in listing(root + "/" + folder).files.contains(where: isImageName) }
    }

    public static func read(directory: String, options: DataOptions) throws(DataError) -> DataSource {
        let split = isDirectory(directory + "/train")
        let trainRoot = split ? directory + "/train" : directory
        let testRoot = split ? [directory + "/test", directory + "/val"].first(where: isDirectory) : nil
        let classes = subfolders(trainRoot)
        guard !classes.isEmpty else { throw .noClasses(directory: trainRoot) }
        var (entries, undecoded) = try files(root: trainRoot, folders: classes, classes: classes)
        let trainCount = entries.count
        if let testRoot {
            let testClasses = subfolders(testRoot)
            guard !testClasses.isEmpty else { throw .noClasses(directory: testRoot) }
            if let unknown = testClasses.first(where: { !classes.contains($0) }) {
                throw .unknownClass(folder: testRoot + "/" + unknown, classes: classes)
            }
            let (testEntries, testUndecoded) = try files(root: testRoot, folders: testClasses, classes: classes)
            entries += testEntries
            undecoded += testUndecoded
        } else if options.validation <= 0 {
            throw .noTestSplit(directory: directory)
        }

        let (bytes, shape, decoded, failures) = try decode(entries, options: options)
        let unreadable = (undecoded + failures).sorted { $0.index < $1.index }
        var warnings: [String] = []
        if !unreadable.isEmpty {
            let shown = unreadable.prefix(examples).map(\.message) + (unreadable.count > examples ? ["…"] : [])
            if options.strict { throw .unreadableImages(count: unreadable.count, examples: shown) }
            warnings.append("skipped \(unreadable.count) unreadable image file\(unreadable.count == 1 ? "" : "s") of \(entries.count) in \(directory): "
                            + shown.joined(separator: "; "))
        }
        let size = shape.count
        func set(_ range: Range<Int>, source: String) throws(DataError) -> ImageSet {
            let kept = range.filter { decoded[$0] }
            guard !kept.isEmpty else { throw .empty(path: source) }
            var out = [UInt8](); out.reserveCapacity(kept.count * size)
            for i in kept { out.append(contentsOf: bytes[(i * size)..<((i + 1) * size)]) }
            return ImageSet(channels: shape.channels, height: shape.height, width: shape.width, bytes: out,
                            labels: kept.map { entries[$0].label }, source: source)
        }
        let train = try set(0..<trainCount, source: trainRoot)
        let test: ImageSet
        if let testRoot {
            test = try set(trainCount..<entries.count, source: testRoot)
        } else {
            let held = try Dataset.splitIndices(count: train.count, validation: options.validation, seed: options.seed).held
            var out = [UInt8](); out.reserveCapacity(held.count * size)
            for i in held { out.append(contentsOf: train.bytes[(i * size)..<((i + 1) * size)]) }
            test = ImageSet(channels: train.channels, height: train.height, width: train.width, bytes: out,
                            labels: held.map { train.labels[$0] }, source: trainRoot)
            warnings.append("\(directory) has no train/ and test/ folders: the \(held.count) images train.validation holds out "
                            + "are the validation set and the test set")
        }
        return DataSource(format: format, directory: directory, train: train, test: test, classNames: classes, warnings: warnings)
    }

    // MARK: - Finding the files

    /// A file that is not in the set, with the message naming it; `index` orders the messages as the files.
    typealias Failure = (index: Int, message: String)

    /// The image files of each class folder of `root` that is in `folders`, labelled by the position of its name in
    /// `classes`; files of image formats cnnc does not decode come back as failures.
    static func files(root: String, folders: [String], classes: [String]) throws(DataError) -> (entries: [Entry], undecoded: [Failure]) {
        var entries: [Entry] = [], undecoded: [Failure] = [], empty: [String] = []
        for name in folders {
            let label = Int32(classes.firstIndex(of: name)!)
            let found = walk(root + "/" + name).filter(isImageName)
            if found.isEmpty { empty.append(root + "/" + name) }
            for path in found {
                if ImageReader.extensions.contains(fileExtension(path)) {
                    entries.append(Entry(path: path, label: label))
                } else {
                    undecoded.append((-1, "\(path): \(fileExtension(path).uppercased()) images are not read"))
                }
            }
        }
        guard empty.isEmpty else { throw .emptyClasses(folders: empty) }
        return (entries, undecoded)
    }

    static func fileExtension(_ path: String) -> String {
        guard let dot = path.lastIndex(of: "."), !path[dot...].contains("/") else { return "" }
        return path[path.index(after: dot)...].lowercased()
    }

    static func isImageName(_ path: String) -> Bool {
        let ext = fileExtension(path)
        return ImageReader.extensions.contains(ext) || undecodedExtensions.contains(ext)
    }

    /// Every file below `folder`, as `os.walk` with `sorted` gives them: folders in sorted path order, each
    /// folder's files sorted. Symbolic links are followed, each real folder read once (by device and inode), 32 levels at most.
    static func walk(_ folder: String) -> [String] {
        var folders: [(path: String, files: [String])] = []
        // Each real folder once, however many links lead to it: a link to a parent cannot loop or multiply the images.
        var seen = Set<[UInt64]>()
        func visit(_ path: String, depth: Int) {
            var info = stat()
            guard stat(path, &info) == 0, seen.insert([UInt64(info.st_dev), UInt64(info.st_ino)]).inserted else { return }
            let (files, subfolders) = listing(path)
            folders.append((path, files.map { path + "/" + $0 }))
            if depth < 32 { for sub in subfolders { visit(path + "/" + sub, depth: depth + 1) } }
        }
        visit(folder, depth: 0)
        return folders.sorted { codePointOrder($0.path, $1.path) }.flatMap(\.files)
    }

    static func subfolders(_ path: String) -> [String] { listing(path).folders }

    /// The regular files and the folders directly in `path`, each sorted by code point; names starting with `.`
    /// left out.
    static func listing(_ path: String) -> (files: [String], folders: [String]) {
        guard let dir = opendir(path) else { return ([], []) }
        defer { closedir(dir) }
        var files: [String] = [], folders: [String] = []
        while let entry = readdir(dir) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
            guard !name.hasPrefix(".") else { continue }
            var info = stat()
            guard stat(path + "/" + name, &info) == 0 else { continue }
            switch info.st_mode & S_IFMT {
            case S_IFDIR: folders.append(name)
            case S_IFREG: files.append(name)
            default: break
            }
        }
        return (files.sorted(by: codePointOrder), folders.sorted(by: codePointOrder))
    }

    /// Python's string order: by Unicode code point.
    static func codePointOrder(_ a: String, _ b: String) -> Bool {
        a.unicodeScalars.lexicographicallyPrecedes(b.unicodeScalars)
    }

    // MARK: - Decoding

    enum Outcome: Sendable {
        case pending, decoded, unreadable(String), refused(DataError)
    }

    /// Decodes every entry into `[N, H, W, C]` bytes of the input's shape (or, without one, the first image's),
    /// in parallel. Returns which images decoded, and the failures as messages; a size mismatch is thrown.
    static func decode(_ entries: [Entry], options: DataOptions) throws(DataError)
        -> (bytes: [UInt8], shape: Shape, decoded: [Bool], failures: [Failure]) {
        let shape: Shape
        if let input = options.input {
            shape = input
        } else if let first = entries.lazy.compactMap({ try? ImageReader.read(path: $0.path, maxPixels: options.maxPixels) }).first {
            shape = Shape(channels: first.channels, height: first.height, width: first.width)
        } else {
            shape = Shape(channels: 1, height: 1, width: 1)
        }
        guard shape.channels == 1 || shape.channels == 3 else {
            throw .badImage(path: entries.first?.path ?? "", reason: "image files have 1 or 3 channels; the network's input has \(shape.channels)")
        }
        let size = shape.count
        guard let total = CheckedSize.product([entries.count, size]), total <= options.maxBytes else {
            throw .tooLarge(path: entries.first?.path ?? "", bytes: CheckedSize.product([entries.count, size]) ?? .max, limit: options.maxBytes)
        }
        var bytes = [UInt8](repeating: 0, count: total)
        var outcomes = [Outcome](repeating: .pending, count: entries.count)
        let workers = max(1, min(options.threads, entries.count))
        bytes.withUnsafeMutableBufferPointer { pixels in
            outcomes.withUnsafeMutableBufferPointer { results in
                let slots = Slots(pixels: pixels, results: results)
                // Worker k takes images k, k + workers, …: neighbouring files (often alike in size) are spread out.
                DispatchQueue.concurrentPerform(iterations: workers) { worker in
                    for i in stride(from: worker, to: entries.count, by: workers) {
                        slots.results[i] = decode(entries[i].path, into: slots.pixels.baseAddress! + i * size, shape: shape, options: options)
                    }
                }
            }
        }
        var decoded = [Bool](repeating: false, count: entries.count), failures: [Failure] = []
        for (i, outcome) in outcomes.enumerated() {
            switch outcome {
            case .decoded: decoded[i] = true
            case .unreadable(let message): failures.append((i, message))
            case .refused(let error): throw error
            case .pending: preconditionFailure("every image is decoded once")
            }
        }
        return (bytes, shape, decoded, failures)
    }

    static func decode(_ path: String, into target: UnsafeMutablePointer<UInt8>, shape: Shape, options: DataOptions) -> Outcome {
        do {
            var image = try ImageReader.read(path: path, channels: shape.channels, maxPixels: options.maxPixels)
            if image.width != shape.width || image.height != shape.height {
                guard let resize = options.resize else {
                    return .refused(.imageSizeMismatch(path: path, width: image.width, height: image.height,
                                                       expectedWidth: shape.width, expectedHeight: shape.height))
                }
                image = resize.apply(to: image, width: shape.width, height: shape.height)
            }
            image.bytes.withUnsafeBufferPointer { target.update(from: $0.baseAddress!, count: $0.count) }
            return .decoded
        } catch {
            return .unreadable(error.message)
        }
    }

    /// The output arrays, handed to the workers; each writes only its own images' bytes and results.
    private final class Slots: @unchecked Sendable {
        let pixels: UnsafeMutableBufferPointer<UInt8>
        let results: UnsafeMutableBufferPointer<Outcome>
        init(pixels: UnsafeMutableBufferPointer<UInt8>, results: UnsafeMutableBufferPointer<Outcome>) {
            self.pixels = pixels
            self.results = results
        }
    }
}

#if canImport(Glibc)
import Glibc
#endif
