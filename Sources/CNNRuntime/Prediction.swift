import CNNData
import CNNKernels

/// Class probabilities of one image at a time, for `cnnc predict`.
public enum Prediction {
    /// Softmax of `model`'s logits for one image already resized to the network's input
    /// (channels first, `[C, H, W]`, values in [0, 1]; `invert` maps v to 1 − v first). `weights` and `image`
    /// name the checkpoint and the image in the error when the outputs are not finite. The model's
    /// normalisation, if any, follows.
    public static func probabilities(_ model: Model, pixels: [Float], invert: Bool = false,
                                     weights: String, image: String) throws(EvaluationError) -> [Float] {
        let input = model.analysis.network.input
        precondition(pixels.count == input.count, "the image must be resized to the network's input")
        // The model reads [N, H, W, C], as Batches.copy lays images out for training and eval.
        let values = invert ? pixels.map { 1 - $0 } : pixels
        values.withUnsafeBufferPointer {
            ChannelsLast.fromChannelsFirst($0.baseAddress!, model.input, channels: input.channels, height: input.height, width: input.width)
        }
        if let normalization = model.normalization {
            ImageTransforms.normalizeChannelsLast(model.input, values: pixels.count, normalization)
        }
        model.forward(batch: 1, context: StepContext.inference(threads: model.threads))
        let classes = model.outputCount
        var probabilities = [Float](repeating: 0, count: classes)
        let label: [Int32] = [0]
        probabilities.withUnsafeMutableBufferPointer { p in
            _ = SoftmaxCrossEntropy.evaluate(logits: model.output, labels: label, batch: 1, classes: classes, probabilities: p.baseAddress!)
        }
        if let k = (0..<classes).first(where: { !model.output[$0].isFinite || !probabilities[$0].isFinite }) {
            throw .nonFiniteOutputs(weights: weights, image: image, value: model.output[k].isFinite ? probabilities[k] : model.output[k])
        }
        return probabilities
    }
}

extension Prediction {
    /// A class and its probability.
    public struct Ranked: Sendable, Equatable {
        public var index: Int
        public var probability: Float

        public init(index: Int, probability: Float) {
            self.index = index
            self.probability = probability
        }
    }

    /// The `k` most probable classes, most probable first; equal probabilities in label order.
    public static func top(_ probabilities: [Float], k: Int) -> [Ranked] {
        let order = probabilities.indices.sorted { probabilities[$0] > probabilities[$1] || probabilities[$0] == probabilities[$1] && $0 < $1 }
        return order.prefix(max(0, k)).map { Ranked(index: $0, probability: probabilities[$0]) }
    }
}

extension Prediction {
    /// The mean of an image's outermost ring of pixels (every channel), channels first, values in [0, 1]. Scanned
    /// digits and photographed paper have a bright border, where MNIST's and Fashion-MNIST's are dark.
    public static func borderMean(_ pixels: [Float], channels: Int, height: Int, width: Int) -> Float {
        guard height > 0, width > 0, pixels.count == channels * height * width else { return 0 }
        var sum: Float = 0, count = 0
        for c in 0..<channels {
            for y in 0..<height {
                for x in 0..<width where y == 0 || y == height - 1 || x == 0 || x == width - 1 {
                    sum += pixels[(c * height + y) * width + x]
                    count += 1
                }
            }
        }
        return sum / Float(max(count, 1))
    }
}
