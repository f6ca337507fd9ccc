import Foundation

/// What the CPU offers and what cnnc's kernels use, for benchmark reports.
/// Kernels are compiled for AVX2 + FMA (the baseline of every supported machine), and the direct and Winograd ones
/// also for AVX-512, chosen at run time (`DirectConvolution.usesAVX512`); this records which ran and on what machine.
public enum CPUInfo {
    /// The model name and SIMD flags from /proc/cpuinfo (Linux); empty elsewhere.
    public static let flags: Set<String> = {
        guard let text = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8),
              let line = text.split(separator: "\n").first(where: { $0.hasPrefix("flags") }) else { return [] }
        return Set(line.split(separator: ":").last!.split(separator: " ").map(String.init))
    }()

    public static let modelName: String = {
        guard let text = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8),
              let line = text.split(separator: "\n").first(where: { $0.hasPrefix("model name") }) else { return "unknown CPU" }
        return line.split(separator: ":", maxSplits: 1).last!.trimmingCharacters(in: .whitespaces)
    }()

    public static var summary: String {
        let kernels = DirectConvolution.usesAVX512 ? "AVX-512 and AVX2+FMA kernels"
            : DirectConvolution.cpuHasAVX512 ? "AVX2+FMA kernels (AVX-512 present, not used)" : "AVX2+FMA kernels, no AVX-512"
        return "\(modelName); \(kernels), OpenBLAS \(BLAS.coreName)"
    }
}
