import CNNAnalysis
import CNNData
import CNNIR
import CNNRuntime
import CNNSpec

/// Finite-difference gradient check of a whole network (Caffe's `GradientChecker` idea).
///
/// With a fixed random upstream gradient G, the scalar L = Σ G ⊙ output has dL/d(output) = G;
/// backward's dL/d(input) and dL/d(parameters) are compared with central differences
/// (L(θ + ε) − L(θ − ε)) / 2ε, L accumulated in Double.
/// A value passes when |analytic − numeric| ≤ absoluteTolerance + relativeTolerance · max(|analytic|, |numeric|).
public struct GradientCheck {
    public var epsilon: Float = 1e-3
    public var absoluteTolerance: Double = 3e-3
    public var relativeTolerance: Double = 2e-2
    /// At most this many coordinates per tensor are probed (spread evenly), to keep tests fast.
    public var probesPerTensor = 60

    public init() {}

    public struct Failure: CustomStringConvertible, Sendable {
        public var tensor: String, index: Int, analytic: Double, numeric: Double
        public var description: String { "\(tensor)[\(index)]: analytic \(analytic), numeric \(numeric)" }
    }

    public struct Report: Sendable {
        public var checked = 0
        public var failures: [Failure] = []
        public var maxError: Double = 0
    }

    /// Builds the network of `yaml` and checks it on `batch` random images.
    public func run(_ yaml: String, batch: Int = 2, training: Bool = true, seed: UInt64 = 7) throws -> Report {
        let network = try SpecParser.parse(yaml, file: "gradient-check.yaml")[0]
        let analysis = try NetworkAnalysis(network)
        let model = Model(analysis, batchCapacity: batch, threads: 2)
        model.parameters.initialize(seed: seed)
        var generator = SeededGenerator(seed: seed, stream: 99)
        // Non-zero parameters everywhere (biases and batchnorm shifts too), so every path is exercised.
        for i in 0..<model.parameters.count where model.parameters.values[i] == 0 || model.parameters.values[i] == 1 {
            model.parameters.values[i] += (generator.nextUnitFloat() - 0.5) * 0.2
        }
        let inputCount = batch * network.input.count
        // Evenly spaced values in random order: no two inputs of a max-pool window are within 2ε,
        // so no probe crosses a kink of max (which would make the finite difference meaningless).
        var input = (0..<inputCount).map { Float(2 * $0 + 1) / Float(inputCount) - 1 }
        input.shuffle(using: &generator)
        let outputCount = batch * analysis.output.count
        let upstream = (0..<outputCount).map { _ in Double(generator.nextUnitFloat() * 2 - 1) }
        let context = StepContext(training: training, threads: 2, seed: seed, step: 3)

        func loss() -> Double {
            model.forward(batch: batch, context: context)
            var sum = 0.0
            for k in 0..<outputCount { sum += upstream[k] * Double(model.output[k]) }
            return sum
        }

        input.withUnsafeBufferPointer { model.input.update(from: $0.baseAddress!, count: inputCount) }
        _ = loss()
        let outputGradient = upstream.map { Float($0) }
        for k in 0..<outputCount { model.outputGradient[k] = outputGradient[k] }
        model.parameters.zeroGradients()
        model.backward(batch: batch, context: context)
        let parameterGradients = Array(model.parameters.gradients)
        // Training never needs dL/d(input); ask backward for it explicitly.
        let inputGradient = InputGradient.compute(model, batch: batch, context: context, outputGradient: outputGradient)

        var report = Report()
        func probe(_ name: String, count: Int, value: (Int) -> UnsafeMutablePointer<Float>, analytic: (Int) -> Double) {
            let step = max(1, count / probesPerTensor)
            for index in stride(from: 0, to: count, by: step) {
                let p = value(index)
                let saved = p.pointee
                p.pointee = saved + epsilon
                let plus = loss()
                p.pointee = saved - epsilon
                let minus = loss()
                p.pointee = saved
                let numeric = (plus - minus) / Double(2 * epsilon)
                let a = analytic(index)
                let error = abs(a - numeric)
                report.checked += 1
                report.maxError = max(report.maxError, error)
                if error > absoluteTolerance + relativeTolerance * max(abs(a), abs(numeric)) {
                    report.failures.append(Failure(tensor: name, index: index, analytic: a, numeric: numeric))
                }
            }
        }
        probe("input", count: inputCount, value: { model.input + $0 }, analytic: { Double(inputGradient[$0]) })
        for entry in model.parameters.entries where entry.spec.isTrainable {
            probe(entry.name, count: entry.count, value: { model.parameters.values.baseAddress! + entry.offset + $0 },
                  analytic: { Double(parameterGradients[entry.offset + $0]) })
        }
        return report
    }
}

/// dL/d(input) for tests: runs the first layer's backward with an input-gradient buffer.
enum InputGradient {
    /// `outputGradient` is written again first: a backward pass uses the model's gradient buffers for every layer
    /// (`GradientArena`), so the last one's does not survive it.
    static func compute(_ model: Model, batch: Int, context: StepContext, outputGradient: [Float]) -> [Float] {
        model.forward(batch: batch, context: context)
        outputGradient.withUnsafeBufferPointer { model.outputGradient.update(from: $0.baseAddress!, count: $0.count) }
        model.parameters.zeroGradients()
        var result = [Float](repeating: 0, count: batch * model.analysis.network.input.count)
        result.withUnsafeMutableBufferPointer { buffer in
            model.backward(batch: batch, context: context, inputGradient: buffer.baseAddress!)
        }
        return result
    }
}
