import Testing
@testable import CNNRuntime

/// In inference that folds, MobileNet's inverted bottlenecks run as one pass over bands of rows (`BottleneckFusion`).
/// Its outputs are the same bits as the layer-by-layer folded pass wherever that pass runs the same kernels (the direct
/// kernel's 1×1 convs and the depthwise kernel), and equal the unfolded pass to rounding everywhere; on images wide enough
/// that every block with an expansion runs several bands (so rows shared by two bands are carried over), with and without an expansion,
/// stride 1 and 2 (from an odd height), a dilated 5×5 window, a channel count not a multiple of 8, a projection of more than 256 channels, inside a residual
/// body (its add and the relu6 after it done band by band), on 2 threads at batch 1 (rows split over the threads), 2 and 3
/// (images split), and on 3 threads at batches 1 and 2 (rows split in three).
struct BottleneckFusionTests {
    static let yaml = """
        input: [12, 23, 64]
        layers:
          - depthwise: {size: 3, pad: 1, bias: false}
          - batchnorm
          - relu6
          - conv: {filters: 16, size: 1, bias: false}
          - batchnorm
          - conv: {filters: 48, size: 1, bias: false}
          - batchnorm
          - relu6
          - depthwise: {size: 3, stride: 2, pad: 1, bias: false}
          - batchnorm
          - relu6
          - conv: {filters: 24, size: 1, bias: false}
          - batchnorm
          - residual: [conv: {filters: 144, size: 1, bias: false}, batchnorm, relu6,
                       depthwise: {size: 3, pad: 1, bias: false}, batchnorm, relu6,
                       conv: {filters: 24, size: 1, bias: false}, batchnorm]
          - relu6
          - conv: {filters: 264, size: 1}
          - batchnorm
          - relu
          - depthwise: {size: 5, pad: 4, dilation: 2}
          - batchnorm
          - relu
          - conv: {filters: 40, size: 1}
          - batchnorm
          - relu
          - conv: {filters: 256, size: 1, bias: false}
          - batchnorm
          - relu6
          - depthwise: {size: 5, stride: 2, pad: 2, bias: false}
          - batchnorm
          - relu6
          - conv: {filters: 8, size: 1, bias: false}
          - batchnorm
          - flatten
          - dense: {units: 5}
        """

    func outputs(batch: Int, threads: Int = 2) throws -> (unfolded: [Float], layerByLayer: [Float], fused: [Float], model: Model) {
        try foldedPasses(Self.yaml, batch: batch, threads: threads, seeds: (parameters: 11, inputs: 12345))
    }

    @Test func everyBlockIsFoundAndRunsSeveralBands() throws {
        let model = try outputs(batch: 1).model
        let top = model.stack.fusedBlocks, body = (model.layers.compactMap { $0 as? ResidualBlock }.first!).body.fusedBlocks
        #expect(top.count == 4 && body.count == 1)
        #expect(top.values.filter { $0.expansion == nil }.count == 1)
        // The block without an expansion keeps only one band of the depthwise conv's output (12 channels): one band here.
        for block in Array(top.values) + Array(body.values) where block.expansion != nil {
            #expect(block.bandRows * 2 <= block.projection.facts.output.height, "\(block.projection.facts.name): \(block.bandRows) rows a band")
        }
    }

    @Test(arguments: [[1, 2], [2, 2], [3, 2], [1, 3], [2, 3]])
    func fusedEqualsTheLayersPasses(batchAndThreads: [Int]) throws {
        let batch = batchAndThreads[0]
        let (unfolded, layerByLayer, fused, _) = try outputs(batch: batch, threads: batchAndThreads[1])
        let scale = unfolded.map(abs).max()!
        #expect(scale > 0.1)
        for (f, u) in zip(fused, unfolded) { #expect(abs(f - u) <= 1e-4 * scale, "fused \(f), unfolded \(u)") }
        // With as many images as threads or more, the block whose projection has 264 channels runs layer by layer (its
        // own pass is GEMM there).
        #expect(fused == layerByLayer)
    }
}
