import Testing
@testable import CNNRuntime

/// In inference that folds, a residual block's last conv adds the shortcut (and applies the relu after the block) as it
/// stores its outputs (`LayerStack.forwardAdding`, `Conv2D.addsResidual`). Its outputs are the same bits as the folded
/// pass that adds afterwards, and equal the unfolded pass to rounding: for identity and projection shortcuts, a body
/// ending in a batchnorm folded into its conv or in a conv, the direct kernel's AVX-512 build (256 filters, swept tile by
/// tile of pixels) and AVX2 build (40 filters), Winograd's kernel (at 13×13, its last tiles cut), a relu and a relu6
/// after the block, and a 264 → 40 conv that runs GEMM at batches of at least two images, where the add keeps its pass;
/// at batch 1 on 2 and 3 threads (rows split over the threads) and batches 2 and 3 (images split).
struct ResidualEpilogueTests {
    static let yaml = """
        input: [8, 26, 26]
        layers:
          - conv: {filters: 64, size: 3, pad: 1, bias: false}
          - batchnorm
          - relu
          - residual:
              layers: [conv: {filters: 32, size: 1, bias: false}, batchnorm, relu,
                       conv: {filters: 32, size: 3, pad: 1, bias: false}, batchnorm, relu,
                       conv: {filters: 256, size: 1, bias: false}, batchnorm]
              shortcut: [conv: {filters: 256, size: 1, bias: false}, batchnorm]
          - relu
          - residual: [conv: {filters: 32, size: 1, bias: false}, batchnorm, relu,
                       conv: {filters: 32, size: 3, pad: 1, bias: false}, batchnorm, relu,
                       conv: {filters: 256, size: 1, bias: false}, batchnorm]
          - relu
          - residual:
              layers: [conv: {filters: 24, size: 1}, batchnorm, relu,
                       conv: {filters: 24, size: 3, stride: 2, pad: 1}, batchnorm, relu,
                       conv: {filters: 40, size: 1}, batchnorm]
              shortcut: [conv: {filters: 40, size: 1, stride: 2}, batchnorm]
          - relu6
          - residual: [conv: {filters: 40, size: 3, pad: 1}, batchnorm, relu, conv: {filters: 40, size: 3, pad: 1}, batchnorm]
          - relu
          - residual: [conv: {filters: 40, size: 1}, relu, conv: {filters: 40, size: 1}]
          - residual: [conv: {filters: 264, size: 1}, batchnorm, relu, conv: {filters: 40, size: 1}, batchnorm]
          - globalavgpool
          - dense: {units: 5}
        """

    /// The model's outputs: unfolded, folded adding each shortcut afterwards, and folded adding it in the conv.
    func outputs(batch: Int, threads: Int) throws -> (unfolded: [Float], afterwards: [Float], inEpilogue: [Float], model: Model) {
        let passes = try foldedPasses(Self.yaml, batch: batch, threads: threads, seeds: (parameters: 7, inputs: 4321))
        return (passes.unfolded, passes.layerByLayer, passes.fused, passes.model)
    }

    @Test func everyBlockButTheGEMMOneAddsInItsConv() throws {
        let model = try outputs(batch: 2, threads: 2).model
        let blocks = model.layers.compactMap { $0 as? ResidualBlock }
        let adds = blocks.map { block -> Bool in
            let layers = block.body.layers, last = layers.count - 1
            let conv = (block.body.foldsIntoPrevious[last] ? layers[last - 1] : layers[last]) as! Conv2D
            return conv.addsResidual(batch: 2, context: .inference(threads: 2))
        }
        #expect(adds == [true, true, true, true, true, false])
        let gemm = blocks[5].body.layers[3] as! Conv2D
        #expect(gemm.addsResidual(batch: 1, context: .inference(threads: 2)), "direct at batch 1")
        // Layer by layer, or in training, no conv adds.
        var afterwards = StepContext.inference(threads: 2)
        afterwards.fusesBlocks = false
        #expect(!blocks[0].body.forwardAdding(model.input, into: model.input, activation: .none, input: model.input, batch: 2,
                                              context: afterwards))
        #expect(!((blocks[0].body.layers[6] as! Conv2D).addsResidual(batch: 2, context: StepContext(training: true, threads: 2))))
    }

    @Test(arguments: [(1, 2), (2, 2), (3, 2), (1, 3)])
    func addingInTheConvEqualsAddingAfterwards(batchAndThreads: (Int, Int)) throws {
        let (batch, threads) = batchAndThreads
        let (unfolded, afterwards, inEpilogue, _) = try outputs(batch: batch, threads: threads)
        #expect(inEpilogue.contains { $0 != 0 })
        #expect(zip(afterwards, inEpilogue).filter { $0.bitPattern != $1.bitPattern }.isEmpty, "batch \(batch), \(threads) threads")
        let scale = unfolded.map(abs).max()!
        let difference = zip(unfolded, inEpilogue).map { abs($0 - $1) }.max()!
        #expect(difference / scale < 1e-4, "batch \(batch), \(threads) threads: \(difference / scale) from the unfolded pass")
    }
}
