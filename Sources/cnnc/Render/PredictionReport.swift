import CNNRuntime

/// What `cnnc predict` prints for one image: the most probable class (with its name when the checkpoint
/// has class names), its probability, and the top k.
enum PredictionReport {
    /// `digit.png: class 7 Sneaker (p = 0.930)   top 3: Sneaker 0.930  Sandal 0.050  Ankle boot 0.015`;
    /// without names (or when the name is the number, as MNIST's), `class 7 (p = 0.930)   top 3: 7 0.930 …`.
    static func line(image: String, top: [Prediction.Ranked], names: [String]?) -> String {
        let best = top[0]
        let name = ClassLabel.name(best.index, names).map { " \($0)" } ?? ""
        let list = top.map { "\(ClassLabel.text($0.index, names)) \(Format.decimal(Double($0.probability), places: 3))" }
        return "\(image): class \(best.index)\(name) (p = \(Format.decimal(Double(best.probability), places: 3)))   "
            + "top \(top.count): " + list.joined(separator: "  ")
    }

    static func json(image: String, top: [Prediction.Ranked], names: [String]?) -> JSONValue {
        func entry(_ ranked: Prediction.Ranked) -> [(String, JSONValue)] {
            [("class", .int(ranked.index)), ("name", names.flatMap { ranked.index < $0.count ? .string($0[ranked.index]) : nil } ?? .null),
             ("probability", .double(Double(ranked.probability)))]
        }
        return .object([("image", .string(image))] + entry(top[0]) + [("top", .array(top.map { .object(entry($0)) }))])
    }
}

/// A class as shown: its name when there is one, else its number.
enum ClassLabel {
    /// The name of class `index` when it says more than the number ("Sneaker", not MNIST's "7").
    static func name(_ index: Int, _ names: [String]?) -> String? {
        guard let names, index < names.count, names[index] != "\(index)" else { return nil }
        return names[index]
    }

    static func text(_ index: Int, _ names: [String]?) -> String { name(index, names) ?? "\(index)" }
}
