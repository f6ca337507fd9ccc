import CNNAnalysis
import CNNSpec
import Testing
@testable import CNNRuntime

/// In inference that folds (`StepContext.inference`), a batchnorm right after a conv runs inside the conv, with the
/// weights and bias folded from both (`BatchNormFolding`). The outputs equal the unfolded pass's (the batchnorm's own)
/// to rounding, on every kernel path (direct, Winograd, GEMM, 1×1, grouped, depthwise, batch 1 split over rows), with
/// and without the conv's bias and the batchnorm's fused relu, and with non-trivial statistics.
struct BatchNormFoldingTests {
    /// `middle`'s layers on random 16×7×7 inputs; γ, β and the running statistics drawn away from 1 and 0.
    func outputs(_ middle: String, batch: Int) throws -> (folded: [Float], unfolded: [Float], model: Model) {
        let yaml = """
            input: [16, 7, 7]
            layers:
            \(middle)
              - flatten
              - dense: {units: 5}
            """
        let network = try SpecParser.parse(yaml, file: "fold.yaml")[0]
        let model = Model(try NetworkAnalysis(network), batchCapacity: batch, threads: 2)
        model.parameters.initialize(seed: 7)
        randomizeForFolding(model, batch: batch, seed: 99)
        let count = batch * model.outputCount
        model.forward(batch: batch, context: StepContext(training: false, threads: 2))
        let unfolded = Array(UnsafeBufferPointer(start: model.output, count: count))
        model.forward(batch: batch, context: .inference(threads: 2))
        let folded = Array(UnsafeBufferPointer(start: model.output, count: count))
        return (folded, unfolded, model)
    }

    static let middles = [
        // 3×3, 16 → 16: Winograd; then the direct kernel (3×3 stride 2) and a 1×1 (GEMM), with a relu after each batchnorm.
        "  - conv: {filters: 16, size: 3, pad: 1, bias: false}\n  - batchnorm\n  - relu\n"
            + "  - conv: {filters: 24, size: 3, stride: 2, pad: 1}\n  - batchnorm\n  - relu\n"
            + "  - conv: {filters: 12, size: 1}\n  - batchnorm",
        // Grouped (GEMM) and depthwise with a multiplier, batchnorm without a relu after.
        "  - conv: {filters: 20, size: 3, groups: 4, pad: 1}\n  - batchnorm\n"
            + "  - depthwise: {size: 3, multiplier: 2, pad: 1}\n  - batchnorm\n  - relu",
        // Inside a residual block's body, the batchnorm last (its output is the body's output).
        "  - residual:\n      layers:\n        - conv: {filters: 16, size: 3, pad: 1, bias: false}\n        - batchnorm\n        - relu\n"
            + "        - conv: {filters: 16, size: 3, pad: 1, bias: false}\n        - batchnorm\n  - relu",
    ]

    @Test(arguments: middles, [1, 3])
    func foldedEqualsUnfoldedToRounding(middle: String, batch: Int) throws {
        let (folded, unfolded, model) = try outputs(middle, batch: batch)
        let scale = unfolded.map(abs).max()!
        #expect(scale > 0.1)
        for (f, u) in zip(folded, unfolded) { #expect(abs(f - u) <= 2e-5 * scale, "folded \(f), unfolded \(u)") }
        #expect(folded != unfolded, "the folded pass must actually fold (its rounding differs)")
        // Every batchnorm here follows a conv: each one is folded.
        func batchNorms(_ layers: [RuntimeLayer]) -> Int {
            layers.reduce(0) { $0 + ($1 is BatchNormLayer ? 1 : 0) + batchNorms($1.children) }
        }
        func folding(_ layers: [RuntimeLayer]) -> Int {
            layers.reduce(0) { $0 + (($1 as? BatchNormFolding)?.foldedBatchNorm != nil ? 1 : 0) + folding($1.children) }
        }
        #expect(batchNorms(model.layers) == folding(model.layers) && folding(model.layers) > 0)
    }

    /// After a folded pass, a training step and an unfolded inference pass use the layer's own weights again.
    @Test func trainingAfterAFoldedPassIsUnchanged() throws {
        let middle = Self.middles[0]
        let (_, unfolded, model) = try outputs(middle, batch: 3)
        model.forward(batch: 3, context: StepContext(training: false, threads: 2))
        #expect(Array(UnsafeBufferPointer(start: model.output, count: unfolded.count)) == unfolded)
        model.forward(batch: 3, context: .inference(threads: 2))
        model.forward(batch: 3, context: StepContext(training: true, threads: 2))
        let afterFold = Array(UnsafeBufferPointer(start: model.output, count: unfolded.count))
        let (_, _, fresh) = try outputs(middle, batch: 3)
        fresh.forward(batch: 3, context: StepContext(training: true, threads: 2))
        #expect(afterFold == Array(UnsafeBufferPointer(start: fresh.output, count: unfolded.count)))
    }
}
