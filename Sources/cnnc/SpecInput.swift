import ArgumentParser
import CNNAnalysis
import CNNIR
import CNNSpec

/// Loads and analyses spec files for the subcommands, rendering any error and exiting non-zero.
enum SpecInput {
    /// Every network of every file, analysed, in the order written. Warnings go to stderr.
    static func analyses(of paths: [String], inputOverride: Shape? = nil, overrides: [SpecOverride] = [],
                         warnings: Bool = true) throws -> [NetworkAnalysis] {
        var result: [NetworkAnalysis] = []
        for path in paths {
            let networks = try Report.catching { () throws(SpecError) in try SpecParser.load(path: path, overrides: overrides) }
            for var network in networks {
                if let inputOverride { network.input = inputOverride }
                let analysis = try Report.catching { () throws(ShapeError) in try NetworkAnalysis(network) }
                for (k, diagnostic) in analysis.diagnostics.enumerated() where warnings {
                    // Under the first unread-rows warning, the nearest sizes that have none.
                    DiagnosticRenderer.warning(diagnostic.message, at: diagnostic.location,
                                               hint: k == 0 ? InputSizeReport.nearestHint(network) : nil)
                }
                result.append(analysis)
            }
        }
        return result
    }

    /// The spec after `extends`, `blocks` and the overrides, as YAML (what a run folder keeps).
    static func resolved(_ path: String, overrides: [SpecOverride] = []) throws -> String {
        try Report.catching { () throws(SpecError) in try SpecParser.resolved(path: path, overrides: overrides) }
    }
}

extension Shape: ExpressibleByArgument {
    /// `3x224x224`: channels, height, width.
    public init?(argument: String) {
        let parts = argument.split(separator: "x").compactMap { Int($0) }
        guard parts.count == 3, parts.allSatisfy({ $0 >= 1 }) else { return nil }
        self.init(channels: parts[0], height: parts[1], width: parts[2])
    }
}
