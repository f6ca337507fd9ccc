import CNNIR
import Testing
@testable import CNNSpec

/// `train.normalize` and the augmentations of `train.augment`: read into the config, and checked
/// against the network's input with the error at the offending value.
struct PreprocessingParserTests {
    static let head = "input: [3, 32, 32]\nlayers: [relu]\n"

    func training(_ train: String, head: String = PreprocessingParserTests.head) throws -> TrainingConfig {
        try #require(try SpecParser.parse(head + "train:\n" + train, file: "p.yaml")[0].training)
    }

    func error(_ train: String, head: String = PreprocessingParserTests.head) -> SpecError? {
        do { _ = try SpecParser.parse(head + "train:\n" + train, file: "p.yaml"); return nil } catch { return error }
    }

    @Test func normalizeAutoAndValues() throws {
        #expect(try training("  normalize: auto\n").normalize == .auto)
        let fixed = try training("  normalize: {mean: [0.4914, 0.4822, 0.4465], std: [0.247, 0.2435, 0.2616]}\n").normalize
        #expect(fixed == .fixed(Normalization(mean: [0.4914, 0.4822, 0.4465], std: [0.247, 0.2435, 0.2616])))
        #expect(try training("  epochs: 1\n").normalize == nil)
    }

    @Test func oneMeanAndStdPerInputChannel() throws {
        let e = try #require(error("  normalize: {mean: [0.5], std: [0.2, 0.2, 0.2]}\n"))
        guard case .typeMismatch(let what, let expected, let found, let at) = e else { Issue.record("got \(e)"); return }
        #expect(what == "'mean'" && found == "1 item" && expected.contains("3 numbers") && expected.contains("3x32x32"))
        #expect(at == SourceLocation(file: "p.yaml", line: 4, column: 21))
        let std = try #require(error("  normalize: {mean: [0.5, 0.5, 0.5], std: [0.2, 0, 0.2]}\n"))
        guard case .invalidValue(let name, "0", "positive", let stdAt) = std else { Issue.record("got \(std)"); return }
        #expect(name == "'std'" && stdAt.line == 4 && stdAt.column == 49)
        #expect(error("  normalize: mean\n")?.message.contains("auto or {mean") == true)
        #expect(error("  normalize: {mean: [0.5, 0.5, 0.5]}\n")?.message.contains("std") == true)
    }

    @Test func everyAugmentation() throws {
        let a = try training("  augment: {crop: {pad: 4, fill: reflect}, hflip: 0.5, jitter: {brightness: 0.2, contrast: 0.1}, shift: 1}\n").augment
        #expect(a == Augmentation(shift: 1, crop: RandomCrop(pad: 4, fill: .reflect), hflip: 0.5, brightness: 0.2, contrast: 0.1))
        #expect(a.isEnabled)
        // The crop's size may be written, as torchvision's RandomCrop(32, padding=4) has it; fill defaults to zero.
        #expect(try training("  augment: {crop: {size: 32, pad: 4}}\n").augment.crop == RandomCrop(pad: 4, fill: .zero))
        #expect(try training("  augment: {crop: {size: [32, 32], pad: 4}}\n").augment.crop == RandomCrop(pad: 4))
        #expect(!(try training("  augment: {crop: {pad: 0}, hflip: 0}\n").augment.isEnabled))
    }

    @Test func eraseReadsTorchvisionsParameters() throws {
        let e = try training("  augment: {erase: {p: 0.25, scale: [0.1, 0.2], ratio: [0.5, 2], fill: random}}\n").augment
        #expect(e.erase == RandomErasing(probability: 0.25, scale: 0.1...0.2, ratio: 0.5...2, fill: .random))
        #expect(e.isEnabled)
        // torchvision's defaults: RandomErasing(p=0.5, scale=(0.02, 0.33), ratio=(0.3, 3.3), value=0).
        #expect(try training("  augment: {erase: {}}\n").augment.erase == RandomErasing(probability: 0.5, scale: 0.02...0.33, ratio: 0.3...3.3))
        let order = try #require(error("  augment: {erase: {scale: [0.3, 0.1]}}\n"))
        guard case .invalidValue(let what, "[0.3, 0.1]", "low ≤ high", let at) = order else { Issue.record("got \(order)"); return }
        #expect(what == "'scale'" && at == SourceLocation(file: "p.yaml", line: 4, column: 28))
        #expect(error("  augment: {erase: {scale: [0, 0.1]}}\n")?.message.contains("(0, 1]") == true)
        #expect(error("  augment: {erase: {scale: [0.1]}}\n")?.message.contains("2 numbers") == true)
        #expect(error("  augment: {erase: {ratio: [-1, 2]}}\n") != nil)
        #expect(error("  augment: {erase: {p: 1.5}}\n") != nil)
        #expect(error("  augment: {erase: {fill: mean}}\n")?.message.contains("random") == true)
        #expect(error("  augment: {erase: {value: 0}}\n")?.message.contains("value") == true)
    }

    @Test func cropMustGiveBackTheInputSize() throws {
        let e = try #require(error("  augment: {crop: {size: 28, pad: 4}}\n"))
        guard case .invalidValue(let what, "28", let requirement, let at) = e else { Issue.record("got \(e)"); return }
        #expect(what == "'size'" && requirement.contains("32×32") && at == SourceLocation(file: "p.yaml", line: 4, column: 26))
        #expect(error("  augment: {crop: {size: 32}}\n")?.message.contains("pad") == true)
    }

    @Test func reflectPaddingIsSmallerThanTheImage() throws {
        let head = "input: [1, 4, 6]\nlayers: [relu]\n"
        #expect(try training("  augment: {crop: {pad: 3, fill: reflect}}\n", head: head).augment.crop == RandomCrop(pad: 3, fill: .reflect))
        let e = try #require(error("  augment: {crop: {pad: 4, fill: reflect}}\n", head: head))
        guard case .invalidValue(let what, "4", _, let at) = e else { Issue.record("got \(e)"); return }
        #expect(what == "'pad'" && at.line == 4 && at.column == 25)
        // Zero fill may pad up to the larger side (a padding beyond it only adds black images).
        #expect(try training("  augment: {crop: {pad: 6}}\n", head: head).augment.crop == RandomCrop(pad: 6))
        let beyond = try #require(error("  augment: {crop: {pad: 5000000000000000000}}\n", head: head))
        guard case .invalidValue(let padWhat, _, let padRequirement, _) = beyond else { Issue.record("got \(beyond)"); return }
        #expect(padWhat == "'pad'" && padRequirement.contains("6 pixels"))
        #expect(error("  augment: {shift: 7}\n", head: head)?.message.contains("shift") == true)
        #expect(try training("  augment: {shift: 6}\n", head: head).augment.shift == 6)
    }

    @Test func outOfRangeValues() {
        #expect(error("  augment: {hflip: 1.5}\n") != nil)
        #expect(error("  augment: {jitter: {brightness: -0.1}}\n") != nil)
        #expect(error("  augment: {jitter: {saturation: 0.1}}\n")?.message.contains("saturation") == true)
        #expect(error("  augment: {crop: {pad: 2, fill: edge}}\n")?.message.contains("reflect") == true)
    }
}
