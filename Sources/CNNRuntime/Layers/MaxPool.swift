import CNNAnalysis
import CNNKernels

/// `maxpool`: the largest value of each window, per channel; padding never wins.
/// Forward remembers each output's winning input index so backward routes the gradient there only;
/// on ties the first pixel in row-major window order wins (as PyTorch).
public final class MaxPool: RuntimeLayer {
    public let facts: LayerAnalysis
    let geometry: WindowGeometry
    /// `[N, OH, OW, C]` index (within the image, channels-last) of each output's maximum.
    let argmax: UnsafeMutablePointer<Int32>

    init(_ facts: LayerAnalysis, batchCapacity: Int) {
        self.facts = facts
        geometry = WindowGeometry(facts)
        argmax = .allocate(capacity: batchCapacity * facts.output.count)
        argmax.initialize(repeating: 0, count: batchCapacity * facts.output.count)
    }

    deinit { argmax.deallocate() }

    public func forward(input: UnsafePointer<Float>, output: UnsafeMutablePointer<Float>, batch: Int, context: StepContext) {
        let (i, o) = (facts.input, facts.output)
        Parallel.forEachChunk(count: batch, chunks: context.threads) { _, images in
            for n in images {
                Pooling.maxForward(geometry, image: input + n * i.count, output: output + n * o.count, argmax: argmax + n * o.count)
            }
        }
    }

    public func backward(input: UnsafePointer<Float>, output: UnsafePointer<Float>, outputGradient: UnsafePointer<Float>,
                         inputGradient: UnsafeMutablePointer<Float>?, batch: Int, context: StepContext) {
        guard let inputGradient else { return }
        Self.routeGradient(outputGradient, through: argmax, into: inputGradient, input: facts.input.count, output: facts.output.count,
                           batch: batch, threads: context.threads)
    }

    /// dx = 0, then each output's gradient added to the input pixel that won its window (`argmax`, per image):
    /// the backward pass of max pooling, shared with `adaptivemaxpool`.
    static func routeGradient(_ outputGradient: UnsafePointer<Float>, through argmax: UnsafePointer<Int32>,
                              into inputGradient: UnsafeMutablePointer<Float>, input inSize: Int, output outSize: Int,
                              batch: Int, threads: Int) {
        Parallel.forEachChunk(count: batch, chunks: threads) { _, images in
            for n in images {
                let dx = inputGradient + n * inSize
                dx.update(repeating: 0, count: inSize)
                let dy = outputGradient + n * outSize, arg = argmax + n * outSize
                for k in 0..<outSize { dx[Int(arg[k])] += dy[k] }
            }
        }
    }
}
