import CNNIR
import CNNTestSupport
import Foundation
import Testing
@testable import CNNData

struct NumPyFormatTests {
    let files = CraftedFiles()

    @Test func aKerasArchiveIsDetectedAndNamesComeFromClassNamesTxt() throws {
        let train = NumPyLayoutTests.arrays([0, 2, 1], channels: 3), test = NumPyLayoutTests.arrays([2], channels: 3)
        try files.write("cifar.npz", CraftedFiles.zipStored([("x_train.npy", train.x), ("y_train.npy", train.y),
                                                             ("x_test.npy", test.x), ("y_test.npy", test.y)]))
        try files.write("class_names.txt", Array("cat\ndog\nbird\n".utf8))
        let source = try DataSources.load(directory: files.directory)
        #expect(source.format == .numpy && source.classNames == ["cat", "dog", "bird"] && source.warnings.isEmpty)
        #expect(source.train.shape == Shape(channels: 3, height: 2, width: 2) && source.train.labels == [0, 2, 1])
        // Pixels stay channels last: image 1, pixel 0 holds 10, 11, 12 for its three channels.
        #expect(Array(source.train.bytes[12..<15]) == [10, 11, 12])
        try files.write("class_names.txt", Array("cat\ndog\n".utf8))
        let short = try DataSources.load(directory: files.directory, format: .numpy)
        #expect(short.classNames == nil && short.warnings.count == 1)
    }

    @Test func splitsOfDifferentImageSizesAreRefused() throws {
        let train = NumPyLayoutTests.arrays([0]), test = NumPyLayoutTests.arrays([0], height: 3)
        for (name, bytes) in [("x_train", train.x), ("y_train", train.y), ("x_test", test.x), ("y_test", test.y)] {
            try files.write(name + ".npy", bytes)
        }
        #expect(throws: DataError.badArray(path: files.directory + "/y_test.npy", reason: "test images of 3×2×1, training images of 2×2×1")) {
            try DataSources.load(directory: files.directory)
        }
    }

    @Test func idxFoldersNamedAfterTheStandardSetsGetTheirNames() throws {
        let files = CraftedFiles()
        try files.idxSet(images: 2, labels: 2)
        let parent = Scratch.path("names")
        try FileManager.default.createDirectory(atPath: parent, withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(atPath: parent + "/fashion-mnist", withDestinationPath: files.directory)
        #expect(try DataSources.load(directory: parent + "/fashion-mnist").classNames?[0] == "T-shirt/top")
        #expect(try DataSources.load(directory: files.directory).classNames == nil)
    }
}
