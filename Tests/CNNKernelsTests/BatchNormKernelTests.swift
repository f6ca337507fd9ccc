import CNNData
import CNNKernels
import Testing

/// The batch-normalisation loops (AVX2 over 8 channels, a scalar tail for the rest) against naive Double references:
/// 12 channels exercise both. x̂ = (x − mean)·inverseStd throughout.
struct BatchNormKernelTests {
    static let rows = 7, channels = 12

    struct Data {
        var x: [Float], dy: [Float], mean: [Float], inverseStd: [Float], gamma: [Float], beta: [Float]
    }

    static func data() -> Data {
        var random = SeededGenerator(seed: 11)
        func values(_ n: Int, _ scale: Float, _ offset: Float = 0) -> [Float] { (0..<n).map { _ in (random.nextUnitFloat() * 2 - 1) * scale + offset } }
        return Data(x: values(rows * channels, 3, 0.5), dy: values(rows * channels, 1), mean: values(channels, 1),
                    inverseStd: values(channels, 0.5, 1), gamma: values(channels, 1), beta: values(channels, 0.5))
    }

    static func expectClose(_ a: Float, _ e: Double, _ what: String) {
        #expect(abs(Double(a) - e) <= 1e-5 * max(1, abs(e)), "\(what): \(a) vs \(e)")
    }

    static func normalized(_ d: Data, _ r: Int, _ c: Int) -> Double {
        (Double(d.x[r * channels + c]) - Double(d.mean[c])) * Double(d.inverseStd[c])
    }

    @Test(arguments: [false, true])
    func forwardMatchesTheReference(relu: Bool) {
        let d = Self.data()
        var out = [Float](repeating: .nan, count: Self.rows * Self.channels)
        BatchNormKernels.forward(d.x, rows: Self.rows, channels: Self.channels, mean: d.mean, inverseStd: d.inverseStd,
                                 gamma: d.gamma, beta: d.beta, activation: relu ? .relu : .none, output: &out)
        for r in 0..<Self.rows {
            for c in 0..<Self.channels {
                let y = Double(d.gamma[c]) * Self.normalized(d, r, c) + Double(d.beta[c])
                Self.expectClose(out[r * Self.channels + c], relu ? max(y, 0) : y, "y[\(r)][\(c)]")
            }
        }
        #expect(!relu || out.contains(0), "some values are clamped")
    }

    @Test(arguments: [false, true])
    func notANumberStaysNotANumber(relu: Bool) {
        // A NaN statistic (e.g. a checkpoint's negative running variance) must reach the outputs, where eval and
        // predict refuse non-finite values, and not become 0 or −∞ in a clamp.
        var d = Self.data()
        d.inverseStd[2] = .nan   // a vector lane
        d.inverseStd[10] = .nan  // the scalar tail
        var out = [Float](repeating: 0, count: Self.rows * Self.channels)
        BatchNormKernels.forward(d.x, rows: Self.rows, channels: Self.channels, mean: d.mean, inverseStd: d.inverseStd,
                                 gamma: d.gamma, beta: d.beta, activation: relu ? .relu : .none, output: &out)
        for r in 0..<Self.rows {
            #expect(out[r * Self.channels + 2].isNaN && out[r * Self.channels + 10].isNaN)
            #expect(out[r * Self.channels + 3].isFinite)
        }
    }

    @Test func sumsMatchTheReference() {
        let d = Self.data()
        var sum = [Float](repeating: 0, count: Self.channels), product = sum, squares = sum, plain = sum
        BatchNormKernels.channelSum(d.x, rows: Self.rows, channels: Self.channels, into: &plain)
        BatchNormKernels.gradientSums(d.dy, input: d.x, rows: Self.rows, channels: Self.channels, mean: d.mean,
                                      inverseStd: d.inverseStd, sum: &sum, product: &product)
        BatchNormKernels.centeredSquares(d.x, rows: Self.rows, channels: Self.channels, mean: d.mean, into: &squares)
        for c in 0..<Self.channels {
            var s = 0.0, p = 0.0, q = 0.0, t = 0.0
            for r in 0..<Self.rows {
                let g = Double(d.dy[r * Self.channels + c]), x = Double(d.x[r * Self.channels + c])
                s += g
                t += x
                p += g * Self.normalized(d, r, c)
                q += (x - Double(d.mean[c])) * (x - Double(d.mean[c]))
            }
            Self.expectClose(plain[c], t, "Σx[\(c)]")
            Self.expectClose(sum[c], s, "Σdy[\(c)]")
            Self.expectClose(product[c], p, "Σdy·x̂[\(c)]")
            Self.expectClose(squares[c], q, "Σ(x − μ)²[\(c)]")
        }
    }

    @Test func backwardMatchesTheReference() {
        let d = Self.data()
        var random = SeededGenerator(seed: 12)
        let scale = (0..<Self.channels).map { _ in random.nextUnitFloat() + 0.5 }
        let shift = (0..<Self.channels).map { _ in random.nextUnitFloat() - 0.5 }
        let slope = (0..<Self.channels).map { _ in random.nextUnitFloat() - 0.5 }
        var dx = [Float](repeating: .nan, count: Self.rows * Self.channels)
        BatchNormKernels.backward(d.dy, input: d.x, rows: Self.rows, channels: Self.channels, mean: d.mean, inverseStd: d.inverseStd,
                                  scale: scale, shift: shift, slope: slope, inputGradient: &dx)
        for r in 0..<Self.rows {
            for c in 0..<Self.channels {
                let expected = Double(scale[c]) * Double(d.dy[r * Self.channels + c]) - Double(shift[c])
                    - Self.normalized(d, r, c) * Double(slope[c])
                Self.expectClose(dx[r * Self.channels + c], expected, "dx[\(r)][\(c)]")
            }
        }
    }
}
