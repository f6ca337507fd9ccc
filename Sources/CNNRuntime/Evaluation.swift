import CNNData
import CNNIR
import CNNKernels

/// Accuracy, loss and confusion matrix of one or more models (an ensemble averages softmax outputs).
public struct Evaluation: Sendable {
    public var count: Int
    public var correct: Int
    /// Mean cross-entropy of the (averaged) probabilities.
    public var loss: Double
    /// confusion[true label][predicted label]
    public var confusion: [[Int]]
    /// `[count, classes]` averaged probabilities, when asked for.
    public var probabilities: [Float]?
    /// `[count, classes]` logits of the first model, when asked for.
    public var logits: [Float]?
    /// The first NaN or infinite output met (weights too large for the network overflow Float).
    public var firstNonFinite: NonFiniteOutput? = nil

    /// Where an output was not finite: which model, which image of the data set, and the value.
    public struct NonFiniteOutput: Sendable, Equatable {
        public var model: Int, image: Int
        public var value: Float
    }

    public var accuracy: Double { count == 0 ? 0 : Double(correct) / Double(count) }

    /// `run`, refusing what it cannot report: images of another size than the network's input and labels
    /// outside its outputs (checked first: either would index past a buffer), and outputs that are not finite. `weights` names each model's file.
    public static func checked(_ models: [Model], weights: [String], on data: Dataset, threads: Int, keepOutputs: Bool = false,
                               range: Range<Int>? = nil) throws(EvaluationError) -> Evaluation {
        let classes = models[0].outputCount
        let shape = models[0].analysis.network.input
        guard data.channels == shape.channels, data.height == shape.height, data.width == shape.width else {
            throw .inputMismatch(data: "\(data.channels)x\(data.height)x\(data.width)", network: shape.description)
        }
        let range = range?.clamped(to: 0..<data.count) ?? 0..<data.count
        if let bad = range.first(where: { data.labels[$0] < 0 || Int(data.labels[$0]) >= classes }) {
            throw .labelOutOfRange(image: bad, label: Int(data.labels[bad]), classes: classes)
        }
        let evaluation = run(models, on: data, threads: threads, keepOutputs: keepOutputs, range: range)
        if let bad = evaluation.firstNonFinite {
            throw .nonFiniteOutputs(weights: weights[bad.model], image: "test image \(bad.image)", value: bad.value)
        }
        return evaluation
    }

    /// Runs every model over `data` (or the images in `range`) in inference mode. Labels must lie in
    /// `0..<outputCount` (`checked` verifies it); a non-finite output is recorded in `firstNonFinite`.
    public static func run(_ models: [Model], on data: Dataset, threads: Int, keepOutputs: Bool = false,
                           range: Range<Int>? = nil) -> Evaluation {
        let classes = models[0].outputCount
        let range = range?.clamped(to: 0..<data.count) ?? 0..<data.count
        let total = range.count
        let batchSize = models[0].batchCapacity
        var confusion = [[Int]](repeating: [Int](repeating: 0, count: classes), count: classes)
        var correct = 0
        var loss: Double = 0
        var keptProbabilities: [Float] = []
        var keptLogits: [Float] = []
        var firstNonFinite: NonFiniteOutput?
        var probabilities = [Float](repeating: 0, count: batchSize * classes)
        var sum = [Float](repeating: 0, count: batchSize * classes)
        let context = StepContext.inference(threads: threads)
        var start = range.lowerBound
        while start < range.upperBound {
            let batch = min(batchSize, range.upperBound - start)
            sum.withUnsafeMutableBufferPointer { $0.update(repeating: 0) }
            for (m, model) in models.enumerated() {
                Batches.copy(data, indices: Array(start..<(start + batch)), into: model.input, normalization: model.normalization)
                model.forward(batch: batch, context: context)
                data.labels.withUnsafeBufferPointer { labels in
                    probabilities.withUnsafeMutableBufferPointer { p in
                        _ = SoftmaxCrossEntropy.evaluate(logits: model.output, labels: labels.baseAddress! + start, batch: batch,
                                                         classes: classes, probabilities: p.baseAddress!)
                    }
                }
                if firstNonFinite == nil, let k = (0..<(batch * classes)).first(where: { !model.output[$0].isFinite || !probabilities[$0].isFinite }) {
                    let value = model.output[k].isFinite ? probabilities[k] : model.output[k]
                    firstNonFinite = NonFiniteOutput(model: m, image: start + k / classes, value: value)
                }
                for k in 0..<(batch * classes) { sum[k] += probabilities[k] / Float(models.count) }
                if keepOutputs && m == 0 { keptLogits.append(contentsOf: UnsafeBufferPointer(start: model.output, count: batch * classes)) }
            }
            for n in 0..<batch {
                let row = sum[(n * classes)..<((n + 1) * classes)]
                let predicted = row.indices.max { row[$0] < row[$1] }! - n * classes
                let label = Int(data.labels[start + n])
                confusion[label][predicted] += 1
                if predicted == label { correct += 1 }
                loss -= log(Double(max(row[n * classes + label], 1e-30)))
            }
            if keepOutputs { keptProbabilities.append(contentsOf: sum[0..<(batch * classes)]) }
            start += batch
        }
        return Evaluation(count: total, correct: correct, loss: loss / Double(max(total, 1)), confusion: confusion,
                          probabilities: keepOutputs ? keptProbabilities : nil, logits: keepOutputs ? keptLogits : nil,
                          firstNonFinite: firstNonFinite)
    }

    /// The evaluation of the union of every rank's part (counts, loss and confusion summed; outputs dropped).
    public func summed(over world: Communicator) -> Evaluation {
        guard world.size > 1 else { return self }
        let classes = confusion.count
        var packed = [Double(count), Double(correct), loss * Double(count)] + confusion.joined().map(Double.init)
        world.sum(&packed)
        let total = Int(packed[0])
        let merged = (0..<classes).map { row in (0..<classes).map { Int(packed[3 + row * classes + $0]) } }
        return Evaluation(count: total, correct: Int(packed[1]), loss: packed[2] / Double(max(total, 1)), confusion: merged,
                          probabilities: nil, logits: nil)
    }
}

/// Why an evaluation or prediction has no result to report.
public enum EvaluationError: Error, Equatable, Sendable {
    /// A model's logits or probabilities were NaN or infinite: the weights overflow Float in this network.
    case nonFiniteOutputs(weights: String, image: String, value: Float)
    /// An image's label has no output in the network (reading the output would go past the array).
    case labelOutOfRange(image: Int, label: Int, classes: Int)
    /// The data's images are not the network's input size (copying them would overrun the input buffer).
    case inputMismatch(data: String, network: String)

    public var message: String {
        switch self {
        case .nonFiniteOutputs(let weights, let image, let value):
            return "\(weights): the network's outputs are not finite with these weights: \(image) gives \(value)"
        case .labelOutOfRange(let image, let label, let classes):
            return "test image \(image) has label \(label), but the network has \(classes) outputs (labels 0..<\(classes))"
        case .inputMismatch(let data, let network):
            return "the data's images are \(data) but the network's input is \(network)"
        }
    }

    public var hint: String? {
        switch self {
        case .nonFiniteOutputs:
            return "the weights are too large for this network (a diverged run or edited values); use another checkpoint of the run, or retrain with a lower learning rate"
        case .labelOutOfRange: return "the last layer needs one output per class"
        case .inputMismatch: return "evaluate on the data the network was trained on (--data), or set the spec's input to the data's shape"
        }
    }
}

/// Copies (and optionally distorts) images into a model's input buffer, converting the data set's
/// channels-first images to the runtime's channels-last layout (a no-op for one channel), then
/// normalising each channel when a `Normalization` is given: distortions (and their black fills)
/// come first, as torchvision's transforms come before its `Normalize`.
public enum Batches {
    public static func copy(_ data: Dataset, indices: [Int], into input: UnsafeMutablePointer<Float>,
                            normalization: Normalization? = nil) {
        let size = data.imageSize
        data.pixels.withUnsafeBufferPointer { pixels in
            for (slot, index) in indices.enumerated() {
                ChannelsLast.fromChannelsFirst(pixels.baseAddress! + index * size, input + slot * size,
                                               channels: data.channels, height: data.height, width: data.width)
            }
        }
        if let normalization { ImageTransforms.normalizeChannelsLast(input, values: indices.count * size, normalization) }
    }

    public static func copyAugmented(_ data: Dataset, indices: [Int], into input: UnsafeMutablePointer<Float>,
                                     augmenter: Augmenter, seed: UInt64, epoch: Int, normalization: Normalization? = nil) {
        let size = data.imageSize
        var distorted = [Float](repeating: 0, count: data.channels > 1 ? size : 0)
        var scratch = [Float](repeating: 0, count: size)
        data.pixels.withUnsafeBufferPointer { pixels in
            scratch.withUnsafeMutableBufferPointer { scratch in
                for (slot, index) in indices.enumerated() {
                    // One stream per (epoch, image): the same distortion whatever the batch or thread layout.
                    var generator = SeededGenerator(seed: seed, stream: UInt64(epoch) << 32 | UInt64(index) | 1 << 63)
                    let destination = input + slot * size
                    guard data.channels > 1 else {
                        augmenter.apply(source: pixels.baseAddress! + index * size, destination: destination,
                                        channels: 1, height: data.height, width: data.width, generator: &generator,
                                        scratch: scratch.baseAddress!)
                        continue
                    }
                    distorted.withUnsafeMutableBufferPointer { buffer in
                        augmenter.apply(source: pixels.baseAddress! + index * size, destination: buffer.baseAddress!,
                                        channels: data.channels, height: data.height, width: data.width, generator: &generator,
                                        scratch: scratch.baseAddress!)
                        ChannelsLast.fromChannelsFirst(buffer.baseAddress!, destination, channels: data.channels,
                                                       height: data.height, width: data.width)
                    }
                }
            }
        }
        if let normalization { ImageTransforms.normalizeChannelsLast(input, values: indices.count * size, normalization) }
    }
}

#if canImport(Glibc)
import Glibc
#endif
