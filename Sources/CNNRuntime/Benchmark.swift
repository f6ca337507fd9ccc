import CNNAnalysis
import CNNData
import CNNIR
import Foundation

/// Throughput of a network's training step (forward, loss, backward, optimizer) and of inference,
/// measured as the median of timed batches after a warm-up, plus where the time goes per layer.
///
/// Inputs are random pixels in [0, 1) with random labels: the arithmetic does not depend on the
/// values, and a benchmark must not need a data set on disk.
public struct Benchmark {
    public struct LayerTime: Sendable {
        public var name: String
        public var kind: String
        /// 0 for the network's layers, 1 for those inside a residual or concat at depth 0, …
        public var depth: Int
        /// Median seconds per batch.
        public var forward: Double
        public var backward: Double
        /// The layer runs inside the one before it (a relu after a conv or batchnorm; in inference, a batchnorm folded
        /// into the conv before it, or a conv inside a fused block, `BottleneckFusion`): its time is that layer's (the
        /// block's first conv's).
        public var fused: Bool
        /// Forward multiply-adds per image (conv, dense and the like; 0 for the rest).
        public var multiplyAdds: Int
        /// Those of the work its time covers: its own and the fused layers' after it (a fused block's convs).
        public var timedMultiplyAdds = 0
    }

    public struct Result: Sendable {
        public var batch: Int, threads: Int, iterations: Int
        public var kernels: ConvolutionKernels
        /// Median seconds of one training step / one inference batch.
        public var trainSeconds: Double, inferSeconds: Double
        public var trainImagesPerSecond: Double { trainSeconds > 0 ? Double(batch) / trainSeconds : 0 }
        public var inferImagesPerSecond: Double { Double(batch) / inferSeconds }
        /// Forward multiply-adds of one image, from the analysis.
        public var forwardMultiplyAdds: Int
        /// A training step is ≈ 3 forward passes' work (forward, input gradient, weight gradient), 2 FLOP per multiply-add.
        public var trainGFLOPs: Double { 6 * Double(forwardMultiplyAdds) * trainImagesPerSecond / 1e9 }
        public var inferGFLOPs: Double { 2 * Double(forwardMultiplyAdds) * inferImagesPerSecond / 1e9 }
        /// Peak resident set of the process after both measurements (getrusage), in bytes.
        public var peakResidentBytes: Int
        /// Per-layer medians from separately timed steps (timing each layer adds a little overhead): of training
        /// steps, or of inference batches (backward 0) when only inference was timed.
        public var layers: [LayerTime]
    }

    public let analysis: NetworkAnalysis
    public var batch: Int, threads: Int, iterations: Int, warmup: Int
    public var optimizer: OptimizerConfig
    public var kernels: ConvolutionKernels = .fastest
    /// Times inference only (no training steps; the per-layer breakdown is of inference batches): the training
    /// figures are then 0.
    public var inferenceOnly = false

    public init(_ analysis: NetworkAnalysis, batch: Int, threads: Int, iterations: Int, warmup: Int = 5) {
        self.analysis = analysis
        self.batch = batch
        self.threads = threads
        self.iterations = iterations
        self.warmup = warmup
        optimizer = analysis.network.training?.optimizer ?? OptimizerConfig()
    }

    public func run() -> Result {
        let model = Model(analysis, batchCapacity: batch, threads: threads, kernels: kernels)
        model.parameters.initialize(seed: 1)
        let optimizer = Optimizer(self.optimizer, parameters: model.parameters)
        let classes = model.outputCount
        var generator = SeededGenerator(seed: 1, stream: 0xBE0C)
        for i in 0..<(batch * analysis.network.input.count) { model.input[i] = Float.random(in: 0..<1, using: &generator) }
        let labels = (0..<batch).map { _ in Int32.random(in: 0..<Int32(classes), using: &generator) }
        var step: UInt64 = 0

        func trainStep(clock: LayerClock? = nil) {
            var context = StepContext(training: true, threads: threads, seed: 1, step: step)
            context.clock = clock
            step += 1
            model.forward(batch: batch, context: context)
            _ = labels.withUnsafeBufferPointer {
                SoftmaxCrossEntropy.evaluate(logits: model.output, labels: $0.baseAddress!, batch: batch, classes: classes,
                                             gradient: model.outputGradient)
            }
            model.parameters.zeroGradients()
            model.backward(batch: batch, context: context)
            optimizer.step(model.parameters, learningRate: self.optimizer.learningRate, threads: threads)
        }
        let inference = StepContext.inference(threads: threads)

        func inferenceBatch(clock: LayerClock? = nil) {
            var context = inference
            context.clock = clock
            model.forward(batch: batch, context: context)
        }
        var train = 0.0
        if !inferenceOnly {
            for _ in 0..<warmup { trainStep() }
            train = Self.median((0..<iterations).map { _ in Self.seconds { trainStep() } })
        }
        for _ in 0..<warmup { inferenceBatch() }
        let infer = Self.median((0..<iterations).map { _ in Self.seconds { inferenceBatch() } })
        // Per-layer breakdown: a few more steps (or batches), each layer (nested ones too) timed on its own.
        let layers = Self.layerTimes(model.layers, steps: max(3, min(iterations, 20)), folding: inferenceOnly ? (batch, threads) : nil,
                                     run: { inferenceOnly ? inferenceBatch(clock: $0) : trainStep(clock: $0) })
        return Result(batch: batch, threads: threads, iterations: iterations, kernels: kernels, trainSeconds: train, inferSeconds: infer,
                      forwardMultiplyAdds: analysis.totalMultiplyAdds, peakResidentBytes: Self.peakResidentBytes(), layers: layers)
    }

    /// Each layer's (nested ones too) median forward and backward seconds over `steps` runs of `run`, which passes the
    /// clock to the layers; `folding`: the runs are inference that folds batchnorms into the convs before them (and runs
    /// fused blocks), of batches of this many images on this many threads.
    static func layerTimes(_ network: [RuntimeLayer], steps: Int, folding: (batch: Int, threads: Int)?, run: (LayerClock) -> Void) -> [LayerTime] {
        var rows: [(layer: RuntimeLayer, depth: Int)] = []
        func collect(_ layers: [RuntimeLayer], depth: Int) {
            for layer in layers {
                rows.append((layer, depth))
                collect(layer.children, depth: depth + 1)
            }
        }
        collect(network, depth: 0)
        let clock = LayerClock()
        var samples = [[(forward: Double, backward: Double)]]()
        for _ in 0..<steps {
            clock.reset()
            run(clock)
            samples.append(rows.map { clock.time(of: $0.layer) })
        }
        var times: [LayerTime] = rows.enumerated().map { i, row in
            let folds = folding != nil, block = (row.layer as? FusedBlockMember)?.fusedBlock
            let fused = ((row.layer as? ReLU)?.fusedIntoPrevious ?? false) || (folds && (row.layer as? BatchNormLayer)?.foldsIntoPrevious == true)
                || (folding.map { block?.runs(batch: $0.batch, threads: $0.threads) ?? false } ?? false)
            return LayerTime(name: row.layer.facts.name, kind: row.layer.facts.layer.kind.keyword, depth: row.depth,
                             forward: median(samples.map { $0[i].forward }), backward: median(samples.map { $0[i].backward }),
                             fused: fused, multiplyAdds: row.layer.facts.multiplyAdds)
        }
        for i in times.indices where !times[i].fused {
            var j = i + 1
            times[i].timedMultiplyAdds = times[i].multiplyAdds
            while j < times.count && times[j].fused && times[j].depth == times[i].depth {
                times[i].timedMultiplyAdds += times[j].multiplyAdds
                j += 1
            }
        }
        return times
    }

    static func seconds(_ body: () -> Void) -> Double {
        let start = DispatchTime.now().uptimeNanoseconds
        body()
        return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
    }

    static func median(_ values: [Double]) -> Double {
        let sorted = values.sorted()
        guard !sorted.isEmpty else { return 0 }
        return sorted.count % 2 == 1 ? sorted[sorted.count / 2] : (sorted[sorted.count / 2 - 1] + sorted[sorted.count / 2]) / 2
    }

    /// The process's peak resident set size (Linux reports `ru_maxrss` in KiB).
    public static func peakResidentBytes() -> Int {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        return Int(usage.ru_maxrss) * 1024
    }
}
