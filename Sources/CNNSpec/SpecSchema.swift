import Foundation

/// The JSON Schema (draft 2020-12) of the spec format, generated from `SpecVocabulary`, the table
/// the parser and docs/spec.md also come from: every key's type, allowed values, default and meaning.
/// Editors read it through the `# yaml-language-server: $schema=…` line at the top of each spec.
public enum SpecSchema {
    public static let identifier = "https://cnnc.dev/schema/cnnc.schema.json"

    /// The schema as pretty-printed JSON with sorted keys (stable, so docs/cnnc.schema.json can be compared).
    public static func json() -> String {
        let data = try! JSONSerialization.data(withJSONObject: document(), options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes])
        return String(decoding: data, as: UTF8.self) + "\n"
    }

    static func document() -> [String: Any] {
        var root = object(SpecVocabulary.network, section: "network")
        root["$schema"] = "https://json-schema.org/draft/2020-12/schema"
        root["$id"] = identifier
        root["title"] = "cnnc network spec"
        root["description"] = "One network per YAML document: its input, layers, loss and training recipe. See docs/spec.md."
        root["$defs"] = definitions()
        return root
    }

    // MARK: - Sections

    /// An object schema for a section's keys: each key's schema with description and default, the
    /// required ones listed, nothing else allowed.
    static func object(_ keys: [SpecVocabulary.Key], section: String) -> [String: Any] {
        var properties: [String: Any] = [:]
        var required: [String] = []
        for key in keys {
            var property = schema(for: key, section: section)
            property["description"] = key.summary + (key.defaultValue == "required" ? "" : " (default: \(key.defaultValue))")
            properties[key.name] = property
            if key.defaultValue == "required" { required.append(key.name) }
        }
        var result: [String: Any] = ["type": "object", "properties": properties, "additionalProperties": false]
        if !required.isEmpty { result["required"] = required }
        return result
    }

    static func definitions() -> [String: Any] {
        // A layer: a bare word, or a mapping with exactly one key (its kind).
        var kinds: [String: Any] = [:]
        func parameters(_ keys: [SpecVocabulary.Key], _ kind: String) -> [String: Any] { object(keys, section: kind) }
        kinds["conv"] = parameters(SpecVocabulary.convolution, "conv")
        kinds["local"] = parameters(SpecVocabulary.convolution, "local")
        kinds["depthwise"] = parameters(SpecVocabulary.depthwise, "depthwise")
        kinds["separable"] = parameters(SpecVocabulary.separable, "separable")
        kinds["maxpool"] = parameters(SpecVocabulary.pooling, "maxpool")
        kinds["avgpool"] = parameters(SpecVocabulary.pooling, "avgpool")
        kinds["spp"] = parameters(SpecVocabulary.spp, "spp")
        kinds["dense"] = parameters(SpecVocabulary.dense, "dense")
        kinds["repeat"] = parameters(SpecVocabulary.repeatBlock, "repeat")
        for (kind, keys) in [("dropout", SpecVocabulary.dropout), ("batchnorm", SpecVocabulary.batchNorm)] {
            kinds[kind] = ["oneOf": [["type": "null"], parameters(keys, kind)]]
        }
        for kind in bareKinds where kinds[kind] == nil {
            kinds[kind] = ["oneOf": [["type": "null"], parameters(SpecVocabulary.activation, kind)]]
        }
        kinds["concat"] = ["oneOf": [["$ref": "#/$defs/branches"], parameters(SpecVocabulary.concat, "concat")]]
        kinds["residual"] = ["oneOf": [["$ref": "#/$defs/layers"], parameters(SpecVocabulary.residual, "residual")]]
        precondition(Set(kinds.keys) == Set(SpecVocabulary.layerKinds), "the schema must cover every layer kind")

        let layer: [String: Any] = [
            "description": "a bare word (relu) or a mapping with one key, the layer's kind, holding its parameters",
            "oneOf": [
                ["enum": bareKinds],
                ["type": "object", "properties": kinds, "additionalProperties": false, "minProperties": 1, "maxProperties": 1],
            ],
        ]
        return [
            "layer": layer,
            "layers": ["type": "array", "items": ["$ref": "#/$defs/layer"], "minItems": 1],
            "branches": ["type": "array", "items": ["$ref": "#/$defs/layers"], "minItems": 1],
            "train": object(SpecVocabulary.train, section: "train"),
            "optimizer": object(SpecVocabulary.optimizer, section: "train.optimizer"),
            "schedule": object(SpecVocabulary.schedule, section: "train.schedule"),
            "augment": object(SpecVocabulary.augment, section: "train.augment"),
            "shape": object(SpecVocabulary.inputShape, section: "input"),
        ]
    }

    /// Kinds that may be written as a bare word (no parameters needed).
    static let bareKinds = ["relu", "sigmoid", "tanh", "globalavgpool", "dropout", "batchnorm"]

    // MARK: - Key types

    /// The schema of one key, from the type its vocabulary entry documents. Every type string the
    /// vocabulary uses is mapped here; a new one stops the build's tests until it is.
    static func schema(for key: SpecVocabulary.Key, section: String) -> [String: Any] {
        let integer1: [String: Any] = ["type": "integer", "minimum": 1]
        switch key.type {
        case "string", "mnist | fashion-mnist | directory":
            return ["type": "string"]
        case "boolean":
            return ["type": "boolean"]
        case "integer ≥ 1":
            return integer1
        case "integer ≥ 0":
            return ["type": "integer", "minimum": 0]
        case "number > 0":
            return ["type": "number", "exclusiveMinimum": 0]
        case "number ≥ 0":
            return ["type": "number", "minimum": 0]
        case "number in [0, 1)":
            return ["type": "number", "minimum": 0, "exclusiveMaximum": 1]
        case "number in (0, 1]":
            return ["type": "number", "exclusiveMinimum": 0, "maximum": 1]
        case "n or [h, w]":
            return ["oneOf": [integer1, ["type": "array", "items": integer1, "minItems": 2, "maxItems": 2]]]
        case "n, [h, w], [top, bottom, left, right], valid, same, full":
            let natural: [String: Any] = ["type": "integer", "minimum": 0]
            return ["oneOf": [natural, ["enum": ["valid", "same", "full"]],
                              ["type": "array", "items": natural, "minItems": 2, "maxItems": 2],
                              ["type": "array", "items": natural, "minItems": 4, "maxItems": 4]]]
        case "he | xavier | normal(std) | uniform(a)":
            let number = "\\s*[0-9]*\\.?[0-9]+([eE][-+]?[0-9]+)?\\s*"
            return ["type": "string", "pattern": "^\\s*(he|xavier|glorot|normal\\(\(number)\\)|uniform\\(\(number)\\))\\s*$"]
        case "[C, H, W] or {channels, height, width}":
            return ["oneOf": [["type": "array", "items": integer1, "minItems": 3, "maxItems": 3], ["$ref": "#/$defs/shape"]]]
        case "list of layers":
            return ["$ref": "#/$defs/layers"]
        case "list of lists of layers":
            return ["$ref": "#/$defs/branches"]
        case "list of integers ≥ 1":
            return ["type": "array", "items": integer1, "minItems": 1]
        case "softmax_cross_entropy", "max | avg", "sgd | momentum | nesterov | adagrad | rmsprop | adam",
             "constant | step | exponential | cosine":
            return ["enum": key.type.components(separatedBy: " | ")]
        case "mapping":
            return ["$ref": "#/$defs/" + (key.name == "train" ? "train" : key.name)]
        case "name or mapping":
            let names = key.name == "optimizer" ? ["sgd", "momentum", "nesterov", "adagrad", "rmsprop", "adam"]
                                                : ["constant", "step", "exponential", "cosine"]
            return ["oneOf": [["enum": names], ["$ref": "#/$defs/" + key.name]]]
        default:
            preconditionFailure("SpecSchema has no JSON Schema for the type '\(key.type)' of \(section).\(key.name)")
        }
    }
}
