import CNNIR
import Testing
@testable import CNNAnalysis
@testable import CNNSpec

/// The input sizes a network reads whole, and those where every stride divides exactly.
struct InputSizesTests {
    func network(_ yaml: String) throws -> Network {
        try SpecParser.parse(Array(yaml.utf8), file: "x.yaml")[0]
    }

    @Test func threeUnpaddedPoolsReadWholeEveryEighthSize() throws {
        // 2×2/2 pools, a 3×3 conv with pad 2 between the second and third: H even, H/2 + 2 even, (H/2 + 2)/2 even.
        let net = try network("""
            name: n
            input: [1, 28, 28]
            layers:
              - maxpool: {size: 2}
              - conv: {filters: 2, size: 3, pad: 2}
              - maxpool: {size: 2}
              - maxpool: {size: 2}
            """)
        let whole = (1...64).filter { [.whole, .aligned].contains(InputSizes.verdict(net, size: $0)) }
        #expect(whole == stride(from: 4, through: 60, by: 8).map { $0 })
        guard case .unread(let layer) = InputSizes.verdict(net, size: 29) else { Issue.record("29 should leave a row unread"); return }
        #expect(layer == "maxpool1")
        guard case .impossible = InputSizes.verdict(net, size: 3) else { Issue.record("3 has no output"); return }
        #expect(InputSizes.nearest(net, to: 29) == (below: 28, above: 36))
    }

    @Test func paddedStridedConvsAreAlignedAtMultiplesOfTheirProduct() throws {
        // Two 3×3/2 convs with pad 1: every size is read whole; only multiples of 4 halve exactly twice.
        let net = try network("""
            name: n
            input: [1, 16, 16]
            layers:
              - conv: {filters: 2, size: 3, stride: 2, pad: 1}
              - conv: {filters: 2, size: 3, stride: 2, pad: 1}
            """)
        let verdicts = (1...12).map { InputSizes.verdict(net, size: $0) }
        #expect(verdicts.allSatisfy { $0 == .whole || $0 == .aligned })
        #expect((1...12).filter { verdicts[$0 - 1] == .aligned } == [4, 8, 12])
    }

    @Test func sizesAreDescribedAsRuns() {
        #expect(InputSizes.describe([32, 64, 96, 128, 200]) == "32, 64, …, 128 (every 32), 200")
        #expect(InputSizes.describe([1, 2, 3, 4, 9]) == "1–4, 9")
        #expect(InputSizes.describe([5, 7]) == "5, 7")
        #expect(InputSizes.describe([]) == "")
    }

    @Test func sizesThatFailAboveTheFirstWorkingOneAreCounted() throws {
        // A dense layer of a million units: its weights pass cnnc's limit (2^40) above 1048×1048 inputs.
        let net = try network("name: n\ninput: [1, 8, 8]\nlayers:\n  - dense: {units: 1000000}\n")
        let survey = InputSizes.survey(net, in: 1040...1060)
        #expect(survey.whole == Array(1040...1048))
        #expect(survey.tooSmall == 0 && survey.tooLarge == 12 && survey.firstTooLarge?.size == 1049)
        let small = InputSizes.survey(try network("name: n\ninput: [1, 8, 8]\nlayers:\n  - conv: {filters: 1, size: 5}\n"), in: 1...8)
        #expect(small.tooSmall == 4 && small.largestTooSmall?.size == 4 && small.whole == Array(5...8) && small.tooLarge == 0)
    }
}
