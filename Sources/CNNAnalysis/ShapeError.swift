import CNNIR

/// A network that cannot be built as written: the first impossible layer, with the numbers.
public enum ShapeError: Error, Equatable, Sendable {
    /// The sliding-window formula gives an output below 1; `formula` shows it with the layer's numbers.
    case outputTooSmall(layer: String, axis: String, formula: String, at: SourceLocation)
    case groupsMismatch(layer: String, channels: Int, filters: Int, groups: Int, at: SourceLocation)
    case poolPaddingTooLarge(layer: String, padding: ResolvedPadding, window: Size2, at: SourceLocation)
    /// A size or count beyond cnnc's limits (`CheckedSize`): `what` names it with the layer's numbers,
    /// `limit` is the largest allowed (`CheckedSize.maximumElements`, or `Int.max` for counts).
    case tooLarge(layer: String, what: String, limit: Int, at: SourceLocation)
    /// The network's input holds more than `CheckedSize.maximumElements` values, or C·H·W overflows.
    case inputTooLarge(input: Shape, at: SourceLocation)
    /// A concat's branches disagree on height/width, or a residual body's output cannot be projected onto.
    case branchMismatch(layer: String, detail: String, requirement: String, at: SourceLocation)
    /// An `spp` level finer than the map it pools.
    case pyramidTooFine(layer: String, level: Int, input: Shape, at: SourceLocation)
    /// A layer whose input or paths do not fit what it was written with (a channel count that does not
    /// divide, a slice past the channels, a shortcut of another shape than the body); `fix` says what to change.
    case doesNotFit(layer: String, detail: String, fix: String, at: SourceLocation)

    public var location: SourceLocation {
        switch self {
        case .outputTooSmall(_, _, _, let at), .groupsMismatch(_, _, _, _, let at),
             .poolPaddingTooLarge(_, _, _, let at), .tooLarge(_, _, _, let at), .inputTooLarge(_, let at), .branchMismatch(_, _, _, let at),
             .pyramidTooFine(_, _, _, let at), .doesNotFit(_, _, _, let at):
            return at
        }
    }

    public var message: String {
        switch self {
        case .outputTooSmall(let layer, let axis, let formula, _):
            return "layer '\(layer)' has no output: output \(axis) = \(formula)"
        case .groupsMismatch(let layer, let channels, let filters, let groups, _):
            return "layer '\(layer)': groups = \(groups) must divide both its \(channels) input channels and its \(filters) filters"
        case .poolPaddingTooLarge(let layer, let padding, let window, _):
            return "layer '\(layer)': padding \(padding) is as large as the \(window) window, so a window could see only padding"
        case .tooLarge(let layer, let what, let limit, _):
            return "layer '\(layer)': \(what) is too large; it must be at most \(Self.describe(limit: limit))"
        case .inputTooLarge(let input, _):
            return "the input \(input) is too large; it must hold at most \(Self.describe(limit: CheckedSize.maximumElements))"
        case .branchMismatch(let layer, let detail, let requirement, _):
            return "layer '\(layer)': \(detail); \(requirement)"
        case .pyramidTooFine(let layer, let level, let input, _):
            return "layer '\(layer)': level \(level) cuts the \(input.height)x\(input.width) map into more bins than it has pixels"
        case .doesNotFit(let layer, let detail, _, _):
            return "layer '\(layer)': \(detail)"
        }
    }

    public var hint: String? {
        switch self {
        case .outputTooSmall:
            return "the input is too small here: use a smaller size or stride, add padding (pad: same), or remove an earlier pooling layer"
        case .groupsMismatch:
            return "choose groups that divide both, e.g. groups: 1"
        case .poolPaddingTooLarge:
            return "use padding of at most size − 1 on each side"
        case .tooLarge:
            return "use a smaller input, fewer filters or units, or a smaller size, stride, dilation or padding (limits: docs/spec.md, Limits)"
        case .inputTooLarge:
            return "give 'input' a smaller [channels, height, width] (limits: docs/spec.md, Limits)"
        case .branchMismatch:
            return "give every path the same stride and padding ('pad: same' keeps the size at stride 1)"
        case .pyramidTooFine:
            return "use levels no larger than the map's height and width, or pool less before the spp layer"
        case .doesNotFit(_, _, let fix, _):
            return fix
        }
    }

    /// "2^40 = 1,099,511,627,776 values per image" or "9,223,372,036,854,775,807 (the largest 64-bit integer)".
    static func describe(limit: Int) -> String {
        if limit == Int.max { return "\(grouped(limit)) (the largest 64-bit integer)" }
        if limit == CheckedSize.maximumElements { return "2^40 = \(grouped(limit)) (cnnc's limit for one tensor or axis)" }
        return grouped(limit)
    }

    static func grouped(_ value: Int) -> String {
        let digits = Array(String(value))
        var out = ""
        for (i, digit) in digits.enumerated() {
            if i > 0 && (digits.count - i) % 3 == 0 { out.append(",") }
            out.append(digit)
        }
        return out
    }
}

/// Something legal but probably unintended, such as input rows a strided window never reads.
public struct Diagnostic: Hashable, Sendable {
    public var location: SourceLocation
    public var message: String
    /// The layer it is about, when it is about one.
    public var layer: String?

    public init(location: SourceLocation, layer: String? = nil, message: String) {
        self.location = location
        self.message = message
        self.layer = layer
    }
}
