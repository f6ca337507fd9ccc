import CNNData
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

    public var accuracy: Double { count == 0 ? 0 : Double(correct) / Double(count) }

    /// Runs every model over `data` (or the images in `range`) in inference mode.
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
        var probabilities = [Float](repeating: 0, count: batchSize * classes)
        var sum = [Float](repeating: 0, count: batchSize * classes)
        let context = StepContext(training: false, threads: threads)
        var start = range.lowerBound
        while start < range.upperBound {
            let batch = min(batchSize, range.upperBound - start)
            sum.withUnsafeMutableBufferPointer { $0.update(repeating: 0) }
            for (m, model) in models.enumerated() {
                Batches.copy(data, indices: Array(start..<(start + batch)), into: model.input)
                model.forward(batch: batch, context: context)
                data.labels.withUnsafeBufferPointer { labels in
                    probabilities.withUnsafeMutableBufferPointer { p in
                        _ = SoftmaxCrossEntropy.evaluate(logits: model.output, labels: labels.baseAddress! + start, batch: batch,
                                                         classes: classes, probabilities: p.baseAddress!)
                    }
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
                          probabilities: keepOutputs ? keptProbabilities : nil, logits: keepOutputs ? keptLogits : nil)
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

/// Copies (and optionally distorts) images into a model's input buffer, converting the data set's
/// channels-first images to the runtime's channels-last layout (a no-op for one channel).
public enum Batches {
    public static func copy(_ data: Dataset, indices: [Int], into input: UnsafeMutablePointer<Float>) {
        let size = data.imageSize
        data.pixels.withUnsafeBufferPointer { pixels in
            for (slot, index) in indices.enumerated() {
                ChannelsLast.fromChannelsFirst(pixels.baseAddress! + index * size, input + slot * size,
                                               channels: data.channels, height: data.height, width: data.width)
            }
        }
    }

    public static func copyAugmented(_ data: Dataset, indices: [Int], into input: UnsafeMutablePointer<Float>,
                                     augmenter: Augmenter, seed: UInt64, epoch: Int) {
        let size = data.imageSize
        var distorted = [Float](repeating: 0, count: data.channels > 1 ? size : 0)
        data.pixels.withUnsafeBufferPointer { pixels in
            for (slot, index) in indices.enumerated() {
                // One stream per (epoch, image): the same distortion whatever the batch or thread layout.
                var generator = SeededGenerator(seed: seed, stream: UInt64(epoch) << 32 | UInt64(index) | 1 << 63)
                let destination = input + slot * size
                guard data.channels > 1 else {
                    augmenter.apply(source: pixels.baseAddress! + index * size, destination: destination,
                                    channels: 1, height: data.height, width: data.width, generator: &generator)
                    continue
                }
                distorted.withUnsafeMutableBufferPointer { buffer in
                    augmenter.apply(source: pixels.baseAddress! + index * size, destination: buffer.baseAddress!,
                                    channels: data.channels, height: data.height, width: data.width, generator: &generator)
                    ChannelsLast.fromChannelsFirst(buffer.baseAddress!, destination, channels: data.channels,
                                                   height: data.height, width: data.width)
                }
            }
        }
    }
}

#if canImport(Glibc)
import Glibc
#endif
