import CBLAS
import Foundation

/// OpenBLAS picks its kernels from the CPU's model number when it loads, and a release older than the CPU does not
/// know it: Debian 12's OpenBLAS 0.3.21 runs its SSE3 "Prescott" kernels on a 2023 Intel Xeon (family 6, model 207,
/// AVX-512), which made ResNet-18's large convs 2.5× slower than with the AVX2 kernels (Benchmarks/NOTES.md,
/// change 11). `OPENBLAS_CORETYPE` names a kernel set instead, but OpenBLAS reads it only while it loads, before
/// `main`: so when OpenBLAS chose a set without AVX2 on a CPU with AVX2 + FMA and the variable is unset, cnnc sets it to
/// the set OpenBLAS would have chosen had it known the CPU and executes itself again (same process, same arguments).
/// A value the user set is always kept.
enum OpenBLASCore {
    /// Kernel sets that use AVX2 + FMA or more, lowercased as `openblas_get_corename` spells them.
    static let modern: Set<String> = ["haswell", "skylakex", "cooperlake", "sapphirerapids", "zen", "excavator"]

    /// The kernel set to ask for instead of `current` on a CPU with `flags` (/proc/cpuinfo's), or nil when `current` is fine.
    static func replacement(for current: String, flags: Set<String>) -> String? {
        guard flags.contains("avx2") && flags.contains("fma"), !modern.contains(current.lowercased()) else { return nil }
        return ["avx512f", "avx512bw", "avx512dq", "avx512vl"].allSatisfy(flags.contains) ? "SkylakeX" : "Haswell"
    }

    /// Re-executes cnnc with `OPENBLAS_CORETYPE` set when OpenBLAS's own choice would leave AVX2 unused. Returns when
    /// nothing needs changing, or when the re-execution fails (the run then goes on, correct but slower).
    static func selectKernels() {
        #if os(Linux)
        guard getenv("OPENBLAS_CORETYPE") == nil, let name = openblas_get_corename(),
              let better = replacement(for: String(cString: name), flags: CPURequirement.flags) else { return }
        setenv("OPENBLAS_CORETYPE", better, 1)
        execv("/proc/self/exe", CommandLine.unsafeArgv)
        unsetenv("OPENBLAS_CORETYPE")
        #endif
    }
}
