import CNNIR
import Testing
@testable import CNNAnalysis
@testable import CNNSpec

/// Matching two networks' layers: by name, then by position among layers of the same kind.
struct NetworkDiffTests {
    func analysis(_ yaml: String) throws -> NetworkAnalysis {
        try NetworkAnalysis(try SpecParser.parse(Array(yaml.utf8), file: "x.yaml")[0])
    }

    func summary(_ diff: NetworkDiff) -> [String] {
        diff.entries.map { "\($0.change.rawValue) \($0.old?.name ?? "-") \($0.new?.name ?? "-")" }
    }

    @Test func identicalNetworksAreAllSame() throws {
        let a = try analysis("name: a\ninput: [1, 8, 8]\nlayers: [{conv: {filters: 4, size: 3}}, relu, {dense: {units: 2}}]\n")
        let diff = NetworkDiff(old: a, new: a)
        #expect(diff.entries.allSatisfy { $0.change == .same } && diff.entries.count == 3)
        #expect(diff.parameterDelta == 0 && diff.changedEntries.isEmpty)
    }

    @Test func addedRemovedChangedAndRenamed() throws {
        let a = try analysis("""
            name: a
            input: [1, 8, 8]
            layers:
              - conv: {filters: 4, size: 3, name: stem}
              - relu
              - conv: {filters: 4, size: 3, name: old_name}
              - maxpool: {size: 2}
              - dense: {units: 2, name: head}
            """)
        let b = try analysis("""
            name: b
            input: [1, 8, 8]
            layers:
              - conv: {filters: 8, size: 3, name: stem}
              - batchnorm
              - relu
              - conv: {filters: 4, size: 3, name: new_name}
              - dense: {units: 2, name: head}
            """)
        let diff = NetworkDiff(old: a, new: b)
        #expect(summary(diff) == ["changed stem stem", "added - batchnorm1", "changed relu1 relu1", "renamed old_name new_name",
                                  "removed maxpool1 -", "changed head head"])
        // A renamed layer that also changed says both: new_name reads 8 channels.
        #expect(diff.entries[3].differsBesidesName)
        // relu1 has 8 channels now. stem: 8·9 + 8 − (4·9 + 4); new_name reads 8 channels; head reads 4·4·4 instead of 4·2·2.
        #expect(diff.entries[0].parameterDelta == 40)
        #expect(diff.entries[3].parameterDelta == 4 * 9 * 4)
        #expect(diff.parameterDelta == b.trainableParameters - a.trainableParameters)
    }

    @Test func aLayerInsideABlockIsMatchedAndTheBlockIsChanged() throws {
        let a = try analysis("""
            name: a
            input: [4, 8, 8]
            layers:
              - residual: {name: block, layers: [{conv: {filters: 4, size: 3, pad: 1, name: inner}}]}
              - relu
            """)
        let b = try analysis("""
            name: b
            input: [4, 8, 8]
            layers:
              - residual: {name: block, layers: [{conv: {filters: 4, size: 3, pad: 1, name: inner, bias: false}}]}
              - relu
            """)
        let diff = NetworkDiff(old: a, new: b)
        #expect(summary(diff) == ["changed block block", "changed inner inner", "same relu1 relu1"])
        #expect(diff.entries[1].depth == 1 && diff.entries[0].parameterDelta == -4)
    }

    @Test func reorderedNamesAreMoved() throws {
        let a = try analysis("name: a\ninput: [1, 8, 8]\nlayers: [{relu: {name: x}}, {sigmoid: {name: y}}, {tanh: {name: z}}]\n")
        let b = try analysis("name: b\ninput: [1, 8, 8]\nlayers: [{tanh: {name: z}}, {relu: {name: x}}, {sigmoid: {name: y}}]\n")
        #expect(summary(NetworkDiff(old: a, new: b)) == ["same x x", "same y y", "moved z z"])
    }

    @Test func longestIncreasingRun() {
        #expect(NetworkDiff.longestIncreasing([3, 1, 2, 5, 4, 6]) == [1, 2, 4, 5])
        #expect(NetworkDiff.longestIncreasing([]) == [])
    }
}
