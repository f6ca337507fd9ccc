import CNNData
import Testing

struct ClassNamesTests {
    @Test func knownSetsAreRecognisedByTheirFolder() {
        #expect(ClassNames.standard(forDirectory: "/usr/share/datasets/fashion-mnist")?[9] == "Ankle boot")
        #expect(ClassNames.standard(forDirectory: "data/Fashion_MNIST/")?[0] == "T-shirt/top")
        // torchvision's layout: root/FashionMNIST/raw.
        #expect(ClassNames.standard(forDirectory: "/data/FashionMNIST/raw") == ClassNames.fashionMNIST)
        #expect(ClassNames.standard(forDirectory: "./data/mnist") == ["0", "1", "2", "3", "4", "5", "6", "7", "8", "9"])
        #expect(ClassNames.standard(forDirectory: "/tmp/my-digits") == nil)
        #expect(ClassNames.standard(forDirectory: "/mnist/kmnist/train") == nil)
        #expect(ClassNames.fashionMNIST.count == 10)
    }

    @Test func metadataRoundTripsAsAJSONArray() {
        let names = ["T-shirt/top", "say \"hi\"", "naïve", ""]
        let text = ClassNames.encode(names)
        #expect(text == #"["T-shirt/top","say \"hi\"","naïve",""]"#)
        #expect(ClassNames.decode(metadata: [ClassNames.metadataKey: text]) == names)
        #expect(ClassNames.decode(metadata: [:]) == nil)
        #expect(ClassNames.decode(metadata: [ClassNames.metadataKey: "[1, 2]"]) == nil)
        #expect(ClassNames.decode(metadata: [ClassNames.metadataKey: "not json"]) == nil)
    }
}
