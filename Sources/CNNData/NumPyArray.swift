/// One NumPy array as `numpy.save` writes it (the .npy format, versions 1.0, 2.0 and 3.0):
/// the magic `\x93NUMPY`, a major and a minor version byte, the header's length (little-endian UInt16
/// in version 1, UInt32 in 2 and 3), then the header, a Python dict literal such as
/// `{'descr': '<i8', 'fortran_order': False, 'shape': (60000, 28, 28), }`, then the values, C order.
///
/// The header is checked before anything is allocated for the values: a known integer dtype, C order,
/// non-negative sizes whose product × item size neither overflows nor passes the caller's limit, and
/// exactly that many bytes after the header.
public struct NumPyArray: Sendable, Equatable {
    /// An integer dtype: `descr` such as `|u1`, `<i8`, `>u2`.
    public struct DType: Sendable, Equatable {
        public var signed: Bool
        public var size: Int
        public var bigEndian: Bool
        public static let uint8 = DType(signed: false, size: 1, bigEndian: false)
    }

    /// The parsed header: dtype, shape and where the values start.
    public struct Header: Sendable, Equatable {
        public var dtype: DType
        public var shape: [Int]
        /// Bytes from the start of the file to the first value.
        public var dataOffset: Int
        /// Bytes of the values: the product of the shape times the item size.
        public var dataBytes: Int
    }

    public var dtype: DType
    public var shape: [Int]
    /// The values as stored (item size × count bytes, C order).
    public var bytes: [UInt8]

    static let magic: [UInt8] = [0x93] + Array("NUMPY".utf8)
    /// The longest header read: numpy itself refuses headers above 10,000 bytes by default.
    public static let maximumHeaderBytes = 1 << 16

    /// Where the header ends (where the values start), from the file's first 12 bytes: nil unless they
    /// start a .npy of version 1 to 3 whose header is at most `maximumHeaderBytes` long.
    public static func headerEnd(_ start: [UInt8]) -> Int? {
        guard start.count >= 10, Array(start[0..<6]) == magic, (1...3).contains(start[6]) else { return nil }
        let prefix = start[6] == 1 ? 10 : 12
        guard start.count >= prefix else { return nil }
        let length = (8..<prefix).reversed().reduce(0) { $0 << 8 | Int(start[$1]) }
        return length <= maximumHeaderBytes ? prefix + length : nil
    }

    /// Parses the header at the start of `bytes` (at least the prefix and the header text); `path` names
    /// the file in errors. The header's values are checked against `maxBytes`.
    public static func header(_ bytes: [UInt8], path: String, maxBytes: Int) throws(DataError) -> Header {
        guard bytes.count >= 10, Array(bytes[0..<6]) == magic else {
            throw .badArray(path: path, reason: "not a NumPy .npy array (no \\x93NUMPY magic)")
        }
        let major = Int(bytes[6])
        guard (1...3).contains(major) else { throw .badArray(path: path, reason: "NumPy format version \(major).\(bytes[7]) is not 1, 2 or 3") }
        let prefix = major == 1 ? 10 : 12
        guard bytes.count >= prefix else { throw .truncated(path: path, expectedBytes: prefix, foundBytes: bytes.count) }
        let length = (8..<prefix).reversed().reduce(0) { $0 << 8 | Int(bytes[$1]) }
        guard length <= maximumHeaderBytes else {
            throw .badArray(path: path, reason: "header of \(length) bytes, more than the \(maximumHeaderBytes) cnnc reads")
        }
        guard bytes.count >= prefix + length else {
            throw .truncated(path: path, expectedBytes: prefix + length, foundBytes: bytes.count)
        }
        let text = String(decoding: bytes[prefix..<(prefix + length)], as: UTF8.self)
        let dict = try NumPyHeaderDict.parse(text, path: path)
        guard case .string(let descr)? = dict["descr"] else { throw .badArray(path: path, reason: "header has no 'descr' string") }
        guard case .bool(let fortran)? = dict["fortran_order"] else { throw .badArray(path: path, reason: "header has no 'fortran_order'") }
        guard case .tuple(let shape)? = dict["shape"] else { throw .badArray(path: path, reason: "header has no 'shape' tuple") }
        guard !fortran else {
            throw .badArray(path: path, reason: "Fortran-ordered array; save numpy.ascontiguousarray(x) instead")
        }
        let dtype = try DType(descr: descr, path: path)
        let described = "(" + shape.map(String.init).joined(separator: ", ") + ")"
        guard let count = CheckedSize.product(shape), let dataBytes = CheckedSize.product(count, dtype.size) else {
            throw .badArray(path: path, reason: "the shape \(described) overflows")
        }
        guard dataBytes <= maxBytes else { throw .tooLarge(path: path, bytes: dataBytes, limit: maxBytes) }
        return Header(dtype: dtype, shape: shape, dataOffset: prefix + length, dataBytes: dataBytes)
    }

    /// An array from a whole .npy file's bytes: the bytes after the header must be exactly the values.
    public static func decode(_ bytes: [UInt8], path: String, maxBytes: Int) throws(DataError) -> NumPyArray {
        let header = try header(bytes, path: path, maxBytes: maxBytes)
        let available = bytes.count - header.dataOffset
        if available < header.dataBytes { throw .truncated(path: path, expectedBytes: header.dataBytes, foundBytes: available) }
        if available > header.dataBytes { throw .trailingData(path: path, expectedBytes: header.dataBytes) }
        return NumPyArray(dtype: header.dtype, shape: header.shape, bytes: Array(bytes[header.dataOffset...]))
    }

    /// Reads a .npy file: its size is checked against `maxBytes` and then against its header before the values are read.
    public static func read(path: String, maxBytes: Int) throws(DataError) -> NumPyArray {
        let size = try RegularFile.size(path)
        guard size <= CheckedSize.sum(maxBytes, 12 + maximumHeaderBytes) ?? Int.max else {
            throw .tooLarge(path: path, bytes: size, limit: maxBytes)
        }
        return try decode(RegularFile.read(path, count: size), path: path, maxBytes: maxBytes)
    }

    // MARK: - As images and labels

    /// uint8 images: `N×H×W` (one channel) or `N×H×W×C` (channels last, C from 1 to 4), pixels `[N, H, W, C]`.
    public func images(path: String) throws(DataError) -> (count: Int, height: Int, width: Int, channels: Int) {
        let described = "(" + shape.map(String.init).joined(separator: ", ") + ")"
        guard dtype == .uint8 else {
            throw .badArray(path: path, reason: "images must be uint8 ('|u1'), not '\(dtype.descr)'; convert with x.astype(numpy.uint8) (0–255)")
        }
        guard shape.count == 3 || shape.count == 4 else {
            throw .badArray(path: path, reason: "images of shape \(described); expected N×H×W or N×H×W×C")
        }
        let channels = shape.count == 4 ? shape[3] : 1
        guard (1...4).contains(channels) else {
            throw .badArray(path: path, reason: "images of shape \(described) have \(channels) channels in the last axis; "
                            + "channels come last (1 to 4): a channels-first array needs x.transpose(0, 2, 3, 1)")
        }
        guard shape[0] == 0 || (shape[1] > 0 && shape[2] > 0) else {
            throw .badArray(path: path, reason: "images of shape \(described) have no pixels")
        }
        return (shape[0], shape[1], shape[2], channels)
    }

    /// Integer labels: shape `(N,)` or `(N, 1)`, each from 0 to Int32.max.
    public func labels(path: String) throws(DataError) -> [Int32] {
        let described = "(" + shape.map(String.init).joined(separator: ", ") + ")"
        guard shape.count == 1 || (shape.count == 2 && shape[1] == 1) else {
            throw .badArray(path: path, reason: "labels of shape \(described); expected one integer per image, (N,)")
        }
        let size = dtype.size, count = shape[0]
        var labels: [Int32] = []
        labels.reserveCapacity(count)
        for n in 0..<count {
            var raw: UInt64 = 0
            for b in 0..<size {
                let byte = UInt64(bytes[n * size + (dtype.bigEndian ? b : size - 1 - b)])
                raw = raw << 8 | byte
            }
            // Sign-extend from `size` bytes.
            let shift = UInt64(64 - 8 * size)
            let value = dtype.signed ? Int64(bitPattern: raw << shift) >> Int64(shift) : Int64(bitPattern: raw)
            guard value >= 0, value <= Int64(Int32.max), dtype.signed || raw <= UInt64(Int32.max) else {
                throw .badArray(path: path, reason: "label \(dtype.signed ? "\(value)" : "\(raw)") of image \(n) is not a class index (0 or more)")
            }
            labels.append(Int32(value))
        }
        return labels
    }
}

extension NumPyArray.DType {
    /// `|u1`, `<i8`, `>u2`, … (`=` native is little-endian here); other kinds are refused with the dtype named.
    init(descr: String, path: String) throws(DataError) {
        let characters = Array(descr)
        guard characters.count >= 3, "<>|=".contains(characters[0]), characters[1] == "u" || characters[1] == "i",
              let size = Int(String(characters[2...])), [1, 2, 4, 8].contains(size) else {
            throw .badArray(path: path, reason: "dtype '\(descr)' is not an integer type: images must be uint8 "
                            + "(x.astype(numpy.uint8), values 0–255) and labels integers")
        }
        self.init(signed: characters[1] == "i", size: size, bigEndian: characters[0] == ">")
    }

    public var descr: String { (size == 1 ? "|" : bigEndian ? ">" : "<") + (signed ? "i" : "u") + "\(size)" }
}

import CNNIR
