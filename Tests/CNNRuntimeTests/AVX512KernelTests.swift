import CNNKernels
import CNNRuntime
import Testing

/// The AVX-512 build of the direct and Winograd kernels (`CKernels/direct_conv_avx512.c`) and of the depthwise 3×3 rows
/// (`CKernels/depthwise_conv_avx512.c`) sums every output's terms in
/// the order the AVX2 build does, so the two give the same bits for the same calls (a model built with the AVX-512 build
/// off picks some kernels differently, so its rounding can differ: see `Conv2D`). Only on a
/// CPU with AVX-512 (elsewhere the AVX2 build always runs, and `KernelAgreementTests` checks it). Serialized: the
/// tests switch the process-wide choice.
@Suite(.serialized, .enabled(if: DirectConvolution.cpuHasAVX512, "the CPU has no AVX-512"))
struct AVX512KernelTests {
    /// The model is built with the AVX-512 build on, so both passes choose the same kernels (the build also moves the
    /// line between direct and GEMM convs), then runs with the given build.
    static func pass(_ yaml: String, avx512: Bool, batch: Int, threads: Int) throws -> KernelAgreementTests.Pass {
        let saved = DirectConvolution.usesAVX512
        defer { DirectConvolution.usesAVX512 = saved }
        DirectConvolution.usesAVX512 = true
        return try KernelAgreementTests.run(yaml, kernels: .fastest, batch: batch, threads: threads) {
            DirectConvolution.usesAVX512 = avx512
            #expect(DirectConvolution.usesAVX512 == avx512)
        }
    }

    static func differing(_ a: [Float], _ b: [Float]) -> Int {
        a.count == b.count ? zip(a, b).filter { $0.bitPattern != $1.bitPattern }.count : max(a.count, b.count)
    }

    @Test(arguments: KernelAgreementTests.networks, [3, 1])
    func avx512GivesTheAVX2Bits(network: (name: String, yaml: String), batch: Int) throws {
        let wide = try Self.pass(network.yaml, avx512: true, batch: batch, threads: 2)
        let narrow = try Self.pass(network.yaml, avx512: false, batch: batch, threads: 2)
        #expect(wide.output.contains { $0 != 0 })
        // Counts of differing floats (not the arrays: a failure would print thousands of values).
        #expect(Self.differing(wide.output, narrow.output) == 0, "\(network.name): output")
        #expect(Self.differing(wide.parameterGradients, narrow.parameterGradients) == 0, "\(network.name): parameter gradients")
        #expect(Self.differing(wide.inputGradient, narrow.inputGradient) == 0, "\(network.name): input gradient")
    }
}
