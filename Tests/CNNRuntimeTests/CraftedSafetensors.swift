import CNNTestSupport
import Foundation

/// Safetensors files made byte by byte: an 8-byte little-endian header length (the real one unless
/// `length` overrides it), the header text as given, then the data bytes.
enum CraftedSafetensors {
    static func file(header: String, data: [UInt8] = [], length: UInt64? = nil) -> Data {
        let text = Array(header.utf8)
        let declared = length ?? UInt64(text.count)
        return Data((0..<8).map { UInt8(declared >> (8 * UInt64($0)) & 255) } + text + data)
    }

    /// One F32 tensor entry.
    static func entry(_ name: String, shape: String, offsets: String, dtype: String = "\"F32\"") -> String {
        "\"\(name)\":{\"dtype\":\(dtype),\"shape\":\(shape),\"data_offsets\":\(offsets)}"
    }

    static func floats(_ values: [Float]) -> [UInt8] {
        values.flatMap { v in (0..<4).map { UInt8(v.bitPattern >> (8 * UInt32($0)) & 255) } }
    }

    static func temporaryDirectory(_ name: String) -> String {
        Scratch.directory(name)
    }
}
