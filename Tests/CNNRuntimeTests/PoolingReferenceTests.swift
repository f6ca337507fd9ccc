import CNNAnalysis
import CNNSpec
import Testing
@testable import CNNRuntime

/// `ceil` pooling, adaptive pooling and flatten against numbers computed by PyTorch 1.13 in float64
/// (`/usr/bin/python3`, torch.nn.functional: max_pool2d/avg_pool2d with ceil_mode=True and
/// count_include_pad=False, adaptive_max_pool2d, adaptive_avg_pool2d). The input [2, 5, 4] is
/// x[c, h, w] = (c·20 + h·4 + w)·7 mod 11 − 5; the upstream gradient is 1, 2, … over the output in
/// (C, H, W) order; y and dx are listed in (C, H, W) order, rounded to 12 decimals.
struct PoolingReferenceTests {
    static let (channels, height, width) = (2, 5, 4)

    /// Runs `layer` on the input above; returns y and dx in (C, H, W) order.
    static func run(_ layer: String) throws -> (output: [Float], inputGradient: [Float], shape: [Int]) {
        let network = try SpecParser.parse("input: [2, 5, 4]\nlayers:\n  - \(layer)\n", file: "pool.yaml")[0]
        let model = Model(try NetworkAnalysis(network), batchCapacity: 1)
        let o = model.analysis.output
        for c in 0..<channels { for h in 0..<height { for w in 0..<width {
            model.input[(h * width + w) * channels + c] = Float((c * 20 + h * 4 + w) * 7 % 11 - 5)
        } } }
        let context = StepContext(training: false, threads: 1, seed: 1, step: 0)
        model.forward(batch: 1, context: context)
        var y: [Float] = [], k = 0
        for c in 0..<o.channels { for h in 0..<o.height { for w in 0..<o.width {
            let at = (h * o.width + w) * o.channels + c
            y.append(model.output[at])
            k += 1
            model.outputGradient[at] = Float(k)
        } } }
        var dx = [Float](repeating: .nan, count: channels * height * width)
        dx.withUnsafeMutableBufferPointer { model.backward(batch: 1, context: context, inputGradient: $0.baseAddress!) }
        var firstDx: [Float] = []
        for c in 0..<channels { for h in 0..<height { for w in 0..<width { firstDx.append(dx[(h * width + w) * channels + c]) } } }
        return (y, firstDx, [o.channels, o.height, o.width])
    }

    static let cases: [(String, [Int], [Double], [Double])] = [
        // Height: ⌈(5 + 2 − 2)/2⌉ + 1 = 4, but the 4th window would start at 6 ≥ 5 + 1, so 3; width 3.
        ("maxpool: {size: 2, stride: 2, pad: 1, ceil: true}", [2, 3, 3],
         [-5, 2, 5, 1, 4, 0, 2, 5, 1, 3, -1, 2, 4, 5, 3, 5, 2, 4],
         [1, 2, 0, 3, 4, 0, 5, 6, 0, 0, 0, 0, 7, 0, 8, 9, 0, 0, 0, 0, 10, 11, 0, 12, 0, 14, 0, 0, 13, 0, 0, 15, 0, 0, 17, 0, 16, 0, 0, 18]),
        ("avgpool: {size: 2, stride: 2, pad: 1, ceil: true}", [2, 3, 3],
         [-5, 0, 5, -1.5, 0.75, -2.5, -0.5, 1.75, -1.5, 3, -3, 2, 1, 0.5, 0, 2, -1.25, 1],
         [1, 1, 1, 3, 2, 1.25, 1.25, 3, 2, 1.25, 1.25, 3, 3.5, 2, 2, 4.5, 3.5, 2, 2, 4.5,
          10, 5.5, 5.5, 12, 6.5, 3.5, 3.5, 7.5, 6.5, 3.5, 3.5, 7.5, 8, 4.25, 4.25, 9, 8, 4.25, 4.25, 9]),
        // Windows that run past the input: the last row window covers row 4 only, the last column window column 3 only.
        ("maxpool: {size: 3, stride: 2, ceil: true}", [2, 2, 2],
         [4, 5, 5, 5, 5, 3, 5, 4],
         [0, 0, 0, 2, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 7, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 5, 0, 0, 0, 0, 0, 6, 0, 0, 0, 0, 7, 0, 0, 8]),
        ("avgpool: {size: 3, stride: 2, ceil: true}", [2, 2, 2],
         [-0.555555555556, 0.166666666667, 0.444444444444, -0.666666666667, 0.111111111111, -1, -0.111111111111, 0],
         [0.111111111111, 0.111111111111, 0.444444444444, 0.333333333333, 0.111111111111, 0.111111111111, 0.444444444444,
          0.333333333333, 0.444444444444, 0.444444444444, 1.444444444444, 1, 0.333333333333, 0.333333333333, 1, 0.666666666667,
          0.333333333333, 0.333333333333, 1, 0.666666666667, 0.555555555556, 0.555555555556, 1.555555555556, 1, 0.555555555556,
          0.555555555556, 1.555555555556, 1, 1.333333333333, 1.333333333333, 3.666666666667, 2.333333333333, 0.777777777778,
          0.777777777778, 2.111111111111, 1.333333333333, 0.777777777778, 0.777777777778, 2.111111111111, 1.333333333333]),
        // 6 bins over 4 columns overlap; ties go to the first pixel, as in PyTorch.
        ("adaptivemaxpool: {size: [3, 6]}", [2, 3, 6],
         [1, 2, 2, 4, 5, 5, 2, 3, 3, 5, 5, 1, 2, 4, 4, 5, 5, 1, 3, 5, 5, 1, 2, 2, 4, 5, 5, 2, 3, 3, 5, 5, 1, 2, 4, 4],
         [0, 5, 0, 11, 1, 0, 4, 0, 0, 17, 0, 0, 20, 0, 54, 30, 0, 29, 0, 0, 19, 0, 0, 47, 0, 94, 22, 0, 25, 0, 0, 59, 0, 0, 62, 0, 63, 33, 0, 71]),
        ("adaptiveavgpool: {size: [3, 6]}", [2, 3, 6],
         [-2, -1.25, -0.5, 1, 1.75, 2.5, -0.333333333333, -0.5, -0.666666666667, 2.666666666667, 0.666666666667, -1.333333333333,
          -0.5, 0.25, 1, 2.5, 0.5, -1.5, 0.5, 1.25, 2, -2, -1.25, -0.5, 0.333333333333, 0.166666666667, 0, -0.333333333333, -0.5,
          -0.666666666667, 2, 0, -2, -0.5, 0.25, 1],
         [1, 2, 3.25, 4.25, 4.666666666667, 6.333333333333, 8.416666666667, 10.083333333333, 3.666666666667, 4.333333333333,
          5.166666666667, 5.833333333333, 13.666666666667, 15.333333333333, 17.416666666667, 19.083333333333, 10, 11, 12.25, 13.25,
          14.5, 15.5, 16.75, 17.75, 27.166666666667, 28.833333333333, 30.916666666667, 32.583333333333, 12.666666666667,
          13.333333333333, 14.166666666667, 14.833333333333, 36.166666666667, 37.833333333333, 39.916666666667, 41.583333333333,
          23.5, 24.5, 25.75, 26.75]),
    ]

    @Test(arguments: cases)
    func matchesPyTorch(layer: String, shape: [Int], output: [Double], inputGradient: [Double]) throws {
        let (y, dx, actual) = try Self.run(layer)
        #expect(actual == shape)
        ActivationProbe.expectClose(y, output, "\(layer) y")
        ActivationProbe.expectClose(dx, inputGradient, "\(layer) dx")
    }

    /// flatten gives PyTorch's x.flatten(1), (C, H, W) order, and passes gradients back to their pixels.
    @Test func flattenIsChannelsFirstOrder() throws {
        let (y, dx, shape) = try Self.run("flatten")
        #expect(shape == [40, 1, 1])
        let x = (0..<40).map { Double($0 * 7 % 11 - 5) }
        ActivationProbe.expectClose(y, x, "flatten y")
        ActivationProbe.expectClose(dx, (1...40).map(Double.init), "flatten dx")
    }

    /// `flatten` then `dense` is `dense` alone: same weights (same seed and layout), same outputs and input gradients.
    @Test func flattenThenDenseEqualsDense() throws {
        func run(_ layers: String) throws -> ([Float], [Float]) {
            let network = try SpecParser.parse("input: [3, 4, 5]\nlayers:\n\(layers)", file: "flat.yaml")[0]
            let model = Model(try NetworkAnalysis(network), batchCapacity: 2)
            model.parameters.initialize(seed: 3)
            for k in 0..<(2 * 60) { model.input[k] = Float(k % 13) / 4 - 1.5 }
            let context = StepContext(training: false, threads: 1, seed: 1, step: 0)
            model.forward(batch: 2, context: context)
            let y = (0..<14).map { model.output[$0] }
            for k in 0..<14 { model.outputGradient[k] = Float(k) - 6 }
            var dx = [Float](repeating: .nan, count: 120)
            dx.withUnsafeMutableBufferPointer { model.backward(batch: 2, context: context, inputGradient: $0.baseAddress!) }
            return (y, dx)
        }
        let (plainY, plainDx) = try run("  - dense: {units: 7}\n")
        let (flatY, flatDx) = try run("  - flatten\n  - dense: {units: 7}\n")
        #expect(plainY == flatY)
        #expect(plainDx == flatDx)
        #expect(plainY.contains { $0 != 0 })
    }
}
