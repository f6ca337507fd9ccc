import CNNData
import Testing

/// .npy files made here byte by byte, as numpy.save writes them, and broken in the ways a header can be.
struct NumPyArrayTests {
    let files = CraftedFiles()

    @Test(arguments: [UInt8(1), 2, 3])
    func imagesAndTheirShapeInEachVersion(version: UInt8) throws {
        let bytes = CraftedFiles.npy(descr: "|u1", shape: [2, 2, 3], body: Array(0..<12), version: version)
        let array = try NumPyArray.decode(bytes, path: "x.npy", maxBytes: 1 << 20)
        #expect(array.shape == [2, 2, 3] && array.dtype == .uint8 && array.bytes == Array(0..<12))
        let images = try array.images(path: "x.npy")
        #expect(images.count == 2 && images.height == 2 && images.width == 3 && images.channels == 1)
        // The header is padded so that the values start at a multiple of 64 bytes, as numpy writes it.
        #expect(try NumPyArray.header(bytes, path: "x.npy", maxBytes: 100).dataOffset % 64 == 0)
    }

    @Test func channelsComeLast() throws {
        let array = try NumPyArray.decode(CraftedFiles.npy(descr: "|u1", shape: [1, 2, 2, 3], body: Array(0..<12)), path: "x.npy", maxBytes: 100)
        let images = try array.images(path: "x.npy")
        #expect(images.channels == 3 && images.height == 2 && images.width == 2)
        // PyTorch's layout N×C×H×W: the last axis (32) cannot be channels.
        let first = try NumPyArray.decode(CraftedFiles.npy(descr: "|u1", shape: [1, 3, 32, 32], body: [UInt8](repeating: 0, count: 3072)),
                                          path: "f.npy", maxBytes: 4096)
        #expect(throws: DataError.badArray(path: "f.npy", reason: "images of shape (1, 3, 32, 32) have 32 channels in the last axis; "
                                           + "channels come last (1 to 4): a channels-first array needs x.transpose(0, 2, 3, 1)")) {
            try first.images(path: "f.npy")
        }
    }

    /// Every integer dtype numpy writes for labels, little- and big-endian, signed and unsigned; (N,) and (N, 1).
    @Test func labelsOfEachIntegerType() throws {
        let cases: [(String, [UInt8], [Int32])] = [
            ("|u1", [0, 9, 255], [0, 9, 255]),
            ("|i1", [0, 9, 127], [0, 9, 127]),
            ("<i8", [5, 0, 0, 0, 0, 0, 0, 0, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0], [5, 257, 0]),
            (">u2", [0, 7, 1, 0, 0, 0], [7, 256, 0]),
            ("<i4", [3, 0, 0, 0, 255, 255, 255, 127, 0, 0, 0, 0], [3, Int32.max, 0]),
            ("<u8", [1, 0, 0, 0, 0, 0, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0, 4, 0, 0, 0, 0, 0, 0, 0], [1, 2, 4]),
        ]
        for (descr, body, expected) in cases {
            for shape in [[3], [3, 1]] {
                let array = try NumPyArray.decode(CraftedFiles.npy(descr: descr, shape: shape, body: body), path: "y.npy", maxBytes: 100)
                #expect(try array.labels(path: "y.npy") == expected, "\(descr) \(shape)")
            }
        }
    }

    @Test func labelsThatAreNotClassIndicesAreRefused() throws {
        let negative = try NumPyArray.decode(CraftedFiles.npy(descr: "<i2", shape: [2], body: [1, 0, 0xFF, 0xFF]), path: "y.npy", maxBytes: 100)
        #expect(throws: DataError.badArray(path: "y.npy", reason: "label -1 of image 1 is not a class index (0 or more)")) {
            try negative.labels(path: "y.npy")
        }
        let huge = try NumPyArray.decode(CraftedFiles.npy(descr: "<u8", shape: [1], body: [0, 0, 0, 0, 0, 0, 0, 0x80]), path: "y.npy", maxBytes: 100)
        #expect(throws: DataError.badArray(path: "y.npy", reason: "label 9223372036854775808 of image 0 is not a class index (0 or more)")) {
            try huge.labels(path: "y.npy")
        }
        let matrix = try NumPyArray.decode(CraftedFiles.npy(descr: "|u1", shape: [2, 2], body: [0, 1, 2, 3]), path: "y.npy", maxBytes: 100)
        #expect(throws: DataError.badArray(path: "y.npy", reason: "labels of shape (2, 2); expected one integer per image, (N,)")) {
            try matrix.labels(path: "y.npy")
        }
    }

    @Test func otherDtypesAndOrdersAreRefused() throws {
        let float = try NumPyArray.decode(CraftedFiles.npy(descr: "<i2", shape: [1, 1, 1], body: [0, 0]), path: "x.npy", maxBytes: 100)
        #expect(throws: DataError.badArray(path: "x.npy", reason: "images must be uint8 ('|u1'), not '<i2'; convert with x.astype(numpy.uint8) (0–255)")) {
            try float.images(path: "x.npy")
        }
        let cases: [(String, String)] = [
            ("{'descr': '<f4', 'fortran_order': False, 'shape': (1,), }",
             "dtype '<f4' is not an integer type: images must be uint8 (x.astype(numpy.uint8), values 0–255) and labels integers"),
            ("{'descr': '|O', 'fortran_order': False, 'shape': (1,), }",
             "dtype '|O' is not an integer type: images must be uint8 (x.astype(numpy.uint8), values 0–255) and labels integers"),
            ("{'descr': [('a', '<i4')], 'fortran_order': False, 'shape': (1,), }",
             "header is not a NumPy dict literal (unexpected value at character 10)"),
            ("{'descr': '|u1', 'fortran_order': True, 'shape': (1, 1, 1), }",
             "Fortran-ordered array; save numpy.ascontiguousarray(x) instead"),
            ("{'descr': '|u1', 'shape': (1,), }", "header has no 'fortran_order'"),
            ("{'descr': '|u1', 'fortran_order': False, 'shape': (-1,), }",
             "header is not a NumPy dict literal (expected a size from 0 to 2^40 at character 51)"),
            ("not a dict", "header is not a NumPy dict literal (expected '{' at character 0)"),
        ]
        for (header, reason) in cases {
            #expect(throws: DataError.badArray(path: "h.npy", reason: reason), "\(header)") {
                try NumPyArray.decode(CraftedFiles.npy(header, body: [0, 0, 0, 0]), path: "h.npy", maxBytes: 100)
            }
        }
    }

    // MARK: - Hostile headers: refused before anything is allocated for the values

    @Test func hugeShapesAreRefusedFromTheHeader() throws {
        let overflow = CraftedFiles.npy(descr: "<i8", shape: [1 << 40, 1 << 40], body: [1])
        #expect(throws: DataError.badArray(path: "o.npy", reason: "the shape (1099511627776, 1099511627776) overflows")) {
            try NumPyArray.decode(overflow, path: "o.npy", maxBytes: .max)
        }
        let tooBig = CraftedFiles.npy(descr: "|u1", shape: [1 << 20, 1 << 20], body: [1])
        #expect(throws: DataError.tooLarge(path: "b.npy", bytes: 1 << 40, limit: 1 << 32)) {
            try NumPyArray.decode(tooBig, path: "b.npy", maxBytes: 1 << 32)
        }
        let digits = CraftedFiles.npy("{'descr': '|u1', 'fortran_order': False, 'shape': (99999999999999999999999,), }")
        #expect(throws: DataError.badArray(path: "d.npy", reason: "header is not a NumPy dict literal (expected a size from 0 to 2^40 at character 74)")) {
            try NumPyArray.decode(digits, path: "d.npy", maxBytes: .max)
        }
        // A header length of 4 GiB in version 2.
        let long = [0x93] + Array("NUMPY".utf8) + [2, 0, 0xFF, 0xFF, 0xFF, 0xFF]
        #expect(throws: DataError.badArray(path: "l.npy", reason: "header of 4294967295 bytes, more than the 65536 cnnc reads")) {
            try NumPyArray.decode(long, path: "l.npy", maxBytes: .max)
        }
    }

    @Test func theValuesMustFillTheFileExactly() throws {
        let path = try files.write("x.npy", CraftedFiles.npy(descr: "|u1", shape: [1000, 1000, 1000], body: [1, 2, 3]))
        #expect(throws: DataError.truncated(path: path, expectedBytes: 1_000_000_000, foundBytes: 3)) {
            try NumPyArray.read(path: path, maxBytes: 1 << 32)
        }
        let extra = try files.write("e.npy", CraftedFiles.npy(descr: "|u1", shape: [1, 1, 1], body: [1, 2]))
        #expect(throws: DataError.trailingData(path: extra, expectedBytes: 1)) { try NumPyArray.read(path: extra, maxBytes: 100) }
        let text = try files.write("t.npy", Array("x,y\n1,2\n".utf8))
        #expect(throws: DataError.badArray(path: text, reason: "not a NumPy .npy array (no \\x93NUMPY magic)")) {
            try NumPyArray.read(path: text, maxBytes: 100)
        }
        let version = try files.write("v.npy", [0x93] + Array("NUMPY".utf8) + [4, 0, 0, 0, 0, 0])
        #expect(throws: DataError.badArray(path: version, reason: "NumPy format version 4.0 is not 1, 2 or 3")) {
            try NumPyArray.read(path: version, maxBytes: 100)
        }
    }
}
