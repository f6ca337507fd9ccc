import Foundation

/// What the CPU offers and what cnnc's kernels use, for benchmark reports.
/// Kernels are compiled for AVX2 + FMA (the baseline of every supported machine), so nothing
/// here changes which code runs; it records the machine a figure was measured on.
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
        let avx512 = flags.contains("avx512f") ? "AVX-512 present" : "no AVX-512"
        return "\(modelName); AVX2+FMA kernels, \(avx512), OpenBLAS \(BLAS.coreName)"
    }
}
