import ArgumentParser

/// `--sizes 1..512`, or `--sizes 512` for 1..512; at most 8192 (each size is a whole analysis of the network).
struct SizeRange: ExpressibleByArgument {
    var range: ClosedRange<Int>

    init?(argument: String) {
        let parts = argument.split(separator: ".", omittingEmptySubsequences: true)
        let bounds = parts.compactMap { Int($0) }
        if argument.contains(".."), bounds.count == 2, 1 <= bounds[0], bounds[0] <= bounds[1], bounds[1] <= 8192 {
            range = bounds[0]...bounds[1]
        } else if !argument.contains("."), let top = Int(argument), (1...8192).contains(top) {
            range = 1...top
        } else {
            return nil
        }
    }
}
