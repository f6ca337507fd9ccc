import Foundation

/// The JSON Schema (draft 2020-12) of the spec format, printed from the declarations in
/// `SpecVocabulary` that the parser reads keys through and docs/spec.md's tables come from: every
/// key's type, allowed values, default and meaning. Editors read it through the
/// `# yaml-language-server: $schema=…` line at the top of each spec.
public enum SpecSchema {
    public static let identifier = "https://cnnc.dev/schema/cnnc.schema.json"

    /// The schema as pretty-printed JSON with sorted keys (stable, so docs/cnnc.schema.json can be compared).
    public static func json() -> String {
        let data = try! JSONSerialization.data(withJSONObject: document(), options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes])
        return String(decoding: data, as: UTF8.self) + "\n"
    }

    static func document() -> [String: Any] {
        var root = object(SpecVocabulary.network.keys)
        // A spec that extends another need not say what its base says; its `layers` may patch the base's by
        // name. Where blocks may be used (`blocks` here or in a base), a layer list's items are checked by
        // `cnnc check`, not here: a block's name is not known to a schema.
        let required = root["required"]
        root["required"] = nil
        var properties = root["properties"] as! [String: Any]
        var layers = properties["layers"] as! [String: Any]
        layers["$ref"] = nil
        properties["layers"] = layers
        root["properties"] = properties
        root["allOf"] = [
            ["if": ["required": ["extends"]], "then": [String: Any](), "else": ["required": required as Any]],
            ["if": ["anyOf": [["required": ["blocks"]], ["required": ["extends"]]]],
             "then": ["properties": ["layers": ["type": ["array", "object"]]]],
             "else": ["properties": ["layers": ["$ref": "#/$defs/layers"]]]],
        ]
        root["$schema"] = "https://json-schema.org/draft/2020-12/schema"
        root["$id"] = identifier
        root["title"] = "cnnc network spec"
        root["description"] = "One network per YAML document: its input, layers, loss and training recipe. See docs/spec.md."
        root["$defs"] = definitions()
        return root
    }

    // MARK: - Sections

    /// An object schema for some keys: each key's schema with description and default, the
    /// required ones listed, nothing else allowed.
    static func object(_ keys: [Key], extra: [String: Any] = [:]) -> [String: Any] {
        var properties: [String: Any] = extra
        var required: [String] = []
        for key in keys where properties[key.name] == nil {
            properties[key.name] = property(key)
            if key.isRequired { required.append(key.name) }
        }
        var result: [String: Any] = ["type": "object", "properties": properties, "additionalProperties": false]
        if !required.isEmpty { result["required"] = required }
        return result
    }

    static func property(_ key: Key) -> [String: Any] {
        var property = schema(for: key.type)
        property["description"] = key.summary + (key.isRequired ? "" : " (default: \(key.defaultValue.text))")
        switch key.defaultValue {
        case .integer(let n): property["default"] = n
        case .number(let x): property["default"] = x
        case .boolean(let b): property["default"] = b
        case .word(let w): property["default"] = w
        case .required, .described: break
        }
        return property
    }

    static func definitions() -> [String: Any] {
        // A layer: a bare word, or a mapping with exactly one key (its kind).
        var kinds: [String: Any] = [:]
        for kind in SpecVocabulary.layerKinds {
            let parameters = object(kind.keys)
            switch kind.build {
            case .concat: kinds[kind.keyword] = ["oneOf": [["$ref": "#/$defs/branches"], parameters]]
            case .residual: kinds[kind.keyword] = ["oneOf": [["$ref": "#/$defs/layers"], parameters]]
            case .layer, .separable, .repeatBlock:
                kinds[kind.keyword] = kind.mayStandAlone ? ["oneOf": [["type": "null"], parameters]] : parameters
            }
        }
        let bareKinds = SpecVocabulary.layerKinds.filter(\.mayStandAlone).map(\.keyword)
        let layer: [String: Any] = [
            "description": "a bare word (relu) or a mapping with one key, the layer's kind, holding its parameters",
            "oneOf": [
                ["enum": bareKinds],
                ["type": "object", "properties": kinds, "additionalProperties": false, "minProperties": 1, "maxProperties": 1],
            ],
        ]
        var definitions: [String: Any] = [
            "layer": layer,
            "layers": ["type": "array", "items": ["$ref": "#/$defs/layer"], "minItems": 1],
            "branches": ["type": "array", "items": ["$ref": "#/$defs/layers"], "minItems": 1],
            "train": object(SpecVocabulary.train.keys),
            "augment": object(SpecVocabulary.augment.keys),
            "early_stop": object(SpecVocabulary.earlyStop.keys),
            "resize": object(SpecVocabulary.resize.keys),
            "crop": object(SpecVocabulary.crop.keys),
            "jitter": object(SpecVocabulary.jitter.keys),
            "erase": object(SpecVocabulary.erase.keys),
            "normalize": object(SpecVocabulary.normalize.keys),
            "data": object(SpecVocabulary.dataSource.keys),
            "shape": object(SpecVocabulary.inputShape.keys),
        ]
        // A family's mapping: one object per member, told apart by `name`, each with only its keys.
        for family in SpecVocabulary.families {
            definitions[family.name] = ["oneOf": family.members.map { member in
                var name = property(family.nameKey)
                name["const"] = member.name
                name["enum"] = nil
                return object([family.nameKey] + member.keys, extra: ["name": name]).merging(["required": ["name"]]) { $1 }
            }]
        }
        return definitions
    }

    // MARK: - Key types

    /// The schema of a value of one type.
    static func schema(for type: KeyType) -> [String: Any] {
        switch type {
        case .string:
            return ["type": "string"]
        case .dataSet:
            return ["oneOf": [["type": "string"], ["$ref": "#/$defs/data"]]]
        case .boolean:
            return ["type": "boolean"]
        case .integer(let minimum):
            return ["type": "integer", "minimum": minimum]
        case .number(let range):
            var result: [String: Any] = ["type": "number"]
            if range.lower.isFinite { result[range.lowerIncluded ? "minimum" : "exclusiveMinimum"] = range.lower }
            if let upper = range.upper { result[range.upperIncluded ? "maximum" : "exclusiveMaximum"] = upper }
            return result
        case .size:
            let integer1: [String: Any] = ["type": "integer", "minimum": 1]
            return ["oneOf": [integer1, ["type": "array", "items": integer1, "minItems": 2, "maxItems": 2]]]
        case .padding:
            let natural: [String: Any] = ["type": "integer", "minimum": 0]
            return ["oneOf": [natural, ["enum": ["valid", "same", "full"]],
                              ["type": "array", "items": natural, "minItems": 2, "maxItems": 2],
                              ["type": "array", "items": natural, "minItems": 4, "maxItems": 4]]]
        case .initScheme:
            let number = "\\s*[0-9]*\\.?[0-9]+([eE][-+]?[0-9]+)?\\s*"
            return ["type": "string", "pattern": "^\\s*(he|xavier|glorot|normal\\(\(number)\\)|uniform\\(\(number)\\))\\s*$"]
        case .shape:
            return ["oneOf": [["type": "array", "items": ["type": "integer", "minimum": 1], "minItems": 3, "maxItems": 3],
                              ["$ref": "#/$defs/shape"], ["type": "string", "pattern": "^[1-9][0-9]*x[1-9][0-9]*x[1-9][0-9]*$"]]]
        case .layers:
            return ["$ref": "#/$defs/layers"]
        case .freeze:
            return ["oneOf": [["type": "boolean"], ["type": "object", "additionalProperties": false,
                                                    "properties": ["statistics": ["type": "boolean"]]] as [String: Any]]]
        case .names:
            return ["type": "array", "items": ["type": "string"], "minItems": 1]
        case .blocks:
            let params: [String: Any] = ["oneOf": [["type": "array", "items": ["type": "string"]], ["type": "object"]]]
            return ["type": "object", "additionalProperties": [
                "type": "object", "required": ["layers"], "additionalProperties": false,
                "properties": ["params": params, "layers": ["type": "array", "minItems": 1]],
            ] as [String: Any]]
        case .branches:
            return ["$ref": "#/$defs/branches"]
        case .shortcut:
            return ["oneOf": [["enum": ["identity"]], ["$ref": "#/$defs/layers"]]]
        case .integers(let minimum, nil):
            return ["type": "array", "items": ["type": "integer", "minimum": minimum], "minItems": 1]
        case .integers(let minimum, let count?):
            return ["type": "array", "items": ["type": "integer", "minimum": minimum], "minItems": count, "maxItems": count]
        case .choice(let words):
            return ["enum": words]
        case .numbers(let range):
            return ["type": "array", "items": schema(for: .number(range)), "minItems": 1]
        case .autoOrSection(let name):
            return ["oneOf": [["enum": ["auto"]], ["$ref": "#/$defs/" + name]]]
        case .section(let name):
            return ["$ref": "#/$defs/" + name]
        case .variant(let name):
            return ["oneOf": [["enum": SpecVocabulary.family(name).members.map(\.name)], ["$ref": "#/$defs/" + name]]]
        }
    }
}
