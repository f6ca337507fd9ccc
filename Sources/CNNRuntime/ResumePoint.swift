import Foundation

/// Everything `--resume` needs, as one safetensors file (`resume.safetensors`), so that it is written,
/// and replaced, as one atomic unit:
/// - tensors `weights/<name>`: the parameters, as in `last.safetensors`;
/// - tensors `optimizer/<key>`: the optimizer's state (momentum, Adam's moments);
/// - metadata: the format, network, position (epoch, step, best accuracy), optimizer step count and the
///   metrics of every finished epoch (JSON), from which metrics.csv is rewritten on resume.
struct ResumePoint {
    static let format = "cnnc-resume-1"
    var network: String
    var position: TrainingPosition
    var optimizerSteps: Int
    var history: [EpochMetrics]
    var weights: [String: Safetensors.Tensor]
    var optimizerState: [String: [Float]]

    func encode(parameters: ParameterStore) -> Data {
        var tensors = parameters.entries.map {
            Safetensors.Tensor(name: "weights/" + $0.name, shape: $0.spec.shape, values: parameters.tensor($0))
        }
        tensors += optimizerState.sorted { $0.key < $1.key }.map {
            Safetensors.Tensor(name: "optimizer/" + $0.key, shape: [$0.value.count], values: $0.value)
        }
        let historyJSON = (try? JSONEncoder().encode(history)).map { String(decoding: $0, as: UTF8.self) } ?? "[]"
        return Safetensors.encode(tensors, metadata: [
            "format": Self.format, "network": network, "epoch": "\(position.epoch)", "step": "\(position.step)",
            "best_accuracy": "\(position.bestAccuracy)", "epoch_loss_sum": "\(position.epochLossSum)",
            "epoch_examples": "\(position.epochExamples)", "optimizer_steps": "\(optimizerSteps)", "history": historyJSON,
        ])
    }

    static func decode(_ data: Data, path: String) throws(CheckpointError) -> ResumePoint {
        let (tensors, metadata) = try Safetensors.decode(data, path: path)
        guard metadata["format"] == format else {
            throw .corrupt(path: path, reason: "not a cnnc resume point (format '\(metadata["format"] ?? "none")', expected '\(format)')")
        }
        func integer(_ key: String) throws(CheckpointError) -> Int {
            guard let value = metadata[key].flatMap({ Int($0) }), value >= 0 else {
                throw .corrupt(path: path, reason: "metadata '\(key)' is missing or not a count")
            }
            return value
        }
        guard let network = metadata["network"], let best = metadata["best_accuracy"].flatMap({ Double($0) }),
              let lossSum = metadata["epoch_loss_sum"].flatMap({ Double($0) }), let historyText = metadata["history"],
              let history = try? JSONDecoder().decode([EpochMetrics].self, from: Data(historyText.utf8)) else {
            throw .corrupt(path: path, reason: "its metadata (network, best accuracy, history) is incomplete")
        }
        let position = TrainingPosition(epoch: try integer("epoch"), step: try integer("step"), bestAccuracy: best,
                                        epochLossSum: lossSum, epochExamples: try integer("epoch_examples"))
        guard history.count == position.epoch, history.enumerated().allSatisfy({ $0.element.epoch == $0.offset + 1 }) else {
            throw .corrupt(path: path, reason: "its history has \(history.count) epochs, its position says \(position.epoch)")
        }
        var weights: [String: Safetensors.Tensor] = [:]
        var state: [String: [Float]] = [:]
        for (name, tensor) in tensors {
            if name.hasPrefix("weights/") {
                var renamed = tensor
                renamed.name = String(name.dropFirst("weights/".count))
                weights[renamed.name] = renamed
            } else if name.hasPrefix("optimizer/") {
                state[String(name.dropFirst("optimizer/".count))] = tensor.values
            } else {
                throw .corrupt(path: path, reason: "unexpected tensor '\(name)'")
            }
        }
        return ResumePoint(network: network, position: position, optimizerSteps: try integer("optimizer_steps"),
                           history: history, weights: weights, optimizerState: state)
    }
}
