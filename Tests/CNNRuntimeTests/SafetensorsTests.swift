import Foundation
import Testing
@testable import CNNRuntime

/// Safetensors decoding: cnnc's own files round-trip; every hostile header is a `corrupt` error naming
/// the file and the reason, never a trap or an allocation the file cannot back.
struct SafetensorsTests {
    let path = "crafted.safetensors"

    func reason(_ data: Data) -> String? {
        do {
            _ = try Safetensors.decode(data, path: path)
            return nil
        } catch {
            guard case .corrupt(let errorPath, let reason) = error, errorPath == path else { return "unexpected \(error)" }
            return reason
        }
    }

    @Test func roundTripsCnncsOwnFiles() throws {
        let tensors = [Safetensors.Tensor(name: "conv1.weight", shape: [2, 1, 1, 2], values: [1, -2, 3.5, 4]),
                       Safetensors.Tensor(name: "odd \"name\"\n\u{1F600}", shape: [1], values: [.pi]),
                       Safetensors.Tensor(name: "empty", shape: [0, 3], values: []),
                       Safetensors.Tensor(name: "scalar", shape: [], values: [7])]
        let (decoded, metadata) = try Safetensors.decode(Safetensors.encode(tensors, metadata: ["epoch": "3", "note": "a\\b"]), path: path)
        #expect(metadata == ["epoch": "3", "note": "a\\b"])
        for t in tensors {
            #expect(decoded[t.name]?.shape == t.shape && decoded[t.name]?.values == t.values)
        }
        // A slice of a larger buffer decodes the same (indices need not start at 0).
        let padded = Data([9, 9, 9]) + Safetensors.encode(tensors)
        #expect(try Safetensors.decode(padded[3...], path: path).tensors.count == 4)
        // Escapes a writer other than cnnc may use.
        let escaped = CraftedSafetensors.file(header: "{\"\\u0061\\ud83d\\ude00\\/\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}",
                                              data: CraftedSafetensors.floats([2]))
        #expect(try Safetensors.decode(escaped, path: path).tensors["a\u{1F600}/"]?.values == [2])
    }

    @Test func hostileHeaderLengths() {
        let header = "{" + CraftedSafetensors.entry("w", shape: "[1]", offsets: "[0,4]") + "}"
        let data = CraftedSafetensors.floats([1])
        #expect(reason(Data([1, 2, 3])) == "shorter than the 8-byte header length")
        for length: UInt64 in [.max, .max - 7, 1 << 63, 1 << 32, UInt64(header.utf8.count + 5)] {
            let text = reason(CraftedSafetensors.file(header: header, data: data, length: length))
            #expect(text?.hasPrefix("header length \(length) exceeds the file") == true, "\(length): \(text ?? "accepted")")
        }
        #expect(reason(CraftedSafetensors.file(header: header, data: data, length: 0)) == "the header is not valid JSON: unexpected end at byte 0")
    }

    /// Each header, with 16 data bytes after it, and the reason it must be refused for.
    static let hostileHeaders: [(String, String)] = {
        typealias C = CraftedSafetensors
        return [
            ("[]", "the header is not a JSON object"),
            ("{" + C.entry("w", shape: "[-1,-4]", offsets: "[0,16]") + "}", "tensor 'w' has a negative dimension -1 in shape [-1, -4]"),
            ("{" + C.entry("w", shape: "[-2,2]", offsets: "[0,16]") + "}", "tensor 'w' has a negative dimension -2 in shape [-2, 2]"),
            ("{" + C.entry("w", shape: "[4294967296,4294967296]", offsets: "[0,16]") + "}",
             "tensor 'w' has shape [4294967296, 4294967296], whose size overflows"),
            ("{" + C.entry("w", shape: "[4611686018427387904]", offsets: "[0,16]") + "}",
             "tensor 'w' has shape [4611686018427387904], whose size overflows"),
            ("{" + C.entry("w", shape: "[4]", offsets: "[0,9223372036854775807]") + "}",
             "tensor 'w' has data_offsets [0, 9223372036854775807] outside the 16 data bytes"),
            ("{" + C.entry("w", shape: "[4]", offsets: "[9223372036854775807,16]") + "}",
             "tensor 'w' has data_offsets [9223372036854775807, 16] outside the 16 data bytes"),
            ("{" + C.entry("w", shape: "[4]", offsets: "[0,18446744073709551616]") + "}",
             "tensor 'w' has 'data_offsets' entry 18446744073709551616, not a whole number within ±2^63"),
            ("{" + C.entry("w", shape: "[4]", offsets: "[-8,8]") + "}", "tensor 'w' has data_offsets [-8, 8] outside the 16 data bytes"),
            ("{" + C.entry("w", shape: "[4]", offsets: "[16,0]") + "}", "tensor 'w' has data_offsets [16, 0] outside the 16 data bytes"),
            ("{" + C.entry("w", shape: "[4]", offsets: "[0,1000]") + "}", "tensor 'w' has data_offsets [0, 1000] outside the 16 data bytes"),
            ("{" + C.entry("w", shape: "[2]", offsets: "[0,16]") + "}",
             "tensor 'w' of shape [2] needs 8 bytes but its data_offsets [0, 16] hold 16"),
            ("{" + C.entry("w", shape: "[2.5]", offsets: "[0,16]") + "}", "tensor 'w' has 'shape' entry 2.5, not a whole number within ±2^63"),
            ("{" + C.entry("w", shape: "[4]", offsets: "[0,1.6e1]") + "}",
             "tensor 'w' has 'data_offsets' entry 1.6e1, not a whole number within ±2^63"),
            ("{" + C.entry("w", shape: "[true]", offsets: "[0,16]") + "}", "tensor 'w' has a 'shape' entry that is a boolean, not a number"),
            ("{" + C.entry("w", shape: "4", offsets: "[0,16]") + "}", "tensor 'w' has a 'shape' that is a number, not an array"),
            ("{" + C.entry("w", shape: "[4]", offsets: "[0,8,16]") + "}", "tensor 'w' has 3 data_offsets, not 2"),
            ("{" + C.entry("w", shape: "[4]", offsets: "[0,16]", dtype: "\"F16\"") + "}", "tensor 'w' is F16; cnnc reads F32"),
            ("{" + C.entry("w", shape: "[4]", offsets: "[0,16]", dtype: "7") + "}", "tensor 'w' has a 'dtype' that is a number, not a string"),
            ("{\"w\":{\"shape\":[4],\"data_offsets\":[0,16]}}", "tensor 'w' has no 'dtype'"),
            ("{\"w\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[0,16],\"extra\":1}}",
             "tensor 'w' has an unknown key 'extra' (a tensor has dtype, shape and data_offsets)"),
            ("{\"w\":{\"dtype\":\"F32\",\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[0,16]}}", "the header names 'dtype' twice"),
            ("{" + C.entry("w", shape: "[2]", offsets: "[0,8]") + "," + C.entry("w", shape: "[2]", offsets: "[8,16]") + "}",
             "the header names 'w' twice"),
            ("{\"w\":[1,2]}", "tensor 'w' is an array, not an object"),
            ("{\"__metadata__\":5," + C.entry("w", shape: "[4]", offsets: "[0,16]") + "}", "'__metadata__' is not an object of strings"),
            ("{\"__metadata__\":{\"epoch\":3}," + C.entry("w", shape: "[4]", offsets: "[0,16]") + "}",
             "'__metadata__' entry 'epoch' is a number, not a string"),
            ("{\"__metadata__\":{\"a\":\"1\",\"a\":\"2\"}," + C.entry("w", shape: "[4]", offsets: "[0,16]") + "}", "the header names 'a' twice"),
            // Ranges must tile the data area: no overlap, gap or trailing bytes.
            ("{" + C.entry("a", shape: "[2]", offsets: "[0,8]") + "," + C.entry("b", shape: "[2]", offsets: "[4,12]") + "}",
             "tensor 'b' overlaps another tensor's data"),
            ("{" + C.entry("a", shape: "[2]", offsets: "[0,8]") + "," + C.entry("b", shape: "[1]", offsets: "[12,16]") + "}",
             "no tensor holds data bytes 8..<12"),
            ("{" + C.entry("a", shape: "[2]", offsets: "[0,8]") + "}", "8 bytes follow the last tensor's data"),
            // Broken JSON.
            ("{\"w\":", "the header is not valid JSON: unexpected end at byte 5"),
            ("{\"w\":{}} x", "the header is not valid JSON: text after the JSON object at byte 9"),
            ("{\"w\u{01}\":1}", "the header is not valid JSON: a control character in a string at byte 4"),
            ("{\"w\\q\":1}", "the header is not valid JSON: an unknown escape at byte 5"),
            ("{\"w\\ud800\":1}", "the header is not valid JSON: expected '\\u' at byte 9"),
            ("{\"w\":-}", "the header is not valid JSON: a number without digits at byte 6"),
            (String(repeating: "[", count: 100_000), "the header is not valid JSON: nesting deeper than 8 at byte 8"),
            ("{\"w\":" + String(repeating: "{\"a\":", count: 50_000), "the header is not valid JSON: nesting deeper than 8 at byte 40"),
        ]
    }()

    @Test(arguments: hostileHeaders)
    func hostileHeadersAreCorrupt(header: String, expected: String) {
        #expect(reason(CraftedSafetensors.file(header: header, data: [UInt8](repeating: 0, count: 16))) == expected)
    }

    @Test func invalidUTF8InANameIsCorrupt() {
        var bytes = [UInt8]("{\"w".utf8) + [0xFF, 0xFE] + [UInt8]("\":{}}".utf8)
        let length = UInt64(bytes.count)
        bytes = (0..<8).map { UInt8(length >> (8 * UInt64($0)) & 255) } + bytes
        #expect(reason(Data(bytes)) == "the header is not valid JSON: a string that is not UTF-8 at byte 6")
    }

    @Test func checkpointErrorsNameTheFileAndAFix() throws {
        let directory = CraftedSafetensors.temporaryDirectory("st")
        let file = directory + "/bad.safetensors"
        try CraftedSafetensors.file(header: "{" + CraftedSafetensors.entry("w", shape: "[-1]", offsets: "[0,4]") + "}", data: [0, 0, 0, 0])
            .write(to: URL(fileURLWithPath: file))
        do {
            _ = try Checkpoint.read(file)
            Issue.record("accepted")
        } catch {
            #expect(error.message == "\(file): not a valid safetensors file: tensor 'w' has a negative dimension -1 in shape [-1]")
            #expect(error.hint != nil)
        }
    }
}
