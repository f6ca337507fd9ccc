import CNNAnalysis
import CNNData
import CNNRuntime
import CNNSpec
import Testing

/// The three convolution paths (Winograd, direct, im2col + GEMM) compute the same function: from the
/// same weights and inputs their outputs, weight gradients and input gradients agree to float rounding.
/// Finite differences (GradientTests) check each path against the math; this checks them against each other
/// on shapes where each kernel is really chosen.
struct KernelAgreementTests {
    static let networks: [(String, String)] = [
        ("deepconv-like: winograd 16→16, odd sizes, pad 2, fused relu", """
            input: [1, 11, 11]
            layers:
              - conv: {filters: 16, size: 3, pad: 1}
              - relu
              - conv: {filters: 16, size: 3, pad: 1}
              - relu
              - maxpool: {size: 2}
              - conv: {filters: 32, size: 3, pad: 2}
              - relu
              - conv: {filters: 24, size: 3, pad: 1}
              - dense: {units: 5}
            """),
        ("strided, dilated and 1×1 convs with 8-multiple filters; weight panels of 64, 64 and 8 filters", """
            input: [8, 9, 9]
            layers:
              - conv: {filters: 16, size: 3, stride: 2, pad: 1}
              - relu
              - conv: {filters: 16, size: 3, dilation: 2, pad: same}
              - conv: {filters: 8, size: 1}
              - conv: {filters: 136, size: 2, pad: 1}
              - conv: {filters: 8, size: 3, pad: 1}
              - dense: {units: 3}
            """),
        ("MobileNet-like: depthwise 3x3 and 5x5, stride 2, multiplier 2, fused relu, 12 channels", """
            input: [12, 9, 9]
            layers:
              - conv: {filters: 16, size: 1}
              - depthwise: {size: 3, pad: 1}
              - relu
              - depthwise: {size: 3, stride: 2, pad: 1, bias: true}
              - depthwise: {size: 5, multiplier: 2, pad: 2}
              - conv: {filters: 12, size: 1, groups: 1}
              - conv: {filters: 12, size: 3, groups: 12, dilation: 2, pad: 2}
              - dense: {units: 3}
            """),
        ("depthwise 3×3 on 32 channels (the AVX-512 build's 16-channel vectors where the CPU has it), then on 40 (the AVX2 build's 8-channel vectors), stride 1 and 2, fused relu and relu6", """
            input: [32, 9, 29]
            layers:
              - depthwise: {size: 3, pad: 1}
              - relu6
              - depthwise: {size: 3, stride: 2, pad: 1, bias: true}
              - relu
              - conv: {filters: 40, size: 1}
              - depthwise: {size: 3, pad: 1}
              - relu6
              - depthwise: {size: 3, stride: 2, pad: 1, bias: true}
              - depthwise: {size: 3, pad: 1, multiplier: 2}
              - dense: {units: 3}
            """),
        ("GEMM convs: 1×1 of 264 channels and stride 2 (reading their stored weights), grouped, filters not a multiple of 8", """
            input: [264, 9, 9]
            layers:
              - conv: {filters: 40, size: 1}
              - relu
              - conv: {filters: 48, size: 3, pad: 1, groups: 2}
              - conv: {filters: 36, size: 3, pad: 1}
              - relu
              - conv: {filters: 36, size: 1, stride: 2}
              - dense: {units: 3}
            """),
        ("wide direct and Winograd convs: 64, 48, 96 and 80 filters (whole AVX-512 tiles of 4, 3, 6 and 5 vectors)", """
            input: [16, 10, 10]
            layers:
              - conv: {filters: 64, size: 3, pad: 1}
              - relu
              - conv: {filters: 48, size: 3, pad: 1}
              - conv: {filters: 96, size: 3, stride: 2, pad: 1}
              - relu6
              - conv: {filters: 80, size: 2, pad: 1}
              - dense: {units: 3}
            """),
        ("128 → 128 3×3: Winograd forward and input gradient, weight gradient direct with the AVX-512 build, GEMM without", """
            input: [128, 6, 5]
            layers:
              - conv: {filters: 128, size: 3, pad: 1}
              - relu
              - conv: {filters: 128, size: 3, pad: 1, stride: 2}
              - dense: {units: 3}
            """),
        ("256 → 256 3×3 (2^20 weights): Winograd forward and input gradient in groups of 8–20 tiles (4 MiB of filters), GEMM weight gradient; then 456 → 256, just over 2^20: Winograd at batch 3, the blocked kernel at batch 1", """
            input: [256, 9, 8]
            layers:
              - conv: {filters: 256, size: 3, pad: 1}
              - relu
              - conv: {filters: 456, size: 1}
              - conv: {filters: 256, size: 3, pad: 1}
              - dense: {units: 3}
            """),
        ("1×1 convs whose inputs and outputs are more than the L2 cache: every filter panel for each tile of pixels (64, 64, 64, 64; 64, 64, 8)", """
            input: [64, 24, 24]
            layers:
              - conv: {filters: 256, size: 1}
              - relu
              - conv: {filters: 136, size: 1}
              - dense: {units: 3}
            """),
        ("a 1×1 conv of 264 → 128 (GEMM, direct at batch 1), a GEMM conv of more filters than pixels (blocked at batch 1)", """
            input: [264, 16, 16]
            layers:
              - conv: {filters: 128, size: 1}
              - relu
              - maxpool: {size: 8}
              - conv: {filters: 520, size: 3, pad: 1}
              - dense: {units: 3}
            """),
        ("direct convs whose weight panels exceed 64 KB (filter blocks outside pixels): 32 → 64 3×3, stride 2 and 1", """
            input: [32, 9, 8]
            layers:
              - conv: {filters: 64, size: 3, stride: 2, pad: 1}
              - relu
              - conv: {filters: 72, size: 3, pad: 1, dilation: 2}
              - dense: {units: 3}
            """),
        ("residual blocks with relu6, whose adds and activations split their elements over the threads at batch 1", """
            input: [16, 32, 48]
            layers:
              - residual: [conv: {filters: 16, size: 3, pad: 1}, relu6, conv: {filters: 16, size: 1}]
              - relu6
              - residual: {layers: [conv: {filters: 32, size: 3, pad: 1, stride: 2}, relu],
                           shortcut: [conv: {filters: 32, size: 1, stride: 2}]}
              - relu
              - dense: {units: 3}
            """),
        ("a dense layer of at least 2^18 weights, which splits its units over the threads (not a multiple of 16)", """
            input: [64, 8, 8]
            layers:
              - conv: {filters: 64, size: 3, pad: 1}
              - dense: {units: 100}
              - relu
              - dense: {units: 3}
            """),
    ]

    struct Pass {
        var output: [Float], parameterGradients: [Float], inputGradient: [Float]
    }

    /// `built` runs after the model is made (its kernels chosen) and before the passes.
    static func run(_ yaml: String, kernels: ConvolutionKernels, batch: Int = 3, threads: Int = 2, built: () -> Void = {}) throws -> Pass {
        let analysis = try NetworkAnalysis(try SpecParser.parse(yaml, file: "agreement.yaml")[0])
        let model = Model(analysis, batchCapacity: batch, threads: threads, kernels: kernels)
        built()
        model.parameters.initialize(seed: 11)
        var generator = SeededGenerator(seed: 11, stream: 5)
        for i in 0..<model.parameters.count where model.parameters.values[i] == 0 {
            model.parameters.values[i] = generator.nextUnitFloat() - 0.5
        }
        let inputCount = batch * analysis.network.input.count
        for i in 0..<inputCount { model.input[i] = generator.nextUnitFloat() * 2 - 1 }
        let context = StepContext(training: true, threads: threads, seed: 11, step: 0)
        model.forward(batch: batch, context: context)
        let outputCount = batch * model.outputCount
        let output = Array(UnsafeBufferPointer(start: model.output, count: outputCount))
        for k in 0..<outputCount { model.outputGradient[k] = generator.nextUnitFloat() * 2 - 1 }
        model.parameters.zeroGradients()
        var inputGradient = [Float](repeating: 0, count: inputCount)
        inputGradient.withUnsafeMutableBufferPointer { model.backward(batch: batch, context: context, inputGradient: $0.baseAddress!) }
        return Pass(output: output, parameterGradients: Array(model.parameters.gradients), inputGradient: inputGradient)
    }

    /// Largest |a − b| relative to the largest |a|: float sums of a few thousand terms in different orders.
    static func relativeDifference(_ a: [Float], _ b: [Float]) -> Float {
        let scale = a.map(abs).max() ?? 0
        return zip(a, b).map { abs($0 - $1) }.max().map { $0 / max(scale, 1e-12) } ?? 0
    }

    @Test(arguments: networks, [3, 1])
    func kernelsAgree(network: (name: String, yaml: String), batch: Int) throws {
        // Batch 1 on 2 threads: the depthwise kernels split the image's rows over the threads.
        let (name, yaml) = network
        let reference = try Self.run(yaml, kernels: .im2col, batch: batch)
        for kernels in [ConvolutionKernels.direct, .fastest] {
            let pass = try Self.run(yaml, kernels: kernels, batch: batch)
            #expect(Self.relativeDifference(reference.output, pass.output) < 1e-5, "\(name), \(kernels): output")
            #expect(Self.relativeDifference(reference.parameterGradients, pass.parameterGradients) < 1e-5,
                    "\(name), \(kernels): parameter gradients")
            #expect(Self.relativeDifference(reference.inputGradient, pass.inputGradient) < 1e-5, "\(name), \(kernels): input gradient")
        }
    }

    /// Batch 1 on 2 threads: direct and Winograd convs split the image's rows (1×1 convs too, in the direct kernel), GEMM
    /// convs of at least 2^20 multiply-adds their pixels or filters, depthwise convs the rows, element-wise layers their
    /// elements. Each agrees with the same pass on one thread.
    @Test(arguments: networks, ConvolutionKernels.allCases)
    func oneImageOnTwoThreadsEqualsOneThread(network: (name: String, yaml: String), kernels: ConvolutionKernels) throws {
        let (name, yaml) = network
        let one = try Self.run(yaml, kernels: kernels, batch: 1, threads: 1)
        let two = try Self.run(yaml, kernels: kernels, batch: 1, threads: 2)
        #expect(one.output.contains { $0 != 0 })
        #expect(Self.relativeDifference(one.output, two.output) < 1e-6, "\(name), \(kernels): output")
        #expect(Self.relativeDifference(one.inputGradient, two.inputGradient) < 1e-6, "\(name), \(kernels): input gradient")
    }

    /// A batch of one image (the blocked conv kernel with the filters split over the threads, the direct kernels' row
    /// splits, a dense layer's matrix-vector product) computes what a batch of three (GEMMs over images) computes for
    /// the same image.
    @Test(arguments: networks)
    func oneImageAloneEqualsItsPlaceInABatch(network: (name: String, yaml: String)) throws {
        let (name, yaml) = network
        let alone = try Self.run(yaml, kernels: .fastest, batch: 1)
        let batched = try Self.run(yaml, kernels: .fastest, batch: 3)
        #expect(alone.output.contains { $0 != 0 })
        #expect(Self.relativeDifference(Array(batched.output.prefix(alone.output.count)), alone.output) < 1e-5, "\(name): output")
    }
}
