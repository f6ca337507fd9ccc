import CNNIR
import Foundation
import Testing
@testable import CNNData

struct DataSourcesTests {
    @Test func aFolderIsReadByTheFormatThatRecognizesIt() throws {
        let files = CraftedFiles()
        try files.idxSet(images: 4, labels: 4)
        #expect(IDXFormat.recognizes(directory: files.directory))
        let source = try DataSources.load(directory: files.directory)
        #expect(source.format == .idx && source.directory == files.directory)
        #expect(source.train.count == 4 && source.test.count == 4)
        let named = try DataSources.load(directory: files.directory, format: .idx)
        #expect(named.train.labels == source.train.labels)
    }

    @Test func aFolderNoReaderRecognizesNamesTheFormats() throws {
        let empty = CraftedFiles()
        #expect(throws: DataError.unknownFormat(directory: empty.directory, formats: DataFormat.allCases.map(\.rawValue))) {
            try DataSources.load(directory: empty.directory)
        }
        // Naming the format says what is missing instead.
        #expect(throws: DataError.missingFile(path: empty.directory + "/train-images-idx3-ubyte[.gz]")) {
            try DataSources.load(directory: empty.directory, format: .idx)
        }
    }

    @Test func theFingerprintSeesEveryPixelLabelAndSize() {
        func source(_ bytes: [UInt8], _ labels: [Int32], width: Int = 2) -> DataSource {
            let set = ImageSet(channels: 1, height: 1, width: width, bytes: bytes, labels: labels, source: "s")
            return DataSource(format: .idx, directory: "d", train: set, test: set)
        }
        let base = source([1, 2, 3, 4], [0, 1])
        #expect(base.fingerprint == source([1, 2, 3, 4], [0, 1]).fingerprint)
        #expect(base.fingerprint != source([1, 2, 3, 5], [0, 1]).fingerprint)
        #expect(base.fingerprint != source([1, 2, 3, 4], [1, 1]).fingerprint)
        #expect(base.fingerprint != source([1, 2, 3, 4], [0, 1, 0, 1], width: 1).fingerprint)
    }

    @Test func imageSetsMoveBetweenChannelsFirstAndLast() {
        // Two 1×2 images of 3 channels, stored channels first: image n, channel c, pixel p = 100n + 10c + p.
        let first: [UInt8] = [0, 1, 10, 11, 20, 21, 100, 101, 110, 111, 120, 121]
        let set = ImageSet(channelsFirst: first, channels: 3, height: 1, width: 2, labels: [0, 1], source: "s")
        #expect(set.bytes == [0, 10, 20, 1, 11, 21, 100, 110, 120, 101, 111, 121])
        let dataset = set.dataset()
        #expect(dataset.pixels == first.map { Float($0) * (Float(1) / 255) })
        #expect(dataset.channels == 3 && dataset.height == 1 && dataset.width == 2 && dataset.labels == [0, 1])
    }
}
