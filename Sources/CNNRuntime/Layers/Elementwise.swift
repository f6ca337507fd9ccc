import CNNAnalysis
import CNNKernels

/// What an element-wise activation declares: y = f(x) and dy/dx, given x and y (sigmoid's and tanh's
/// derivatives are cheaper from y). Each one is a small struct in a file of its own (`Sigmoid.swift`, …);
/// `Elementwise` runs it over a batch.
protocol ElementwiseFunction: Sendable {
    func value(_ x: Float) -> Float
    func derivative(_ x: Float, _ y: Float) -> Float
    /// The loops over a range of elements. Requirements with default implementations, so each kind's
    /// witness is the loop specialised for it: one dynamic call per chunk, `value` inlined in the loop.
    func forward(_ input: UnsafePointer<Float>, _ output: UnsafeMutablePointer<Float>, _ range: Range<Int>)
    func backward(_ input: UnsafePointer<Float>, _ output: UnsafePointer<Float>, _ outputGradient: UnsafePointer<Float>,
                  _ inputGradient: UnsafeMutablePointer<Float>, _ range: Range<Int>)
}

extension ElementwiseFunction {
    func forward(_ input: UnsafePointer<Float>, _ output: UnsafeMutablePointer<Float>, _ range: Range<Int>) {
        for k in range { output[k] = value(input[k]) }
    }

    func backward(_ input: UnsafePointer<Float>, _ output: UnsafePointer<Float>, _ outputGradient: UnsafePointer<Float>,
                  _ inputGradient: UnsafeMutablePointer<Float>, _ range: Range<Int>) {
        for k in range { inputGradient[k] = outputGradient[k] * derivative(input[k], output[k]) }
    }
}

/// The layer of an element-wise activation: y[k] = f(x[k]) and dL/dx[k] = dL/dy[k] · f'(x[k], y[k]),
/// split over the threads in element ranges (even at batch 1). Input, output and their gradients are `[N, H, W, C]` of
/// `facts.input`'s size; element-wise, so the layout does not matter.
final class Elementwise<Function: ElementwiseFunction>: RuntimeLayer {
    let facts: LayerAnalysis
    let function: Function

    init(_ facts: LayerAnalysis, _ function: Function) {
        self.facts = facts
        self.function = function
    }

    func forward(input: UnsafePointer<Float>, output: UnsafeMutablePointer<Float>, batch: Int, context: StepContext) {
        let size = facts.input.count
        Parallel.forEachElementRange(count: batch * size, chunks: context.threads) { range in
            function.forward(input, output, range)
        }
    }

    func backward(input: UnsafePointer<Float>, output: UnsafePointer<Float>, outputGradient: UnsafePointer<Float>,
                  inputGradient: UnsafeMutablePointer<Float>?, batch: Int, context: StepContext) {
        guard let inputGradient else { return }
        let size = facts.input.count
        Parallel.forEachElementRange(count: batch * size, chunks: context.threads) { range in
            function.backward(input, output, outputGradient, inputGradient, range)
        }
    }
}
