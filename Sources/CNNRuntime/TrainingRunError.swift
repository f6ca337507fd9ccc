import CNNData

/// Why a run could not be put together: the error of the stage that refused.
public enum TrainingRunError: Error, Sendable {
    case data(DataError)
    case resource(ResourceError)
    case checkpoint(CheckpointError)
    case training(TrainingError)
    /// Every learned tensor is frozen (or scaled to a zero rate): an epoch would change nothing.
    case nothingTrains

    public var message: String {
        switch self {
        case .nothingTrains: "every layer with learned tensors is frozen or has lr_scale 0: training would change nothing"
        case .data(let error): error.message
        case .resource(let error): error.message
        case .checkpoint(let error): error.message
        case .training(let error): error.message
        }
    }

    public var hint: String? {
        switch self {
        case .nothingTrains: "leave at least one layer unfrozen (train.freeze and freeze: true name the frozen ones)"
        case .data(let error): error.hint
        case .resource(let error): error.hint
        case .checkpoint(let error): error.hint
        case .training(let error): error.hint
        }
    }
}
