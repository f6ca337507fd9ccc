import CNNAnalysis
import CNNSpec
import Testing
@testable import CNNRuntime

/// In inference that folds, the layers write their outputs in turn into the activation arena's buffers (two per depth,
/// two more per depth for residual shortcuts; `ActivationArena`) instead of their own: the outputs are the same bits as
/// the pass that writes every layer's own buffer, for chains, residual blocks with identity and projection shortcuts
/// (a shortcut of two layers, ending in a fused relu), a residual block nested in a concat's branch, concat branches that
/// end in a fused relu or a pool, and a network that ends in a relu fused into its conv; whatever the previous pass left
/// in the buffers; at batch 1 on 2 threads and batch 3 on 1 and 2.
struct ActivationArenaTests {
    /// No batchnorm, so folding changes nothing and both passes run the same kernels on the same weights.
    static let yaml = """
        input: [3, 12, 12]
        layers:
          - conv: {filters: 16, size: 3, pad: 1}
          - relu
          - residual: [conv: {filters: 16, size: 3, pad: 1}, relu, conv: {filters: 16, size: 3, pad: 1}]
          - relu
          - concat:
              branches:
                - [conv: {filters: 8, size: 1}]
                - [conv: {filters: 16, size: 1}, relu, residual: [conv: {filters: 16, size: 3, pad: 1}], relu]
                - [maxpool: {size: 3, stride: 1, pad: 1}]
          - residual:
              layers: [conv: {filters: 32, size: 3, stride: 2, pad: 1}, relu, conv: {filters: 32, size: 1}]
              shortcut: [conv: {filters: 32, size: 1, stride: 2}, relu]
          - maxpool: {size: 2}
          - conv: {filters: 10, size: 3}
          - relu
        """

    func model(batch: Int, threads: Int) throws -> Model {
        let network = try SpecParser.parse(Self.yaml, file: "arena.yaml")[0]
        let model = Model(try NetworkAnalysis(network), batchCapacity: 3, threads: threads)
        model.parameters.initialize(seed: 11)
        return model
    }

    /// The model's outputs for `batch` images drawn with `seed`, in inference that folds (or writes every layer's buffer).
    func outputs(_ model: Model, batch: Int, seed: UInt64, folds: Bool) -> [Float] {
        randomizeForFolding(model, batch: batch, seed: seed)
        var context = StepContext(training: false, threads: model.threads)
        context.foldsBatchNorm = folds
        model.forward(batch: batch, context: context)
        return Array(UnsafeBufferPointer(start: model.output, count: batch * model.outputCount))
    }

    @Test(arguments: [(1, 2), (3, 1), (3, 2)])
    func theArenaGivesTheSameBitsAsEveryLayersOwnBuffer(batch: Int, threads: Int) throws {
        let model = try model(batch: batch, threads: threads)
        let own = outputs(model, batch: batch, seed: 5, folds: false)
        #expect(!model.activations.isAllocated, "a pass that does not fold writes the layers' own buffers, not the shortcut's")
        let inArena = outputs(model, batch: batch, seed: 5, folds: true)
        #expect(model.activations.isAllocated)
        #expect(own.count == batch * 10 && own.contains { $0 != 0 })
        #expect(inArena == own)
        // Another input after the first: nothing the last pass left in the buffers changes the outputs.
        let second = outputs(model, batch: batch, seed: 6, folds: true)
        #expect(second != inArena)
        #expect(second == outputs(try self.model(batch: batch, threads: threads), batch: batch, seed: 6, folds: false))
    }

    @Test func theNetworksOutputStaysInItsLastLayersBuffer() throws {
        let model = try model(batch: 1, threads: 2)
        _ = outputs(model, batch: 1, seed: 5, folds: false)
        let own = model.output
        _ = outputs(model, batch: 1, seed: 5, folds: true)
        #expect(model.output == own)
    }

    @Test func aTrainingStepAfterInferenceIsUnchanged() throws {
        // The same step on a fresh model and on one that has just run inference in the arena: the same loss gradients.
        func gradients(_ model: Model) -> [Float] {
            randomizeForFolding(model, batch: 3, seed: 9)
            let context = StepContext(training: true, threads: 2)
            model.forward(batch: 3, context: context)
            for k in 0..<(3 * model.outputCount) { model.outputGradient[k] = model.output[k] }
            model.parameters.zeroGradients()
            model.backward(batch: 3, context: context)
            return Array(model.parameters.gradients)
        }
        let fresh = gradients(try model(batch: 3, threads: 2))
        let after = try model(batch: 3, threads: 2)
        _ = outputs(after, batch: 3, seed: 5, folds: true)
        #expect(gradients(after) == fresh)
        #expect(fresh.contains { $0 != 0 })
    }

    @Test func theOutputsTakeTheGradientsBuffersAndTheShortcutsTheirOwn() throws {
        // Depth 0: the concat's (8 + 16 + 16) × 12 × 12 = 5760 floats; depth 1 (the blocks' bodies and the concat's
        // branches): 16 × 12 × 12 = 2304; depth 2 (the block in the branch): 2304; for 3 images, two buffers each, as large
        // as the gradients' need. The shortcut's two buffers at depth 1: 32 × 6 × 6 = 1152.
        let model = try model(batch: 3, threads: 1)
        #expect(model.gradients.capacity == 3 * 2 * (5760 + 2304 + 2304))
        #expect(model.activations.capacity == 3 * 2 * 1152)
        let network = try NetworkAnalysis(try SpecParser.parse(Self.yaml, file: "arena.yaml")[0])
        // The budget counts both arenas (with every layer's own output and the input batch besides).
        let budget = MemoryBudget.inference(network, batchCapacity: 3, threads: 1)
        #expect(budget.bytesPerImage * 3 > 4 * (model.gradients.capacity + model.activations.capacity + 3 * network.network.input.count))
    }
}
