import CNNTestSupport
import Testing

/// Every layer's backward pass against central finite differences (tolerances in `GradientCheck`):
/// each case is a tiny network ending in the layer under test.
struct GradientTests {
    static let cases: [(String, String)] = [
        ("conv", "input: [2, 6, 6]\nlayers:\n  - conv: {filters: 3, size: 3}\n"),
        ("conv stride 2, pad 1", "input: [2, 7, 7]\nlayers:\n  - conv: {filters: 3, size: 3, stride: 2, pad: 1}\n"),
        ("conv dilation 2", "input: [1, 8, 8]\nlayers:\n  - conv: {filters: 2, size: 3, dilation: 2, pad: 1}\n"),
        ("conv groups 2", "input: [4, 5, 5]\nlayers:\n  - conv: {filters: 6, size: 3, groups: 2, pad: same}\n"),
        ("conv even kernel, same", "input: [2, 6, 6]\nlayers:\n  - conv: {filters: 2, size: 4, pad: same}\n"),
        ("conv asymmetric kernel and padding", "input: [2, 6, 7]\nlayers:\n  - conv: {filters: 2, size: [1, 3], pad: [0, 1, 2, 0], stride: [1, 2]}\n"),
        ("conv full padding", "input: [1, 4, 4]\nlayers:\n  - conv: {filters: 2, size: 3, pad: full}\n"),
        ("conv 1x1", "input: [3, 4, 4]\nlayers:\n  - conv: {filters: 2, size: 1, bias: false}\n"),
        ("local", "input: [2, 5, 5]\nlayers:\n  - local: {filters: 2, size: 3, pad: 1}\n"),
        ("maxpool", "input: [2, 6, 6]\nlayers:\n  - maxpool: {size: 2}\n"),
        ("maxpool overlapping, padded", "input: [2, 7, 7]\nlayers:\n  - maxpool: {size: 3, stride: 2, pad: 1}\n"),
        ("avgpool", "input: [2, 6, 6]\nlayers:\n  - avgpool: {size: 2}\n"),
        ("avgpool padded", "input: [2, 5, 5]\nlayers:\n  - avgpool: {size: 3, stride: 2, pad: 1}\n"),
        ("globalavgpool", "input: [3, 4, 5]\nlayers:\n  - globalavgpool\n"),
        ("dense", "input: [2, 3, 3]\nlayers:\n  - dense: {units: 5}\n"),
        ("relu", "input: [2, 4, 4]\nlayers:\n  - conv: {filters: 2, size: 3}\n  - relu\n"),
        ("sigmoid", "input: [2, 4, 4]\nlayers:\n  - sigmoid\n"),
        ("tanh", "input: [2, 4, 4]\nlayers:\n  - tanh\n"),
        ("dropout (training)", "input: [2, 4, 4]\nlayers:\n  - dropout: {rate: 0.3}\n"),
        ("batchnorm after conv (training)", "input: [2, 4, 4]\nlayers:\n  - conv: {filters: 3, size: 3, pad: 1}\n  - batchnorm\n"),
        ("batchnorm after dense (training)", "input: [1, 3, 3]\nlayers:\n  - dense: {units: 4}\n  - batchnorm\n"),
        ("deepconv in miniature", """
            input: [1, 10, 10]
            layers:
              - conv: {filters: 3, size: 3, pad: 1}
              - relu
              - maxpool: {size: 2}
              - conv: {filters: 4, size: 3, pad: 2}
              - relu
              - maxpool: {size: 2}
              - dense: {units: 6}
              - relu
              - dropout: {rate: 0.5}
              - dense: {units: 3}
            """),
    ]

    @Test(arguments: cases)
    func backwardMatchesFiniteDifferences(name: String, yaml: String) throws {
        let report = try GradientCheck().run(yaml, batch: 3)
        #expect(report.checked > 0)
        #expect(report.failures.isEmpty, "\(name): \(report.failures.prefix(5))")
    }

    @Test func batchNormInferenceUsesRunningStatistics() throws {
        let report = try GradientCheck().run("input: [2, 4, 4]\nlayers:\n  - batchnorm\n", batch: 2, training: false)
        #expect(report.failures.isEmpty, "\(report.failures.prefix(5))")
    }
}
