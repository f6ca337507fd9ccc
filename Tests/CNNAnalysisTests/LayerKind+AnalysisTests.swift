import CNNIR
import Testing
@testable import CNNAnalysis
@testable import CNNSpec

/// The per-kind report rules: other operations (everything but conv, local and dense multiply-adds),
/// feature vectors, and the receptive field before the classifier.
struct LayerKindAnalysisTests {
    func analyse(_ yaml: String) throws -> NetworkAnalysis {
        try NetworkAnalysis(try SpecParser.parse(yaml, file: "t.yaml")[0])
    }

    func analyseFile(_ name: String) throws -> [NetworkAnalysis] {
        let here = #filePath
        let root = String(here[..<here.range(of: "/Tests/")!.lowerBound])
        return try SpecParser.load(path: root + "/specs/\(name).yaml").map { try NetworkAnalysis($0) }
    }

    // MARK: - Other operations

    @Test func otherOperationsOfEveryPlainKind() throws {
        let a = try analyse("""
            input: [2, 8, 8]
            layers:
              - conv: {filters: 4, size: 3, pad: 1}
              - batchnorm
              - relu
              - maxpool: {size: 2}
              - avgpool: {size: 3, stride: 1, pad: 1}
              - dropout: {rate: 0.5}
              - sigmoid
              - identity
              - globalavgpool
              - dense: {units: 10}
              - leaky_relu
              - gelu
            """)
        let figures = a.layers.map { ($0.name, $0.multiplyAdds, $0.otherOperations) }
        #expect(figures.map(\.0) == ["conv1", "batchnorm1", "relu1", "maxpool1", "avgpool1", "dropout1", "sigmoid1", "identity1",
                                     "globalavgpool1", "dense1", "leaky_relu1", "gelu1"])
        // conv: 8·8·4·2·9 multiply-adds; batchnorm: a scale and a shift per value of 4x8x8; relu: one per value;
        // maxpool 2x2 → 4x4x4: 4 compares per output; avgpool 3x3: 9 adds per output (padding included);
        // dropout and identity: none; sigmoid: one per value; globalavgpool: one add per input value;
        // dense: 4·10 multiply-adds, its biases not counted; activations on the vector: one per value.
        #expect(figures.map(\.1) == [4_608, 0, 0, 0, 0, 0, 0, 0, 0, 40, 0, 0])
        #expect(figures.map(\.2) == [0, 512, 256, 256, 576, 0, 64, 0, 64, 0, 10, 10])
        #expect(a.totalMultiplyAdds == 4_648)
        #expect(a.totalOtherOperations == 512 + 256 + 256 + 576 + 64 + 64 + 10 + 10)
    }

    @Test func concatAddsItsBranchesAndNothingOfItsOwn() throws {
        let a = try analyse("""
            input: [3, 6, 6]
            layers:
              - concat: [[conv: {filters: 2, size: 1}, relu], [maxpool: {size: 3, stride: 1, pad: 1}]]
            """)
        // relu on 2x6x6, maxpool 3x3 on 3x6x6 (9 per output); the join itself copies.
        #expect(a.layers[0].otherOperations == 72 + 3 * 36 * 9)
        #expect(a.layers[0].multiplyAdds == 36 * 2 * 3)
    }

    @Test func pyramidPoolingCountsEveryWindowElement() throws {
        // 7 rows in 3 bins: [0, 3), [2, 5), [4, 7): 9 rows read; 5 columns in 3 bins: [0, 2), [1, 4), [3, 5): 7.
        let a = try analyse("input: [3, 7, 5]\nlayers:\n  - spp: {levels: [1, 2, 3]}\n")
        var expected = 0
        for level in [1, 2, 3] {
            let rows = (0..<level).map { AdaptiveBins.bin($0, of: level, extent: 7).count }.reduce(0, +)
            let columns = (0..<level).map { AdaptiveBins.bin($0, of: level, extent: 5).count }.reduce(0, +)
            expected += 3 * rows * columns
        }
        #expect(expected == 3 * (7 * 5 + 8 * 6 + 9 * 7))
        #expect(a.layers[0].otherOperations == expected)
    }

    @Test func binExtentsMatchTheBinsOneByOne() {
        for extent in 1...40 {
            for bins in 1...extent {
                let counted = (0..<bins).map { AdaptiveBins.bin($0, of: bins, extent: extent).count }.reduce(0, +)
                #expect(AdaptiveBins.lengthSum(of: bins, extent: extent) == counted, "\(bins) bins over \(extent)")
            }
        }
    }

    @Test func fashionBNCountsBatchnormApart() throws {
        let a = try #require(try analyseFile("fashion-bn").first)
        // Learned: convs 216 + 5,184 + 10,368 + 20,736; batchnorm scales and shifts 2·(24 + 24 + 48 + 48 + 128);
        // dense 2,352·128 (no bias); logits 128·10 + 10.
        #expect(a.trainableParameters == 36_504 + 544 + 301_056 + 1_290)
        #expect(a.buffers == 544)
        // conv and dense only: 28·28·24·9, 28·28·24·216, 14·14·48·216, 14·14·48·432, 2,352·128, 128·10.
        #expect(a.totalMultiplyAdds == 169_344 + 4_064_256 + 2_032_128 + 4_064_256 + 301_056 + 1_280)
        // batchnorm 2 per value and relu 1 per value on 2·18,816 + 2·9,408 + 128 values; max-pooling 4 per output.
        #expect(a.totalOtherOperations == 3 * 56_576 + 4 * (4_704 + 2_352))
    }

    // MARK: - Feature vectors

    @Test func denseGivesAVectorThatValueByValueLayersKeep() throws {
        let a = try analyse("""
            input: [3, 8, 8]
            layers:
              - conv: {filters: 4, size: 3}
              - globalavgpool
              - dense: {units: 16}
              - batchnorm
              - relu
              - dropout: {rate: 0.1}
              - residual: [dense: {units: 16}, relu]
              - concat: [[dense: {units: 4}], [identity]]
              - conv: {filters: 2, size: 1}
            """)
        #expect(a.layers.map(\.outputIsVector) == [false, false, true, true, true, true, true, true, false])
        #expect(!a.outputIsVector)
        let mixed = try analyse("input: [3, 8, 8]\nlayers:\n  - concat: [[dense: {units: 4}], [globalavgpool]]\n")
        #expect(!mixed.layers[0].outputIsVector)
        let spp = try analyse("input: [3, 8, 8]\nlayers:\n  - spp: {levels: [1, 2]}\n  - relu\n")
        #expect(spp.layers.map(\.outputIsVector) == [true, true] && spp.outputIsVector)
    }

    // MARK: - Receptive field before the classifier

    @Test func fieldBeforeTheClassifierIsTheLastSpatialLayers() throws {
        // deepconv: maxpool3's 36 pixels, not the dense layers' 60.
        let deepconv = try #require(try analyseFile("deepconv").first)
        #expect(deepconv.lastSpatialReceptiveField.height.size == 36 && deepconv.receptiveField.height.size == 60)
        // resnet-mini: the field entering globalavgpool, the largest path of the last residual block.
        let resnet = try #require(try analyseFile("resnet-mini").first)
        let pool = try #require(resnet.layers.firstIndex { $0.seesWholeInput })
        #expect(resnet.lastSpatialReceptiveField == resnet.layers[pool - 1].receptiveField)
        #expect(resnet.lastSpatialReceptiveField.height.size == 53)
        // No layer sees the whole input: the output's field. A dense first layer: one input pixel's.
        let vgg = try analyseFile("vgg-like")
        #expect(vgg.allSatisfy { $0.lastSpatialReceptiveField == $0.receptiveField })
        let locality = try analyseFile("locality")
        #expect(locality[0].lastSpatialReceptiveField == .input && locality[0].receptiveField.height.size == 1_000)
    }
}
