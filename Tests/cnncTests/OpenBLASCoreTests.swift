import Testing
@testable import cnnc

/// cnnc asks OpenBLAS for the kernels it would have chosen had it known the CPU, only when its own choice leaves
/// AVX2 unused (`OpenBLASCore`).
struct OpenBLASCoreTests {
    static let avx2: Set<String> = ["sse3", "avx", "avx2", "fma"]
    static let avx512 = avx2.union(["avx512f", "avx512bw", "avx512dq", "avx512vl", "avx512cd"])

    @Test func aFallbackToOldKernelsIsReplacedByTheCPUsOwn() {
        // Debian 12's OpenBLAS 0.3.21 on an Intel Xeon of family 6, model 207 (AVX-512) chose "Prescott".
        #expect(OpenBLASCore.replacement(for: "Prescott", flags: Self.avx512) == "SkylakeX")
        #expect(OpenBLASCore.replacement(for: "Prescott", flags: Self.avx2) == "Haswell")
        #expect(OpenBLASCore.replacement(for: "Sandybridge", flags: Self.avx2) == "Haswell")
        #expect(OpenBLASCore.replacement(for: "Nehalem", flags: Self.avx512.subtracting(["avx512vl"])) == "Haswell")
    }

    @Test func aModernChoiceOrAnOldCPUIsLeftAlone() {
        for name in ["Haswell", "SkylakeX", "Cooperlake", "SapphireRapids", "Zen", "Excavator"] {
            #expect(OpenBLASCore.replacement(for: name, flags: Self.avx512) == nil)
        }
        // Without AVX2 + FMA cnnc does not run its kernels at all (`CPURequirement`); OpenBLAS's choice stands.
        #expect(OpenBLASCore.replacement(for: "Prescott", flags: ["sse3", "avx"]) == nil)
        #expect(OpenBLASCore.replacement(for: "Prescott", flags: []) == nil)
    }
}
