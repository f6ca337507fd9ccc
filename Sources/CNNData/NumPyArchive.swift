import CNNIR
import CZip

/// A .npz file, as `numpy.savez` (members stored) or `numpy.savez_compressed` (deflated) writes it: a zip
/// archive with one .npy member per array, named `<array>.npy`. Read through libzip, which checks each
/// member's CRC when it is read to its end.
///
/// Before a member's values are allocated: its uncompressed size (from the zip directory) must be its
/// .npy header plus exactly the values the header announces, within `maxBytes`, and no more than deflate
/// can produce from its compressed size (1032 : 1), so a lying directory entry costs nothing.
public final class NumPyArchive {
    public let path: String
    let archive: OpaquePointer
    /// The arrays' names (members' names without `.npy`), in the archive's order.
    public let names: [String]

    /// Deflate's largest expansion: 258 bytes from 2 bits, about 1032 : 1.
    static let maximumDeflateRatio = 1032

    public init(path: String) throws(DataError) {
        _ = try RegularFile.size(path)
        var code: Int32 = 0
        guard let archive = zip_open(path, ZIP_RDONLY, &code) else {
            var error = zip_error_t()
            zip_error_init_with_code(&error, code)
            defer { zip_error_fini(&error) }
            throw .badArray(path: path, reason: "not a .npz (zip) archive: \(String(cString: zip_error_strerror(&error)))")
        }
        self.path = path
        self.archive = archive
        var names: [String] = []
        for index in 0..<max(0, zip_get_num_entries(archive, 0)) {
            if let name = zip_get_name(archive, zip_uint64_t(index), 0) { names.append(String(cString: name)) }
        }
        self.names = names.filter { $0.hasSuffix(".npy") }.map { String($0.dropLast(4)) }
    }

    deinit { zip_discard(archive) }

    /// The array `name` (member `name.npy`).
    public func array(_ name: String, maxBytes: Int) throws(DataError) -> NumPyArray {
        let member = "\(path):\(name).npy"
        var info = zip_stat_t()
        guard zip_stat(archive, name + ".npy", 0, &info) == 0 else { throw .missingFile(path: member) }
        let size = Int(clamping: info.size), compressed = Int(clamping: info.comp_size)
        guard size <= CheckedSize.sum(maxBytes, 12 + NumPyArray.maximumHeaderBytes) ?? Int.max else {
            throw .tooLarge(path: member, bytes: size, limit: maxBytes)
        }
        guard size <= (CheckedSize.product(compressed, Self.maximumDeflateRatio) ?? Int.max) &+ 64 else {
            throw .badArray(path: member, reason: "the zip directory claims \(size) bytes from \(compressed) compressed; the archive is damaged")
        }
        guard let file = zip_fopen(archive, name + ".npy", 0) else {
            throw .unreadable(path: member, reason: String(cString: zip_strerror(archive)))
        }
        defer { zip_fclose(file) }
        func read(_ count: Int, into bytes: inout [UInt8], at offset: Int) throws(DataError) -> Int {
            var filled = 0
            while filled < count {
                let got = bytes.withUnsafeMutableBytes { zip_fread(file, $0.baseAddress! + offset + filled, zip_uint64_t(count - filled)) }
                if got < 0 { throw .unreadable(path: member, reason: String(cString: zip_file_strerror(file))) }
                if got == 0 { break }
                filled += Int(got)
            }
            return filled
        }
        // The header first: its prefix (magic, version, length) tells how long it is; `NumPyArray.header`
        // then names whatever is wrong with it.
        var head = [UInt8](repeating: 0, count: min(size, 12))
        head.removeLast(head.count - (try read(head.count, into: &head, at: 0)))
        if let end = NumPyArray.headerEnd(head), end > head.count, end <= size {
            let known = head.count
            head += [UInt8](repeating: 0, count: end - known)
            head.removeLast(end - known - (try read(end - known, into: &head, at: known)))
        }
        let header = try NumPyArray.header(head, path: member, maxBytes: maxBytes)
        let available = size - header.dataOffset
        if available < header.dataBytes { throw .truncated(path: member, expectedBytes: header.dataBytes, foundBytes: available) }
        if available > header.dataBytes { throw .trailingData(path: member, expectedBytes: header.dataBytes) }
        var values = [UInt8](repeating: 0, count: header.dataBytes)
        let got = try read(header.dataBytes, into: &values, at: 0)
        guard got == header.dataBytes else { throw .truncated(path: member, expectedBytes: header.dataBytes, foundBytes: got) }
        // Reading past the end makes libzip check the member's CRC.
        var extra = [UInt8](repeating: 0, count: 1)
        guard try read(1, into: &extra, at: 0) == 0 else { throw .trailingData(path: member, expectedBytes: header.dataBytes) }
        return NumPyArray(dtype: header.dtype, shape: header.shape, bytes: values)
    }
}
