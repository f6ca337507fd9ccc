#if canImport(Glibc)
import Glibc
#endif

/// Softmax over each row of logits followed by cross-entropy with the label, averaged over the batch.
///
///     p = softmax(z) (computed as e^(z − max z) / Σ e^(z − max z), so large logits cannot overflow)
///     L = −(1/N) Σ_n log p[n, label_n],      dL/dz = (p − onehot(label)) / N
public enum SoftmaxCrossEntropy {
    public struct Result {
        public var loss: Double
        public var correct: Int
    }

    /// Writes probabilities into `probabilities` (if given) and dL/dz into `gradient` (if given).
    public static func evaluate(logits: UnsafePointer<Float>, labels: UnsafePointer<Int32>, batch: Int, classes: Int,
                                probabilities: UnsafeMutablePointer<Float>? = nil,
                                gradient: UnsafeMutablePointer<Float>? = nil) -> Result {
        var loss: Double = 0
        var correct = 0
        for n in 0..<batch {
            let z = logits + n * classes
            var best = 0
            for k in 1..<max(classes, 1) where z[k] > z[best] { best = k }
            let top = z[best]
            var sum: Double = 0
            for k in 0..<classes { sum += Double(expf(z[k] - top)) }
            let label = Int(labels[n])
            loss += log(sum) - Double(z[label] - top)
            if best == label { correct += 1 }
            if probabilities != nil || gradient != nil {
                for k in 0..<classes {
                    let p = Float(Double(expf(z[k] - top)) / sum)
                    probabilities?[n * classes + k] = p
                    gradient?[n * classes + k] = (p - (k == label ? 1 : 0)) / Float(batch)
                }
            }
        }
        return Result(loss: loss / Double(max(batch, 1)), correct: correct)
    }
}
