/// How a layer's weights are drawn; biases always start at zero.
public enum InitScheme: Hashable, Sendable, CustomStringConvertible {
    /// Normal with std √(2 / fan_in) (He et al., 2015), for ReLU networks.
    case he
    /// Normal with std √(1 / fan_in) (Glorot & Bengio's variance, fan-in form), for tanh/sigmoid.
    case xavier
    /// Normal with the given std.
    case normal(std: Double)
    /// Uniform on [−a, a].
    case uniform(limit: Double)

    public var description: String {
        switch self {
        case .he: "he"
        case .xavier: "xavier"
        case .normal(let std): "normal(\(std))"
        case .uniform(let a): "uniform(\(a))"
        }
    }
}
