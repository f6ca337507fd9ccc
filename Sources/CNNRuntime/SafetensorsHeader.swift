/// The JSON header of a safetensors file, parsed strictly by hand: every tensor entry has exactly
/// `dtype` (a string), `shape` (whole numbers ≥ 0) and `data_offsets` (two whole numbers in `Int`),
/// `__metadata__` maps strings to strings, and no key appears twice. A number that is not a whole
/// number in range, a duplicate key, or nesting deeper than the format's three levels is an error,
/// where a general JSON reader would round, keep the last duplicate or recurse without bound.
struct SafetensorsHeader {
    struct Entry {
        var name: String
        var dtype: String
        var shape: [Int]
        /// Byte range in the data area (the bytes after the header), `begin..<end`.
        var begin: Int, end: Int
    }

    /// Why a header was refused; the caller wraps it in `CheckpointError.corrupt` with the path.
    struct Failure: Error {
        var reason: String
    }

    var entries: [Entry] = []
    var metadata: [String: String] = [:]

    init(_ bytes: UnsafeRawBufferPointer) throws(Failure) {
        var parser = Parser(bytes: bytes)
        let root = try parser.document()
        guard case .object(let members) = root else { throw Failure(reason: "the header is not a JSON object") }
        for (name, value) in members {
            if name == "__metadata__" {
                guard case .object(let pairs) = value else { throw Failure(reason: "'__metadata__' is not an object of strings") }
                for (key, item) in pairs {
                    guard case .string(let text) = item else {
                        throw Failure(reason: "'__metadata__' entry '\(key)' is \(item.kind), not a string")
                    }
                    metadata[key] = text
                }
                continue
            }
            entries.append(try Self.entry(name, value))
        }
    }

    private static func entry(_ name: String, _ value: Value) throws(Failure) -> Entry {
        func fail(_ what: String) -> Failure { Failure(reason: "tensor '\(name)' \(what)") }
        guard case .object(let members) = value else { throw fail("is \(value.kind), not an object") }
        var dtype: String?, shape: [Int]?, offsets: [Int]?
        func integers(_ key: String, _ value: Value) throws(Failure) -> [Int] {
            guard case .array(let items) = value else { throw fail("has a '\(key)' that is \(value.kind), not an array") }
            var result: [Int] = []
            for item in items {
                switch item {
                case .integer(let n): result.append(n)
                case .number(let text): throw fail("has '\(key)' entry \(text), not a whole number within ±2^63")
                default: throw fail("has a '\(key)' entry that is \(item.kind), not a number")
                }
            }
            return result
        }
        for (key, item) in members {
            switch key {
            case "dtype":
                guard case .string(let text) = item else { throw fail("has a 'dtype' that is \(item.kind), not a string") }
                dtype = text
            case "shape": shape = try integers(key, item)
            case "data_offsets": offsets = try integers(key, item)
            default: throw fail("has an unknown key '\(key)' (a tensor has dtype, shape and data_offsets)")
            }
        }
        guard let dtype else { throw fail("has no 'dtype'") }
        guard let shape else { throw fail("has no 'shape'") }
        guard let offsets else { throw fail("has no 'data_offsets'") }
        guard offsets.count == 2 else { throw fail("has \(offsets.count) data_offsets, not 2") }
        if let negative = shape.first(where: { $0 < 0 }) { throw fail("has a negative dimension \(negative) in shape \(shape)") }
        return Entry(name: name, dtype: dtype, shape: shape, begin: offsets[0], end: offsets[1])
    }

    // MARK: - JSON

    indirect enum Value {
        case object([(String, Value)])
        case array([Value])
        case string(String)
        /// A whole number that fits `Int`.
        case integer(Int)
        /// Any other number, as written (fractions, exponents, integers beyond `Int`).
        case number(String)
        case bool(Bool)
        case null

        var kind: String {
            switch self {
            case .object: return "an object"
            case .array: return "an array"
            case .string: return "a string"
            case .integer, .number: return "a number"
            case .bool: return "a boolean"
            case .null: return "null"
            }
        }
    }

    /// RFC 8259 JSON over bytes, nesting at most `maximumDepth` deep.
    struct Parser {
        let bytes: UnsafeRawBufferPointer
        var index = 0
        static let maximumDepth = 8

        init(bytes: UnsafeRawBufferPointer) { self.bytes = bytes }

        mutating func document() throws(Failure) -> Value {
            let value = try self.value(depth: 0)
            skipWhitespace()
            guard index == bytes.count else { throw error("text after the JSON object") }
            return value
        }

        func error(_ what: String) -> Failure { Failure(reason: "the header is not valid JSON: \(what) at byte \(index)") }

        var current: UInt8? { index < bytes.count ? bytes[index] : nil }

        mutating func skipWhitespace() {
            while let c = current, c == 0x20 || c == 0x09 || c == 0x0A || c == 0x0D { index += 1 }
        }

        mutating func expect(_ c: UInt8) throws(Failure) {
            skipWhitespace()
            guard current == c else { throw error("expected '\(UnicodeScalar(c))'") }
            index += 1
        }

        mutating func value(depth: Int) throws(Failure) -> Value {
            guard depth < Self.maximumDepth else { throw error("nesting deeper than \(Self.maximumDepth)") }
            skipWhitespace()
            guard let c = current else { throw error("unexpected end") }
            switch c {
            case UInt8(ascii: "{"):
                index += 1
                var members: [(String, Value)] = []
                var seen: Set<String> = []
                skipWhitespace()
                if current == UInt8(ascii: "}") { index += 1; return .object(members) }
                while true {
                    skipWhitespace()
                    guard current == UInt8(ascii: "\"") else { throw error("expected a key") }
                    let key = try string()
                    guard seen.insert(key).inserted else {
                        throw Failure(reason: "the header names '\(key)' twice")
                    }
                    try expect(UInt8(ascii: ":"))
                    members.append((key, try value(depth: depth + 1)))
                    skipWhitespace()
                    if current == UInt8(ascii: ",") { index += 1; continue }
                    try expect(UInt8(ascii: "}"))
                    return .object(members)
                }
            case UInt8(ascii: "["):
                index += 1
                var items: [Value] = []
                skipWhitespace()
                if current == UInt8(ascii: "]") { index += 1; return .array(items) }
                while true {
                    items.append(try value(depth: depth + 1))
                    skipWhitespace()
                    if current == UInt8(ascii: ",") { index += 1; continue }
                    try expect(UInt8(ascii: "]"))
                    return .array(items)
                }
            case UInt8(ascii: "\""): return .string(try string())
            case UInt8(ascii: "t"): try literal("true"); return .bool(true)
            case UInt8(ascii: "f"): try literal("false"); return .bool(false)
            case UInt8(ascii: "n"): try literal("null"); return .null
            case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return try number()
            default: throw error("unexpected '\(UnicodeScalar(c))'")
            }
        }

        mutating func literal(_ word: String) throws(Failure) {
            for c in word.utf8 {
                guard current == c else { throw error("expected '\(word)'") }
                index += 1
            }
        }

        mutating func number() throws(Failure) -> Value {
            let start = index
            if current == UInt8(ascii: "-") { index += 1 }
            func digits() -> Int {
                let first = index
                while let c = current, c >= UInt8(ascii: "0") && c <= UInt8(ascii: "9") { index += 1 }
                return index - first
            }
            guard digits() > 0 else { throw error("a number without digits") }
            var whole = true
            if current == UInt8(ascii: ".") {
                index += 1
                whole = false
                guard digits() > 0 else { throw error("a number without digits after '.'") }
            }
            if current == UInt8(ascii: "e") || current == UInt8(ascii: "E") {
                index += 1
                whole = false
                if current == UInt8(ascii: "+") || current == UInt8(ascii: "-") { index += 1 }
                guard digits() > 0 else { throw error("a number without exponent digits") }
            }
            let text = String(decoding: UnsafeRawBufferPointer(rebasing: bytes[start..<index]), as: UTF8.self)
            if whole, let value = Int(text) { return .integer(value) }
            return .number(text)
        }

        mutating func string() throws(Failure) -> String {
            index += 1 // the opening quote
            var scalars = String.UnicodeScalarView()
            var run: [UInt8] = []
            func flush() throws(Failure) {
                guard !run.isEmpty else { return }
                guard let text = String(validating: run, as: UTF8.self) else { throw error("a string that is not UTF-8") }
                scalars.append(contentsOf: text.unicodeScalars)
                run.removeAll(keepingCapacity: true)
            }
            while true {
                guard let c = current else { throw error("an unterminated string") }
                index += 1
                switch c {
                case UInt8(ascii: "\""):
                    try flush()
                    return String(scalars)
                case UInt8(ascii: "\\"):
                    try flush()
                    guard let e = current else { throw error("an unterminated string") }
                    index += 1
                    switch e {
                    case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): run.append(e)
                    case UInt8(ascii: "b"): run.append(0x08)
                    case UInt8(ascii: "f"): run.append(0x0C)
                    case UInt8(ascii: "n"): run.append(0x0A)
                    case UInt8(ascii: "r"): run.append(0x0D)
                    case UInt8(ascii: "t"): run.append(0x09)
                    case UInt8(ascii: "u"):
                        var code = try hex4()
                        if code >= 0xD800 && code < 0xDC00 {
                            try literal("\\u")
                            let low = try hex4()
                            guard low >= 0xDC00 && low < 0xE000 else { throw error("an unpaired surrogate") }
                            code = 0x10000 + (code - 0xD800) << 10 + (low - 0xDC00)
                        }
                        guard let scalar = UnicodeScalar(code) else { throw error("an unpaired surrogate") }
                        scalars.append(scalar)
                    default: throw error("an unknown escape")
                    }
                case 0..<0x20: throw error("a control character in a string")
                default: run.append(c)
                }
            }
        }

        mutating func hex4() throws(Failure) -> UInt32 {
            var code: UInt32 = 0
            for _ in 0..<4 {
                guard let c = current, let digit = UInt32(String(UnicodeScalar(c)), radix: 16) else { throw error("a bad \\u escape") }
                code = code << 4 | digit
                index += 1
            }
            return code
        }
    }
}
