import CNNAnalysis
import CNNSpec
@testable import CNNRuntime

/// Inputs for the tests of inference that folds batchnorms (`BatchNormFoldingTests`, `BottleneckFusionTests`,
/// `ResidualEpilogueTests`): every
/// batchnorm's γ, β and running statistics drawn away from 1 and 0 (so that folding them changes the weights), and
/// random inputs for `batch` images, from an xorshift stream in [-1, 1] seeded with `seed`.
func randomizeForFolding(_ model: Model, batch: Int, seed: UInt64) {
    var state = seed
    func next() -> Float {
        state ^= state << 13; state ^= state >> 7; state ^= state << 17
        return Float(state % 2001) / 1000 - 1
    }
    for entry in model.parameters.entries {
        let values = model.parameters.values.baseAddress! + entry.offset
        switch entry.spec.role {
        case .scale: for k in 0..<entry.count { values[k] = 1 + 0.5 * next() }
        case .bias, .runningMean: for k in 0..<entry.count { values[k] = 0.3 * next() }
        case .runningVariance: for k in 0..<entry.count { values[k] = 0.2 + abs(next()) }
        case .weight: break
        }
    }
    model.parameters.markChanged()
    for k in 0..<(batch * model.analysis.network.input.count) { model.input[k] = next() }
}

/// A model of `yaml` with `randomizeForFolding`'s statistics and inputs, and its outputs for `batch` images on `threads`
/// threads: unfolded, folded layer by layer (`StepContext.fusesBlocks` false), and folded with its blocks fused.
func foldedPasses(_ yaml: String, batch: Int, threads: Int, seeds: (parameters: UInt64, inputs: UInt64)) throws
    -> (unfolded: [Float], layerByLayer: [Float], fused: [Float], model: Model) {
    let network = try SpecParser.parse(yaml, file: "folding.yaml")[0]
    let model = Model(try NetworkAnalysis(network), batchCapacity: batch, threads: threads)
    model.parameters.initialize(seed: seeds.parameters)
    randomizeForFolding(model, batch: batch, seed: seeds.inputs)
    let count = batch * model.outputCount
    func run(_ context: StepContext) -> [Float] {
        model.forward(batch: batch, context: context)
        return Array(UnsafeBufferPointer(start: model.output, count: count))
    }
    var layerByLayer = StepContext.inference(threads: threads)
    layerByLayer.fusesBlocks = false
    return (run(StepContext(training: false, threads: threads)), run(layerByLayer), run(.inference(threads: threads)), model)
}
