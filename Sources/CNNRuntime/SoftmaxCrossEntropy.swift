#if canImport(Glibc)
import Glibc
#endif

/// Softmax over each row of logits followed by cross-entropy with the label, averaged over the batch.
///
///     p = softmax(z) (computed as e^(z − max z) / Σ e^(z − max z), so large logits cannot overflow)
///     L = −(1/N) Σ_n log p[n, label_n],      dL/dz = (p − onehot(label)) / N
///
/// With label smoothing ε the target is t = (1 − ε)·onehot(label) + ε/K over K classes (PyTorch's
/// `CrossEntropyLoss(label_smoothing: ε)`): L = −(1/N) Σ_n Σ_k t[k]·log p[n, k], dL/dz = (p − t) / N.
public enum SoftmaxCrossEntropy {
    public struct Result {
        public var loss: Double
        public var correct: Int
    }

    /// Writes probabilities into `probabilities` (if given) and dL/dz into `gradient` (if given).
    /// `correct` counts rows whose largest logit is the label's, whatever the smoothing.
    public static func evaluate(logits: UnsafePointer<Float>, labels: UnsafePointer<Int32>, batch: Int, classes: Int,
                                labelSmoothing: Double = 0, probabilities: UnsafeMutablePointer<Float>? = nil,
                                gradient: UnsafeMutablePointer<Float>? = nil) -> Result {
        let spread = labelSmoothing / Double(max(classes, 1)), onTarget = 1 - labelSmoothing
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
            // −log p[k] = log Σ − (z[k] − top).
            let logSum = log(sum)
            if labelSmoothing == 0 {
                loss += logSum - Double(z[label] - top)
            } else {
                var meanNegativeLog: Double = 0
                for k in 0..<classes { meanNegativeLog += logSum - Double(z[k] - top) }
                loss += onTarget * (logSum - Double(z[label] - top)) + spread * meanNegativeLog
            }
            if best == label { correct += 1 }
            if probabilities != nil || gradient != nil {
                for k in 0..<classes {
                    let p = Float(Double(expf(z[k] - top)) / sum)
                    probabilities?[n * classes + k] = p
                    let target = labelSmoothing == 0 ? (k == label ? 1 : 0) : Float((k == label ? onTarget : 0) + spread)
                    gradient?[n * classes + k] = (p - target) / Float(batch)
                }
            }
        }
        return Result(loss: loss / Double(max(batch, 1)), correct: correct)
    }
}
