/// Obviously correct direct convolution, the reference the im2col + GEMM path is tested against.
///
///     y[n, f, oh, ow] = b[f] + Σ_{c ∈ group(f), kh, kw} w[f, c', kh, kw] · x[n, c, oh·S + kh·D − P, ow·S + kw·D − P]
public enum ReferenceConvolution {
    public static func forward(_ g: WindowGeometry, groups: Int, filters: Int, batch: Int,
                               input: [Float], weights: [Float], bias: [Float]?) -> [Float] {
        let cpg = g.channels / groups, fpg = filters / groups
        var out = [Float](repeating: 0, count: batch * filters * g.outputHeight * g.outputWidth)
        for n in 0..<batch {
            for f in 0..<filters {
                let group = f / fpg
                for oh in 0..<g.outputHeight {
                    for ow in 0..<g.outputWidth {
                        var sum = bias?[f] ?? 0
                        for cc in 0..<cpg {
                            let c = group * cpg + cc
                            for kh in 0..<g.kernelHeight {
                                for kw in 0..<g.kernelWidth {
                                    let y = oh * g.strideHeight + kh * g.dilationHeight - g.padTop
                                    let x = ow * g.strideWidth + kw * g.dilationWidth - g.padLeft
                                    guard y >= 0, y < g.height, x >= 0, x < g.width else { continue }
                                    let xv = input[((n * g.channels + c) * g.height + y) * g.width + x]
                                    let wv = weights[((f * cpg + cc) * g.kernelHeight + kh) * g.kernelWidth + kw]
                                    sum += xv * wv
                                }
                            }
                        }
                        out[((n * filters + f) * g.outputHeight + oh) * g.outputWidth + ow] = sum
                    }
                }
            }
        }
        return out
    }
}
