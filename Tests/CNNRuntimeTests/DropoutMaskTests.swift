import CNNAnalysis
import CNNSpec
import Testing
@testable import CNNRuntime

/// Dropout's masks are hashed per (seed, step, layer, image) rather than drawn from one stream, so
/// their statistics are checked here: each value kept with probability 1 − rate, scaled by
/// 1 / (1 − rate), and no correlation between steps, images, neighbouring values or layers.
/// Bounds are 5 standard errors of an independent Bernoulli sample of the same size.
struct DropoutMaskTests {
    static let values = 60, batch = 100, steps = 20

    /// keep[step][image * values + k] for the dropout layer at `layerIndex`, seed 11.
    func masks(rate: Double, layerIndex: Int) throws -> [[Bool]] {
        let network = try SpecParser.parse("input: [1, 1, \(Self.values)]\nlayers:\n  - dropout: {rate: \(rate)}\n", file: "d.yaml")[0]
        let facts = try NetworkAnalysis(network).layers[0]
        let dropout = Dropout(facts, rate: rate, layerIndex: layerIndex, batchCapacity: Self.batch)
        let count = Self.batch * Self.values
        let ones = [Float](repeating: 1, count: count)
        var output = [Float](repeating: 0, count: count)
        return (0..<Self.steps).map { step in
            ones.withUnsafeBufferPointer { input in
                output.withUnsafeMutableBufferPointer { out in
                    dropout.forward(input: input.baseAddress!, output: out.baseAddress!, batch: Self.batch,
                                    context: StepContext(training: true, threads: 1, seed: 11, step: UInt64(step), firstExample: 0))
                }
            }
            let scale = Float(1 / (1 - rate))
            #expect(output.allSatisfy { $0 == 0 || $0 == scale }, "kept values are scaled by 1 / (1 − rate)")
            return output.map { $0 != 0 }
        }
    }

    /// Pearson correlation of two equally long 0/1 sequences.
    func correlation(_ a: [Bool], _ b: [Bool]) -> Double {
        let n = Double(a.count)
        let x = a.map { $0 ? 1.0 : 0 }, y = b.map { $0 ? 1.0 : 0 }
        let mx = x.reduce(0, +) / n, my = y.reduce(0, +) / n
        var sxy = 0.0, sxx = 0.0, syy = 0.0
        for i in 0..<a.count { sxy += (x[i] - mx) * (y[i] - my); sxx += (x[i] - mx) * (x[i] - mx); syy += (y[i] - my) * (y[i] - my) }
        return sxy / (sxx * syy).squareRoot()
    }

    @Test(arguments: [0.5, 0.2, 0.8])
    func keepRateMatches(rate: Double) throws {
        let kept = try masks(rate: rate, layerIndex: 3).joined()
        let n = Double(kept.count), fraction = Double(kept.filter { $0 }.count) / n
        let standardError = (rate * (1 - rate) / n).squareRoot()
        #expect(abs(fraction - (1 - rate)) < 5 * standardError, "kept \(fraction), expected \(1 - rate)")
    }

    @Test func masksAreUncorrelatedAcrossStepsImagesNeighboursAndLayers() throws {
        let a = try masks(rate: 0.5, layerIndex: 3), b = try masks(rate: 0.5, layerIndex: 4)
        let (n, v) = (Self.batch * Self.values, Self.values)
        var pairs: [(String, [Bool], [Bool])] = []
        // The same image and value in consecutive steps (a fixed mask per batch position would show here).
        pairs.append(("step t vs t+1", Array(a.dropLast().joined()), Array(a.dropFirst().joined())))
        // Neighbouring images of one step, and neighbouring values of one image.
        pairs.append(("image i vs i+1", a.flatMap { Array($0[..<(n - v)]) }, a.flatMap { Array($0[v...]) }))
        pairs.append(("value k vs k+1", a.flatMap { Array($0.dropLast()) }, a.flatMap { Array($0.dropFirst()) }))
        // Two dropout layers at the same step, image and value.
        pairs.append(("layer 3 vs layer 4", Array(a.joined()), Array(b.joined())))
        for (what, x, y) in pairs {
            let r = correlation(x, y)
            #expect(abs(r) < 5 / Double(x.count).squareRoot(), "\(what): correlation \(r) over \(x.count) pairs")
        }
    }
}
