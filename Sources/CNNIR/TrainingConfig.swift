#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The `train:` section: how to fit the network. Every field has the default documented in docs/spec.md.
public struct TrainingConfig: Hashable, Sendable {
    public var epochs: Int = 10
    public var batch: Int = 100
    public var optimizer: OptimizerConfig = OptimizerConfig()
    public var schedule: Schedule = .constant
    /// A data set name (`mnist`, `fashion-mnist`) or a directory.
    public var data: String = "mnist"
    /// The folder's format; nil: detected from its contents.
    public var dataFormat: DataFormat?
    /// Fraction of the training set held out for validation (0: none).
    public var validation: Double = 0
    /// ε of the training loss's targets (1 − ε)·onehot + ε/K (0: plain one-hot targets; PyTorch's `label_smoothing`).
    public var labelSmoothing: Double = 0
    /// Layer name patterns (`conv*`) whose layers are frozen; the parser applies them to the layers' `freeze`.
    public var freeze: [String] = []
    /// Epochs (a fraction is allowed) over which the rate rises linearly, step by step, to the schedule's.
    public var warmupEpochs: Double = 0
    public var earlyStop: EarlyStop?
    public var augment: Augmentation = Augmentation()
    /// Per-channel input normalisation (nil: none, the network sees pixels in [0, 1]).
    public var normalize: NormalizationSetting? = nil
    /// How image files of another size than the input are resized; nil: they are refused.
    public var resize: ImageResize?
    public var seed: UInt64 = 1
    public var location: SourceLocation = .unknown

    public init() {}
}

/// `train.early_stop`: end the run when a validation metric has not improved for `patience` epochs.
public struct EarlyStop: Hashable, Sendable {
    public enum Metric: String, Hashable, Sendable, CaseIterable {
        case validationLoss = "val_loss"
        case validationAccuracy = "val_accuracy"
    }

    public var metric: Metric
    /// Epochs without an improvement of more than `minDelta` after which the run ends.
    public var patience: Int
    public var minDelta: Double

    public init(metric: Metric = .validationLoss, patience: Int = 5, minDelta: Double = 0) {
        self.metric = metric
        self.patience = patience
        self.minDelta = minDelta
    }
}

public struct OptimizerConfig: Hashable, Sendable {
    public enum Kind: String, Hashable, Sendable, CaseIterable {
        case sgd, momentum, nesterov, adagrad, rmsprop, adam, adamw
    }

    public var kind: Kind = .adam
    public var learningRate: Double = 0.001
    /// Momentum coefficient for `momentum` and `nesterov`.
    public var momentum: Double = 0.9
    /// Adam's β1, β2.
    public var beta1: Double = 0.9
    public var beta2: Double = 0.999
    /// RMSprop's decay of the squared-gradient average.
    public var rho: Double = 0.99
    public var epsilon: Double = 1e-8
    /// L2 penalty added to the gradient of weights (not biases or batchnorm parameters).
    public var weightDecay: Double = 0

    public init() {}
}

/// Learning-rate schedule, evaluated once per epoch (epoch counted from 0).
public enum Schedule: Hashable, Sendable {
    case constant
    /// lr · gamma^⌊epoch / stepSize⌋
    case step(stepSize: Int, gamma: Double)
    /// lr · gamma^epoch
    case exponential(gamma: Double)
    /// minLR + (lr − minLR) · (1 + cos(π · epoch / epochs)) / 2
    case cosine(minLearningRate: Double)
    /// PyTorch's ReduceLROnPlateau (mode min, relative threshold, no cooldown) on the validation loss (the
    /// training loss without a validation split): × factor after `patience` epochs without a relative
    /// improvement of `threshold`, not below minLR. The runtime replays it over the finished epochs.
    case plateau(factor: Double, patience: Int, threshold: Double, minLearningRate: Double)
    /// PyTorch's OneCycleLR (cosine, two phases) per step: from lr/div up to lr over the first `peakFraction`
    /// of the steps, then down to lr/(div·finalDiv). The runtime computes it per step.
    case oneCycle(peakFraction: Double, divFactor: Double, finalDivFactor: Double)

    /// The rate of an epoch for the epoch-level schedules; `plateau` and `oneCycle` depend on the finished
    /// epochs' losses and on the step, and give `base` here (the runtime's `LearningRatePlan` has them).
    public func learningRate(base: Double, epoch: Int, epochs: Int) -> Double {
        switch self {
        case .constant, .plateau, .oneCycle:
            return base
        case .step(let size, let gamma):
            return base * pow(gamma, Double(epoch / max(size, 1)))
        case .exponential(let gamma):
            return base * pow(gamma, Double(epoch))
        case .cosine(let minLR):
            let t = Double(epoch) / Double(max(epochs, 1))
            return minLR + (base - minLR) * (1 + cos(Double.pi * t)) / 2
        }
    }
}

/// Random distortions applied to training images only, in this order: shift and rotation, crop,
/// horizontal flip, brightness/contrast jitter, random erasing (normalisation comes after all of them).
public struct Augmentation: Hashable, Sendable {
    /// Largest shift in pixels, each axis, uniform in [−shift, shift].
    public var shift: Int = 0
    /// Largest rotation in degrees, uniform in [−rotate, rotate].
    public var rotate: Double = 0
    /// Random crop of the padded image back to the input size (torchvision's `RandomCrop(size, padding)`).
    public var crop: RandomCrop? = nil
    /// Probability of a horizontal flip (torchvision's `RandomHorizontalFlip(p)`).
    public var hflip: Double = 0
    /// Brightness and contrast jitter (torchvision's `ColorJitter(brightness, contrast)`).
    public var brightness: Double = 0
    public var contrast: Double = 0
    /// Random erasing of a rectangle (torchvision's `RandomErasing`), last of all.
    public var erase: RandomErasing? = nil

    public init(shift: Int = 0, rotate: Double = 0, crop: RandomCrop? = nil, hflip: Double = 0,
                brightness: Double = 0, contrast: Double = 0, erase: RandomErasing? = nil) {
        self.shift = shift
        self.rotate = rotate
        self.crop = crop
        self.hflip = hflip
        self.brightness = brightness
        self.contrast = contrast
        self.erase = erase
    }

    public var isEnabled: Bool {
        shift > 0 || rotate > 0 || (crop?.pad ?? 0) > 0 || hflip > 0 || brightness > 0 || contrast > 0
            || (erase?.probability ?? 0) > 0
    }
}

/// With probability `probability`, replaces one rectangle of the image: its area a uniform fraction
/// of the image's in `scale`, its aspect ratio (height / width) log-uniform in `ratio`, its place
/// uniform. torchvision's `RandomErasing(p, scale, ratio)` (Zhong et al., "Random Erasing Data
/// Augmentation", 2017): up to 10 draws of area and ratio until the rectangle fits, none if none does.
public struct RandomErasing: Hashable, Sendable {
    public enum Fill: String, Hashable, Sendable, CaseIterable {
        /// Black: pixel value 0 (before `normalize`).
        case zero
        /// Every value of the rectangle uniform in [0, 1), as the paper erases (each pixel and channel its own).
        case random
    }

    public var probability: Double
    public var scale: ClosedRange<Double>
    public var ratio: ClosedRange<Double>
    public var fill: Fill

    public init(probability: Double = 0.5, scale: ClosedRange<Double> = 0.02...0.33,
                ratio: ClosedRange<Double> = 0.3...3.3, fill: Fill = .zero) {
        self.probability = probability
        self.scale = scale
        self.ratio = ratio
        self.fill = fill
    }
}

/// Pads the image by `pad` pixels on every side, then cuts a window of the input's size at a uniform
/// random offset in [0, 2·pad] on each axis.
public struct RandomCrop: Hashable, Sendable {
    public enum Fill: String, Hashable, Sendable, CaseIterable {
        /// Zeros (black), torchvision's `padding_mode='constant'` with fill 0.
        case zero
        /// The image mirrored without repeating its edge pixel, torchvision's (and `torch.nn.functional.pad`'s) 'reflect'.
        case reflect
    }

    public var pad: Int
    public var fill: Fill

    public init(pad: Int, fill: Fill = .zero) {
        self.pad = pad
        self.fill = fill
    }
}
