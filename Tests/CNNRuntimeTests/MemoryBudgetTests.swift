import CNNAnalysis
import CNNSpec
import Foundation
import Testing
@testable import CNNRuntime

/// Networks and batches too large for the machine are refused with figures, before any allocation.
struct MemoryBudgetTests {
    func analysis(_ spec: String) throws -> NetworkAnalysis {
        try NetworkAnalysis(try SpecParser.parse(spec, file: "m.yaml")[0])
    }

    @Test func aDenseLayerOfATrillionWeightsIsRefused() throws {
        let a = try analysis("input: [1, 1000, 1000]\nlayers:\n  - dense: {units: 1000000}\n")
        let budget = MemoryBudget.training(a, batchCapacity: 1, threads: 2, optimizer: .adam)
        #expect(budget.total! > 1 << 42)
        #expect(throws: ResourceError.self) { try budget.check(available: 24 << 30) }
        do { try budget.check(available: 24 << 30) } catch {
            #expect(error.message.contains("TiB"))
            #expect(error.hint!.contains("the network alone does not fit"))
        }
    }

    @Test func aHugeBatchIsRefusedWithTheLargestThatFits() throws {
        let a = try analysis("input: [1, 28, 28]\nlayers:\n  - conv: {filters: 16, size: 3}\n  - relu\n  - dense: {units: 10}\n")
        let fits = MemoryBudget.training(a, batchCapacity: 100, threads: 2, optimizer: .adam)
        try fits.check(available: 1 << 30)
        let huge = MemoryBudget.training(a, batchCapacity: Int.max, threads: 2, optimizer: .adam)
        #expect(huge.total == nil)
        #expect(throws: ResourceError.self) { try huge.check(available: 1 << 30) }
        let large = MemoryBudget.training(a, batchCapacity: 10_000_000, threads: 2, optimizer: .adam)
        do { try large.check(available: 1 << 30) } catch {
            guard case .tooLarge(_, _, let largest?, _) = error else { Issue.record("\(error)"); return }
            #expect(largest >= 100 && largest < 10_000_000)
            try MemoryBudget.training(a, batchCapacity: largest, threads: 2, optimizer: .adam).check(available: 1 << 30)
        }
    }

    /// The scratch every conv layer shares (`ScratchArena`) is no larger than the budget's per-thread figure, on the
    /// kernels' different paths: Winograd forward with a GEMM weight gradient on a 2×2 map (padding and tiles larger
    /// than the image), direct and Winograd convs, GEMM (grouped, strided, 1×1), depthwise with a multiplier.
    @Test(arguments: [
        "input: [128, 2, 2]\nlayers:\n  - conv: {filters: 128, size: 3, pad: 1, bias: false}\n",
        "input: [256, 5, 4]\nlayers:\n  - conv: {filters: 256, size: 3, pad: 1}\n  - conv: {filters: 456, size: 1}\n  - conv: {filters: 256, size: 3, pad: 1}\n",
        "input: [1, 28, 28]\nlayers:\n  - conv: {filters: 16, size: 3, pad: 1}\n  - conv: {filters: 32, size: 5, pad: 2, stride: 2}\n  - conv: {filters: 48, size: 3, pad: 1, groups: 2}\n",
        "input: [12, 9, 9]\nlayers:\n  - conv: {filters: 16, size: 1}\n  - depthwise: {size: 3, pad: 1, multiplier: 2}\n  - conv: {filters: 8, size: 3, dilation: 2, pad: 2}\n",
    ])
    func theSharedScratchFitsTheBudget(spec: String) throws {
        let a = try analysis(spec)
        for threads in [1, 2] {
            for kernels in ConvolutionKernels.allCases {
                let model = Model(a, batchCapacity: 3, threads: threads, kernels: kernels)
                let budget = MemoryBudget.training(a, batchCapacity: 3, threads: threads, optimizer: .adam)
                #expect(model.scratch.floatsPerThread > 0)
                #expect(model.scratch.floatsPerThread * 4 <= budget.bytesPerThread,
                        "\(kernels), \(threads) threads: \(model.scratch.floatsPerThread * 4) bytes against \(budget.bytesPerThread)")
            }
        }
    }

    /// The weight copies a conv keeps are no more than the budget counts for it, after passes at a batch of one image
    /// (the blocked kernel's copy) and of several (Winograd's), in training: a Winograd conv of more than 2^20 weights
    /// keeps both, on top of its packed and flipped weights and Winograd's flipped ones.
    @Test(arguments: [
        "input: [512, 2, 2]\nlayers:\n  - conv: {filters: 512, size: 3, pad: 1, bias: false}\n",
        "input: [64, 3, 3]\nlayers:\n  - conv: {filters: 64, size: 3, pad: 1}\n  - conv: {filters: 96, size: 1}\n  - conv: {filters: 64, size: 5, pad: 2}\n",
    ])
    func theWeightCopiesFitTheBudget(spec: String) throws {
        let a = try analysis(spec)
        let model = Model(a, batchCapacity: 3, threads: 2)
        for batch in [1, 3] {
            model.forward(batch: batch, context: StepContext(training: true, threads: 2))
            model.backward(batch: batch, context: StepContext(training: true, threads: 2))
        }
        let convs = model.layers.compactMap { $0 as? Conv2D }, rows = MemoryBudget.layers(a, optimizerSlots: 2)
        #expect(convs.count == a.layers.count && rows.count == a.layers.count)
        if a.layers[0].trainableParameters > 1 << 20 { #expect(convs[0].blocked != nil && convs[0].winogradForward) }
        for (conv, row) in zip(convs, rows) {
            #expect(conv.weightCopyFloats * 4 <= row.weightCopyBytes, "\(row.layer.name): \(conv.weightCopyFloats * 4) bytes against \(row.weightCopyBytes)")
        }
    }

    @Test func theLimitCanBeSetForTestsAndSharedMachines() {
        #expect(MemoryBudget.availableBytes(environment: ["CNNC_MEMORY_LIMIT": "512M"]) == 512 << 20)
        #expect(MemoryBudget.availableBytes(environment: ["CNNC_MEMORY_LIMIT": "2GiB"]) == 2 << 30)
        #expect(MemoryBudget.availableBytes(environment: [:]) > 0)
        #expect(MemoryBudget.parseSize("99999999999T") == nil)
    }

    @Test func theLayersAddUpToTheBudget() throws {
        let a = try analysis("""
            input: [3, 16, 16]
            layers:
              - conv: {filters: 8, size: 3, pad: 1}
              - batchnorm
              - residual: {layers: [{conv: {filters: 16, size: 3, stride: 2, pad: 1}}, relu]}
              - maxpool: {size: 2}
              - dense: {units: 10}
              - dropout: {rate: 0.5}
            """)
        let budget = MemoryBudget.training(a, batchCapacity: 7, threads: 3, optimizer: .adam)
        let layers = MemoryBudget.layers(a, optimizerSlots: 2)
        // Depth first: the residual's body and its automatic projection follow it, one level deeper.
        #expect(layers.map(\.layer.name) == ["conv1", "batchnorm1", "residual1", "conv2", "relu1", "residual1_projection", "maxpool1",
                                             "dense1", "dropout1"])
        #expect(layers.map(\.depth) == [0, 0, 0, 1, 1, 1, 0, 0, 0])
        let sum = layers.reduce(0) { $0 + $1.total(batch: 7, threads: 3)! }
        let inputBatch = a.network.input.count * 4 * 7
        // The layers share one scratch block per thread (`ScratchArena`): the budget counts the largest layer's, once.
        let largestScratch = layers.map(\.scratchBytesPerThread).max()!
        #expect(largestScratch > 0 && budget.bytesPerThread == largestScratch)
        let scratchRows = layers.reduce(0) { $0 + $1.scratchBytesPerThread } * 3
        #expect(sum - scratchRows + largestScratch * 3 + inputBatch + MemoryBudget.runtimeBytes == budget.total!)
        #expect(layers.reduce(0) { $0 + $1.parameterBytes } == budget.parameterBytes)
        #expect(layers.reduce(0) { $0 + $1.optimizerBytes } == budget.optimizerBytes)
        // A block keeps no tensors of its own: its layers' rows hold them.
        #expect(layers[2].parameterBytes == 0)
        // Adam keeps two floats per parameter, momentum one, SGD none.
        #expect(layers[0].optimizerBytes == 2 * 4 * (8 * 27 + 8))
        #expect(MemoryBudget.layers(a, optimizerSlots: MemoryBudget.optimizerSlots(.sgd)).allSatisfy { $0.optimizerBytes == 0 })
    }

    @Test func frozenLayersHaveNoOptimizerState() throws {
        let a = try analysis("input: [1, 8, 8]\nlayers:\n  - conv: {filters: 4, size: 3, freeze: true}\n  - dense: {units: 2}\n")
        let layers = MemoryBudget.layers(a, optimizerSlots: 2)
        #expect(layers[0].optimizerBytes == 0 && layers[0].parameterBytes == 2 * 4 * 40)
        #expect(layers[1].optimizerBytes == 2 * 4 * (4 * 36 * 2 + 2))
        #expect(MemoryBudget.training(a, batchCapacity: 1, threads: 1, optimizer: .adam).optimizerBytes == layers[1].optimizerBytes)
    }

    @Test func gradientsTakeTurnsInTwoBuffersPerDepth() throws {
        #expect(GradientArena.parities(fused: [false, false, true, false, false]) == [0, 1, 1, 0, 1])
        #expect(GradientArena.parities(fused: [false]) == [0])
        // conv1 (4×8×8 = 256), batchnorm1 (256) with its relu, conv2 (128), flatten (128), dense (10): slots 0 and 1 of
        // depth 0 hold 256 floats each, counted at conv1, whose output takes one of them in inference (`ActivationArena`).
        let a = try analysis("""
            input: [1, 8, 8]
            layers:
              - conv: {filters: 4, size: 3, pad: 1}
              - batchnorm
              - relu
              - conv: {filters: 2, size: 3, pad: 1}
              - flatten
              - dense: {units: 10}
            """)
        let rows = MemoryBudget.layers(a, optimizerSlots: 0)
        #expect(rows.map(\.activationBytesPerImage) == [4 * (256 + 256 + 256), 4 * 256, 0, 4 * 128, 4 * 128, 4 * (10 + 2 * 128)])
        let model = Model(a, batchCapacity: 3)
        #expect(model.gradients.capacity == 3 * (256 + 256))
        #expect(model.activations.capacity == 0, "no shortcut: inference takes turns in the gradients' buffers")
    }

    @Test func blocksAtTheSameDepthShareTheirGradientBuffers() throws {
        // Three residual blocks: two of 8×6×6 = 288 floats per layer, then one of stride 2 with its projection (4×3×3 = 36):
        // depth 0 keeps two buffers of 288, depth 1 two of 288 as well, however many blocks there are.
        let a = try analysis("""
            input: [8, 6, 6]
            layers:
              - residual: [conv: {filters: 8, size: 3, pad: 1}, batchnorm, relu, conv: {filters: 8, size: 3, pad: 1}]
              - relu
              - residual: [conv: {filters: 8, size: 3, pad: 1}, relu, conv: {filters: 8, size: 3, pad: 1}, batchnorm]
              - residual: [conv: {filters: 4, size: 3, stride: 2, pad: 1}]
            """)
        let model = Model(a, batchCapacity: 2)
        #expect(model.gradients.capacity == 2 * (288 + 288 + 288 + 288))
        // In inference the outputs take turns in the same buffers, but for the projection's (36), which has two of its own.
        #expect(model.activations.capacity == 2 * (36 + 36))
        // The budget counts each of the four buffers once: depth 1's at residual1's conv1, the first layer that needs
        // their whole size (its gradient one, its output in inference the other), and not at conv2, which takes its turn
        // in conv1's; depth 0's at residual1 (with the block's own sums); the projection's two at the projection.
        let rows = MemoryBudget.layers(a, optimizerSlots: 0)
        let block = rows[0], conv1 = rows[1], conv2 = rows[4], projection = rows.last!
        #expect(block.layer.name == "residual1" && block.activationBytesPerImage == 4 * (288 + 2 * (288 + 288) + 288 + 288))
        #expect(conv1.layer.name == "conv1" && conv1.activationBytesPerImage == 4 * (288 + 288 + 288))
        #expect(conv2.layer.name == "conv2" && conv2.activationBytesPerImage == 4 * 288)
        #expect(projection.layer.name == "residual3_projection" && projection.activationBytesPerImage == 4 * (36 + 36 + 36))
    }
}
