import CNNData

/// Why a run could not be put together: the error of the stage that refused.
public enum TrainingRunError: Error, Sendable {
    case data(DataError)
    case resource(ResourceError)
    case checkpoint(CheckpointError)
    case training(TrainingError)

    public var message: String {
        switch self {
        case .data(let error): error.message
        case .resource(let error): error.message
        case .checkpoint(let error): error.message
        case .training(let error): error.message
        }
    }

    public var hint: String? {
        switch self {
        case .data(let error): error.hint
        case .resource(let error): error.hint
        case .checkpoint(let error): error.hint
        case .training(let error): error.hint
        }
    }
}
