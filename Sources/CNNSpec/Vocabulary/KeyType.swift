/// What a key's value may be. The parser reads and checks a value by its key's type, and the
/// documentation and the JSON Schema print it from the same case, so the three cannot drift.
public enum KeyType: Hashable, Sendable {
    case string
    /// A data set name or a directory (`mnist`, `fashion-mnist` or a path), or a `{format, path}` mapping.
    case dataSet
    case boolean
    /// An integer at least `minimum`.
    case integer(minimum: Int)
    /// A finite number in `range`.
    case number(NumberRange)
    /// `n` or `[h, w]`, each at least 1.
    case size
    /// `n`, `[h, w]`, `[top, bottom, left, right]`, `valid`, `same` or `full`.
    case padding
    /// `he`, `xavier`, `normal(std)` or `uniform(a)`.
    case initScheme
    /// One of a few words.
    case choice([String])
    /// `[C, H, W]` or `{channels, height, width}`.
    case shape
    /// A list of layers.
    case layers
    /// A list of lists of layers.
    case branches
    /// `blocks:`: block names mapped to `{params, layers}`.
    case blocks
    /// `true`, `false` or `{statistics: true}`.
    case freeze
    /// A list of layer names or patterns.
    case names
    /// A residual block's shortcut: the word `identity` or a list of layers.
    case shortcut
    /// A non-empty list of integers, each at least `minimum`; exactly `count` of them when it is given.
    case integers(minimum: Int, count: Int? = nil)
    /// A non-empty list of numbers, each in `range`.
    case numbers(NumberRange)
    /// The word `auto` or a mapping of the `normalize` section's keys.
    case autoOrSection(String)
    /// A mapping whose keys another section declares (`train`, `augment`).
    case section(String)
    /// A bare name or a mapping with `name:` from a `VariantFamily` (`optimizer`, `schedule`).
    case variant(String)

    /// The type as docs/spec.md writes it.
    public var text: String {
        switch self {
        case .string: "string"
        case .dataSet: "name, directory or {format, path}"
        case .boolean: "boolean"
        case .integer(let minimum): "integer ≥ \(minimum)"
        case .number(let range): range.text
        case .size: "n or [h, w]"
        case .padding: "n, [h, w], [top, bottom, left, right], valid, same, full"
        case .initScheme: "he | xavier | normal(std) | uniform(a)"
        case .choice(let words): words.joined(separator: " | ")
        case .shape: "[C, H, W], {channels, height, width} or CxHxW"
        case .layers: "list of layers"
        case .branches: "list of lists of layers"
        case .blocks: "mapping of names to {params, layers}"
        case .freeze: "true, false or {statistics: true}"
        case .names: "list of layer names or patterns"
        case .shortcut: "identity or list of layers"
        case .integers(let minimum, nil): "list of integers ≥ \(minimum)"
        case .integers(let minimum, let count?): "\(count) integers ≥ \(minimum)"
        case .numbers(let range): "list of " + range.text.replacingFirst("number", with: "numbers")
        case .autoOrSection: "auto or mapping"
        case .section: "mapping"
        case .variant: "name or mapping"
        }
    }
}

/// An interval of numbers, open or closed at each end, unbounded above when `upper` is nil.
public struct NumberRange: Hashable, Sendable {
    public var lower: Double
    public var lowerIncluded: Bool
    public var upper: Double?
    public var upperIncluded: Bool

    public init(lower: Double, lowerIncluded: Bool, upper: Double? = nil, upperIncluded: Bool = false) {
        self.lower = lower
        self.lowerIncluded = lowerIncluded
        self.upper = upper
        self.upperIncluded = upperIncluded
    }

    /// (0, ∞)
    public static let positive = NumberRange(lower: 0, lowerIncluded: false)
    /// [0, ∞)
    public static let nonNegative = NumberRange(lower: 0, lowerIncluded: true)
    /// [0, 1): rates and decays.
    public static let belowOne = NumberRange(lower: 0, lowerIncluded: true, upper: 1, upperIncluded: false)
    /// Any finite number.
    public static let any = NumberRange(lower: -.infinity, lowerIncluded: false)

    /// (0, 1]
    public static let aboveZeroToOne = NumberRange(lower: 0, lowerIncluded: false, upper: 1, upperIncluded: true)

    public func contains(_ x: Double) -> Bool {
        guard x.isFinite, lowerIncluded ? x >= lower : x > lower else { return false }
        guard let upper else { return true }
        return upperIncluded ? x <= upper : x < upper
    }

    /// "number > 0", "number ≥ 0", "number in [0, 1)".
    public var text: String {
        guard lower.isFinite || upper != nil else { return "number" }
        guard upper != nil else { return "number " + bound }
        return "number in " + interval
    }

    /// What an error says a value must be: "positive", "at least 0", "in [0, 1)".
    public var requirement: String {
        guard lower.isFinite || upper != nil else { return "finite" }
        guard upper == nil else { return "in " + interval }
        if lower == 0 && !lowerIncluded { return "positive" }
        return (lowerIncluded ? "at least " : "above ") + NumberText.format(lower)
    }

    private var bound: String { (lowerIncluded ? "≥ " : "> ") + NumberText.format(lower) }
    private var interval: String {
        (lowerIncluded ? "[" : "(") + NumberText.format(lower) + ", " + NumberText.format(upper ?? .infinity) + (upperIncluded ? "]" : ")")
    }
}

/// Numbers as a person writes them in a spec: `0`, `0.001`, `1e-5`.
enum NumberText {
    static func format(_ x: Double) -> String {
        if x == x.rounded(), abs(x) < 1e15 { return String(Int(x)) }
        let text = "\(x)"
        // Swift writes 1e-05; a spec (and docs/spec.md) writes 1e-5.
        guard let e = text.firstIndex(of: "e") else { return text }
        var exponent = text[text.index(after: e)...]
        var sign = ""
        if exponent.first == "-" || exponent.first == "+" {
            sign = exponent.first == "-" ? "-" : ""
            exponent = exponent.dropFirst()
        }
        let digits = exponent.drop { $0 == "0" }
        return text[..<e] + "e" + sign + (digits.isEmpty ? "0" : digits)
    }
}

private extension String {
    func replacingFirst(_ word: String, with replacement: String) -> String {
        hasPrefix(word) ? replacement + dropFirst(word.count) : self
    }
}
