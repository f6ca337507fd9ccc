import CNNData
import Foundation
import Testing

/// Whole data sets: every set has images, as many labels as images, and labels the network can output.
struct DatasetTests {
    @Test func emptyTrainingOrTestSetIsRefused() throws {
        let noTraining = CraftedFiles()
        try noTraining.idxSet(images: 0, labels: 0, testImages: 3, testLabels: 3)
        #expect(throws: DataError.empty(path: noTraining.directory + "/train-images-idx3-ubyte")) {
            try IDXFormat.read(directory: noTraining.directory, options: DataOptions())
        }
        let noTest = CraftedFiles()
        try noTest.idxSet(images: 3, labels: 3, testImages: 0, testLabels: 0)
        #expect(throws: DataError.empty(path: noTest.directory + "/t10k-images-idx3-ubyte")) {
            try IDXFormat.read(directory: noTest.directory, options: DataOptions())
        }
    }

    @Test func imageAndLabelCountsMustAgree() throws {
        let files = CraftedFiles()
        try files.idxSet(images: 3, labels: 3, testImages: 3, testLabels: 0)
        #expect(throws: DataError.countMismatch(images: files.directory + "/t10k-images-idx3-ubyte", imageCount: 3,
                                                labels: files.directory + "/t10k-labels-idx1-ubyte", labelCount: 0)) {
            try IDXFormat.read(directory: files.directory, options: DataOptions())
        }
    }

    @Test func labelsBeyondTheNetworksOutputsNameTheFile() throws {
        let files = CraftedFiles()
        try files.idxSet(images: 5, labels: 5, labelOverride: 10)
        let set = try IDXFormat.read(directory: files.directory, options: DataOptions())
        #expect(throws: DataError.labelOutOfRange(path: files.directory + "/t10k-labels-idx1-ubyte", label: 10, classes: 10)) {
            try set.checkLabels(classes: 10)
        }
        #expect(throws: DataError.labelOutOfRange(path: files.directory + "/t10k-labels-idx1-ubyte", label: 10, classes: 10)) {
            try set.checkLabels(classes: 10, includingTrain: false)
        }
        try set.checkLabels(classes: 11)
        // Training labels are 0...4: a 5-output network fits the training set but not the test set.
        #expect(throws: DataError.self) { try set.checkLabels(classes: 5) }
        #expect(throws: DataError.labelOutOfRange(path: files.directory + "/train-labels-idx1-ubyte", label: 4, classes: 4)) {
            try set.checkLabels(classes: 4)
        }
    }
}
