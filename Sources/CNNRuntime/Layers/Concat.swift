import CNNAnalysis
import CNNKernels

/// `concat`: every branch runs on the same input; their outputs are joined along channels,
/// branch 1's channels first (an Inception module).
///
///     y[n, h, w, offset_b + c] = branch_b(x)[n, h, w, c]
///     dL/dx = Σ_b branch_b's backward of its slice of dL/dy
public final class ConcatBlock: RuntimeLayer {
    public let facts: LayerAnalysis
    let branches: [LayerStack]
    /// Channels of each branch's output and where they start in this layer's output.
    let channels: [Int], offsets: [Int]
    /// One branch's input gradient while the branches' contributions are summed.
    let gradientScratch: UnsafeMutablePointer<Float>

    init(_ facts: LayerAnalysis, branches: [LayerStack], batchCapacity: Int) {
        self.facts = facts
        self.branches = branches
        let widths = facts.branches.map { $0.last!.output.channels }
        channels = widths
        offsets = widths.indices.map { i in widths[..<i].reduce(0, +) }
        gradientScratch = .allocate(capacity: branches.count > 1 ? batchCapacity * facts.input.count : 1)
        gradientScratch.initialize(repeating: 0, count: branches.count > 1 ? batchCapacity * facts.input.count : 1)
    }

    deinit { gradientScratch.deallocate() }

    public var children: [RuntimeLayer] { branches.flatMap(\.layers) }

    /// Pixels of one image's output map.
    private var pixels: Int { facts.output.height * facts.output.width }

    public func forward(input: UnsafePointer<Float>, output: UnsafeMutablePointer<Float>, batch: Int, context: StepContext) {
        let total = facts.output.channels
        for (b, branch) in branches.enumerated() {
            branch.forward(input: input, batch: batch, context: context)
            let source = branch.output, (width, offset) = (channels[b], offsets[b])
            for row in 0..<(batch * pixels) {
                (output + row * total + offset).update(from: source + row * width, count: width)
            }
        }
    }

    public func backward(input: UnsafePointer<Float>, output: UnsafePointer<Float>, outputGradient: UnsafePointer<Float>,
                         inputGradient: UnsafeMutablePointer<Float>?, batch: Int, context: StepContext) {
        let total = facts.output.channels, inCount = batch * facts.input.count
        for (b, branch) in branches.enumerated() {
            let slice = branch.outputGradient, (width, offset) = (channels[b], offsets[b])
            for row in 0..<(batch * pixels) {
                (slice + row * width).update(from: outputGradient + row * total + offset, count: width)
            }
            guard let inputGradient else {
                branch.backward(input: input, inputGradient: nil, batch: batch, context: context)
                continue
            }
            if b == 0 {
                branch.backward(input: input, inputGradient: inputGradient, batch: batch, context: context)
            } else {
                branch.backward(input: input, inputGradient: gradientScratch, batch: batch, context: context)
                for k in 0..<inCount { inputGradient[k] += gradientScratch[k] }
            }
        }
    }
}
