/// Reads the CIFAR-10 and CIFAR-100 binary versions (the `cifar-10-batches-bin` and `cifar-100-binary`
/// folders of https://www.cs.toronto.edu/~kriz/cifar.html).
///
/// A file is a sequence of records with no header: the label byte(s), then 3072 image bytes, the 32×32
/// red plane, then green, then blue, each row-major. CIFAR-10 records have one label byte (0–9);
/// CIFAR-100 records have the coarse label (0–19) and then the fine label (0–99). The class names are
/// text files, one per line: `batches.meta.txt` (CIFAR-10), `fine_label_names.txt` and
/// `coarse_label_names.txt` (CIFAR-100).
///
/// A file's size must be a whole, non-zero number of records: checked from `stat` before anything is read.
public enum CIFARReader {
    /// Which label a record's image is trained on.
    public enum Labels: Sendable, Equatable {
        /// CIFAR-10: one label byte, 10 classes.
        case cifar10
        /// CIFAR-100: the fine label (second byte), 100 classes.
        case fine
        /// CIFAR-100: the coarse label (first byte), 20 superclasses.
        case coarse

        /// Label bytes before the image in each record.
        public var labelBytes: Int { self == .cifar10 ? 1 : 2 }
        /// The byte of the record that holds the label used.
        var labelOffset: Int { self == .fine ? 1 : 0 }
        public var classes: Int {
            switch self {
            case .cifar10: return 10
            case .fine: return 100
            case .coarse: return 20
            }
        }
        public var recordBytes: Int { labelBytes + CIFARReader.imageBytes }
        /// The text file of class names, one per line.
        public var namesFile: String {
            switch self {
            case .cifar10: return "batches.meta.txt"
            case .fine: return "fine_label_names.txt"
            case .coarse: return "coarse_label_names.txt"
            }
        }
    }

    public static let side = 32, channels = 3
    /// One image: 3 planes of 32 × 32.
    public static let imageBytes = 3 * 32 * 32

    /// Images and labels decoded from records: `pixels` laid out `[N, H, W, C]` (32, 32, 3).
    public struct Records: Sendable, Equatable {
        public var pixels: [UInt8]
        public var labels: [Int32]
        public var count: Int { labels.count }

        public init(pixels: [UInt8] = [], labels: [Int32] = []) {
            self.pixels = pixels
            self.labels = labels
        }
    }

    /// Decodes `data`, a whole number of records of `labels`' layout, appending to `records`. `path` names
    /// the file in errors; a label outside the classes is an error (the file is damaged or of the other version).
    public static func decode(_ data: [UInt8], labels: Labels, path: String, into records: inout Records) throws(DataError) {
        let recordBytes = labels.recordBytes
        guard !data.isEmpty, data.count % recordBytes == 0 else {
            throw .partialRecords(path: path, bytes: data.count, recordBytes: recordBytes)
        }
        let count = data.count / recordBytes, plane = side * side
        records.pixels.reserveCapacity(records.pixels.count + count * imageBytes)
        records.labels.reserveCapacity(records.labels.count + count)
        data.withUnsafeBufferPointer { bytes in
            for n in 0..<count {
                let record = n * recordBytes, image = record + labels.labelBytes
                records.labels.append(Int32(bytes[record + labels.labelOffset]))
                // Planes [C, H, W] to pixels [H, W, C].
                for p in 0..<plane {
                    records.pixels.append(bytes[image + p])
                    records.pixels.append(bytes[image + plane + p])
                    records.pixels.append(bytes[image + 2 * plane + p])
                }
            }
        }
        if let index = records.labels.firstIndex(where: { Int($0) >= labels.classes }) {
            let first = records.labels.count - count
            throw .badLabel(path: path, index: index - first, label: Int(records.labels[index]), classes: labels.classes)
        }
    }

    /// Reads the files in order, each a whole number of records; together at most `maxBytes`.
    public static func read(files: [String], labels: Labels, maxBytes: Int) throws(DataError) -> Records {
        var sizes: [Int] = []
        for path in files {
            let size = try RegularFile.size(path)
            guard size > 0, size % labels.recordBytes == 0 else {
                throw .partialRecords(path: path, bytes: size, recordBytes: labels.recordBytes)
            }
            sizes.append(size)
        }
        guard let total = CheckedSize.sum(sizes), total <= maxBytes else {
            throw .tooLarge(path: files.joined(separator: ", "), bytes: CheckedSize.sum(sizes) ?? Int.max, limit: maxBytes)
        }
        var records = Records(pixels: [], labels: [])
        records.pixels.reserveCapacity(total / labels.recordBytes * imageBytes)
        for (path, size) in zip(files, sizes) {
            try decode(RegularFile.read(path, count: size), labels: labels, path: path, into: &records)
        }
        return records
    }

    /// Class names from a names file's text: one per line, blank lines (the files end with one) skipped.
    public static func classNames(text: String) -> [String] {
        text.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
    }
}

import CNNIR
import Foundation

// MARK: - A folder

extension CIFARReader {
    /// The training files of a folder: CIFAR-10's `data_batch_1.bin`, `data_batch_2.bin`, … as far as they
    /// go without a gap (all 5 in the real set; fewer is a warning), CIFAR-100's `train.bin`.
    public static func trainFiles(directory: String, labels: Labels) -> [String] {
        guard labels == .cifar10 else { return ["\(directory)/train.bin"] }
        var files: [String] = []
        while fileExists("\(directory)/data_batch_\(files.count + 1).bin") { files.append("\(directory)/data_batch_\(files.count + 1).bin") }
        return files.isEmpty ? ["\(directory)/data_batch_1.bin"] : files
    }

    public static func testFile(directory: String, labels: Labels) -> String {
        "\(directory)/\(labels == .cifar10 ? "test_batch" : "test").bin"
    }

    /// Whether `directory` holds CIFAR-10's (`data_batch_1.bin`, `test_batch.bin`) or CIFAR-100's (`train.bin`, `test.bin`) files.
    public static func recognizes(directory: String, labels: Labels) -> Bool {
        fileExists(trainFiles(directory: directory, labels: labels)[0]) && fileExists(testFile(directory: directory, labels: labels))
    }

    /// The class names from the folder's names file, or nil (and a warning) when it is missing or does not
    /// hold one name per class.
    public static func classNames(directory: String, labels: Labels, warnings: inout [String]) -> [String]? {
        let path = "\(directory)/\(labels.namesFile)"
        guard let size = try? RegularFile.size(path), size <= 1 << 20, let bytes = try? RegularFile.read(path, count: size) else {
            warnings.append("\(path) is missing: classes are shown as numbers")
            return nil
        }
        let names = classNames(text: String(decoding: bytes, as: UTF8.self))
        guard names.count == labels.classes else {
            warnings.append("\(path) has \(names.count) names for \(labels.classes) classes: classes are shown as numbers")
            return nil
        }
        return names
    }
}
