import ArgumentParser
import Foundation

/// The runtime's kernels are compiled for AVX2 + FMA. This check lives in the CLI target, which is
/// built for baseline x86-64, so it runs (and explains) even on a CPU that lacks them.
enum CPURequirement {
    /// The CPU's feature flags from /proc/cpuinfo (empty when it cannot be read).
    static let flags: Set<String> = {
        guard let text = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8),
              let line = text.split(separator: "\n").first(where: { $0.hasPrefix("flags") }) else { return [] }
        return Set(line.split(separator: " ").map(String.init))
    }()

    static func check() throws {
        #if arch(x86_64) && os(Linux)
        guard !flags.isEmpty else { return }
        let missing = ["avx2", "fma"].filter { !flags.contains($0) }
        guard missing.isEmpty else {
            DiagnosticRenderer.error("this CPU lacks \(missing.joined(separator: " and ").uppercased()), which cnnc's kernels need",
                                     hint: "run on an x86-64 CPU from 2013 or later (Intel Haswell, AMD Zen or newer); "
                                         + "'cnnc check' and 'cnnc params' work everywhere")
            throw ExitCode(1)
        }
        #endif
    }
}
