import ArgumentParser
import CNNAnalysis
import CNNData
import CNNDistributed
import CNNExport
import CNNIR
import CNNRuntime
import CNNSpec

/// What every library error offers the CLI: words for the user and, for spec errors, a place.
protocol UserFacingError: Error {
    var message: String { get }
    var hint: String? { get }
    var sourceLocation: SourceLocation? { get }
}

extension UserFacingError {
    var sourceLocation: SourceLocation? { nil }
}

extension SpecError: UserFacingError {
    var sourceLocation: SourceLocation? { location }
}

extension ShapeError: UserFacingError {
    var sourceLocation: SourceLocation? { location }
}

extension DataError: UserFacingError {}
extension CheckpointError: UserFacingError {}
extension EvaluationError: UserFacingError {}
extension TrainingError: UserFacingError {}
extension DistributedError: UserFacingError {}
extension RunFolderError: UserFacingError {}
extension SweepError: UserFacingError {}
extension ResourceError: UserFacingError {}
extension TrainingRunError: UserFacingError {}

extension ExportError: UserFacingError {
    var sourceLocation: SourceLocation? { location }
}

/// Renders a library error as a diagnostic and exits non-zero: the one place the CLI turns errors into exits.
enum Report {
    static func catching<T, E: UserFacingError>(_ body: () throws(E) -> T) throws -> T {
        do {
            return try body()
        } catch {
            // Several independent errors of a spec: each as its own diagnostic, then how many, as compilers do.
            if let spec = error as? SpecError, case .several(let errors) = spec {
                for error in errors { DiagnosticRenderer.error(error.message, at: error.location, hint: error.hint) }
                Terminal.standardError("\(errors.count) errors\(errors.count == SpecParser.maximumReportedErrors ? " (the first \(errors.count); there may be more)" : "")\n")
                throw ExitCode(1)
            }
            if let location = error.sourceLocation {
                DiagnosticRenderer.error(error.message, at: location, hint: error.hint)
            } else {
                DiagnosticRenderer.error(error.message, hint: error.hint)
            }
            throw ExitCode(1)
        }
    }
}
