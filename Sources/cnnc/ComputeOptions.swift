import ArgumentParser
import CNNAnalysis
import CNNRuntime
import Foundation

/// Options of every command that runs a network: train, eval, predict (with the data options of `RuntimeOptions`
/// for the first two).
struct ComputeOptions: ParsableArguments {
    @Option(help: "Worker threads (default: all cores).") var threads: Int?
    @Option(help: "Which network of a multi-document spec.") var network: String?
    @Option(name: .customLong("kernels"),
            help: "Convolution kernels: fastest (default), direct (no Winograd) or im2col (GEMM only); results agree to float rounding.")
    var kernelChoice: ConvolutionKernels?
    @OptionGroup var spec: SpecOptions

    var kernels: ConvolutionKernels { kernelChoice ?? .fastest }
    var threadCount: Int { threadCount(ranksOnThisMachine: 1) }

    /// More threads than cores only slow a run down; far more would only allocate scratch for nothing.
    static var maximumThreads: Int { max(256, 4 * ProcessInfo.processInfo.activeProcessorCount) }

    func validate() throws {
        if let threads, !(1...Self.maximumThreads).contains(threads) {
            throw ValidationError("--threads must be from 1 to \(Self.maximumThreads) (this machine has \(ProcessInfo.processInfo.activeProcessorCount) cores)")
        }
    }

    /// --threads, else this process's share of the cores.
    func threadCount(ranksOnThisMachine ranks: Int) -> Int {
        max(1, threads ?? ProcessInfo.processInfo.activeProcessorCount / max(ranks, 1))
    }

    func analysis(_ spec: String, network: String? = nil) throws -> NetworkAnalysis {
        let all = try SpecInput.analyses(of: [spec], overrides: try self.spec.parsed())
        if let network = network ?? self.network {
            guard let match = all.first(where: { $0.network.name == network }) else {
                DiagnosticRenderer.error("\(spec) has no network named '\(network)'",
                                         hint: "its networks: " + all.map(\.network.name).joined(separator: ", "))
                throw ExitCode(1)
            }
            return match
        }
        return all[0]
    }
}
