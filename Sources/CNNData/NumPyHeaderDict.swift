/// The Python literal of a .npy header: a dict of string keys to strings, booleans and tuples of integers.
enum NumPyHeaderDict {
    enum Value: Equatable { case string(String), bool(Bool), tuple([Int]) }

    static func parse(_ text: String, path: String) throws(DataError) -> [String: Value] {
        var scanner = Scanner(characters: Array(text), path: path)
        var result: [String: Value] = [:]
        try scanner.expect("{")
        while true {
            scanner.skipSpace()
            if scanner.take("}") { break }
            let key = try scanner.string()
            try scanner.expect(":")
            result[key] = try scanner.value()
            scanner.skipSpace()
            if scanner.take("}") { break }
            try scanner.expect(",")
        }
        return result
    }

    struct Scanner {
        var characters: [Character], position = 0
        let path: String

        init(characters: [Character], path: String) {
            self.characters = characters
            self.path = path
        }

        func failure(_ what: String) -> DataError {
            .badArray(path: path, reason: "header is not a NumPy dict literal (\(what) at character \(position))")
        }

        mutating func skipSpace() {
            while position < characters.count, characters[position].isWhitespace { position += 1 }
        }

        mutating func take(_ c: Character) -> Bool {
            skipSpace()
            guard position < characters.count, characters[position] == c else { return false }
            position += 1
            return true
        }

        mutating func expect(_ c: Character) throws(DataError) {
            guard take(c) else { throw failure("expected '\(c)'") }
        }

        mutating func string() throws(DataError) -> String {
            skipSpace()
            guard position < characters.count, characters[position] == "'" || characters[position] == "\"" else {
                throw failure("expected a string")
            }
            let quote = characters[position]
            position += 1
            let start = position
            while position < characters.count, characters[position] != quote { position += 1 }
            guard position < characters.count else { throw failure("unterminated string") }
            position += 1
            return String(characters[start..<(position - 1)])
        }

        mutating func value() throws(DataError) -> Value {
            skipSpace()
            guard position < characters.count else { throw failure("expected a value") }
            switch characters[position] {
            case "'", "\"": return .string(try string())
            case "(": return .tuple(try tuple())
            default:
                for (word, value) in [("True", true), ("False", false)] where characters[position...].starts(with: word) {
                    position += word.count
                    return .bool(value)
                }
                throw failure("unexpected value")
            }
        }

        /// `()`, `(5,)`, `(60000, 28, 28)`; Python 2's `28L` is read too. Each size at most 2^40.
        mutating func tuple() throws(DataError) -> [Int] {
            try expect("(")
            var sizes: [Int] = []
            while true {
                if take(")") { return sizes }
                skipSpace()
                let start = position
                while position < characters.count, characters[position].isASCII, characters[position].isNumber { position += 1 }
                guard position > start, position - start <= 13, let size = Int(String(characters[start..<position])),
                      size <= CheckedSize.maximumElements else {
                    throw failure("expected a size from 0 to 2^40")
                }
                sizes.append(size)
                _ = take("L")
                if take(")") { return sizes }
                try expect(",")
            }
        }
    }
}

import CNNIR
