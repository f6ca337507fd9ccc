import CNNData

extension Evaluation {
    /// A test image the network got wrong: its index in the evaluated range, true and predicted class, and the
    /// probability it gave the predicted class.
    public struct Mistake: Sendable, Equatable {
        public var image: Int
        public var label: Int
        public var predicted: Int
        public var confidence: Float
    }

    /// The wrong predictions the network was surest of, surest first (ties: the earlier image first), at most `limit`.
    /// `probabilities` is `[count, classes]` (`Evaluation.probabilities`), `labels` the labels of the same images.
    public static func mostConfidentMistakes(probabilities: [Float], labels: [Int32], classes: Int, limit: Int) -> [Mistake] {
        guard classes > 0, limit > 0 else { return [] }
        var mistakes: [Mistake] = []
        for image in 0..<min(labels.count, probabilities.count / classes) {
            let row = probabilities[(image * classes)..<((image + 1) * classes)]
            var predicted = 0
            for k in 1..<classes where row[row.startIndex + k] > row[row.startIndex + predicted] { predicted = k }
            if predicted != Int(labels[image]) {
                mistakes.append(Mistake(image: image, label: Int(labels[image]), predicted: predicted, confidence: row[row.startIndex + predicted]))
            }
        }
        mistakes.sort { $0.confidence != $1.confidence ? $0.confidence > $1.confidence : $0.image < $1.image }
        return Array(mistakes.prefix(limit))
    }
}
