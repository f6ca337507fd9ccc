/// Geometry of a sliding window over one image, padding resolved: everything im2col needs.
public struct WindowGeometry: Sendable {
    public var channels: Int, height: Int, width: Int
    public var kernelHeight: Int, kernelWidth: Int
    public var strideHeight: Int, strideWidth: Int
    public var dilationHeight: Int, dilationWidth: Int
    public var padTop: Int, padLeft: Int
    public var outputHeight: Int, outputWidth: Int

    public init(channels: Int, height: Int, width: Int, kernelHeight: Int, kernelWidth: Int,
                strideHeight: Int, strideWidth: Int, dilationHeight: Int, dilationWidth: Int,
                padTop: Int, padLeft: Int, outputHeight: Int, outputWidth: Int) {
        self.channels = channels; self.height = height; self.width = width
        self.kernelHeight = kernelHeight; self.kernelWidth = kernelWidth
        self.strideHeight = strideHeight; self.strideWidth = strideWidth
        self.dilationHeight = dilationHeight; self.dilationWidth = dilationWidth
        self.padTop = padTop; self.padLeft = padLeft
        self.outputHeight = outputHeight; self.outputWidth = outputWidth
    }

    /// Rows of the column matrix: C·KH·KW.
    public var columnRows: Int { channels * kernelHeight * kernelWidth }
    /// Columns of the column matrix: OH·OW.
    public var columnCount: Int { outputHeight * outputWidth }
}

/// im2col and its adjoint col2im (Caffe's formulation): a convolution becomes one GEMM.
///
/// The column matrix is `[C·KH·KW, OH·OW]`, row (c, kh, kw), column (oh, ow); padded taps are 0.
public enum Im2Col {
    /// image `[C, H, W]` -> columns `[C·KH·KW, OH·OW]`.
    public static func forward(_ g: WindowGeometry, image: UnsafePointer<Float>, columns: UnsafeMutablePointer<Float>) {
        let ohw = g.columnCount
        var row = 0
        for c in 0..<g.channels {
            let plane = image + c * g.height * g.width
            for kh in 0..<g.kernelHeight {
                for kw in 0..<g.kernelWidth {
                    let out = columns + row * ohw
                    let dy = kh * g.dilationHeight - g.padTop
                    let dx = kw * g.dilationWidth - g.padLeft
                    for oh in 0..<g.outputHeight {
                        let y = oh * g.strideHeight + dy
                        let dst = out + oh * g.outputWidth
                        if y < 0 || y >= g.height {
                            dst.update(repeating: 0, count: g.outputWidth)
                            continue
                        }
                        let src = plane + y * g.width
                        if g.strideWidth == 1 {
                            // Contiguous run: zero the padded ends, copy the middle.
                            let first = max(0, -dx), last = min(g.outputWidth, g.width - dx)
                            if first > 0 { dst.update(repeating: 0, count: min(first, g.outputWidth)) }
                            if last > first { (dst + first).update(from: src + first + dx, count: last - first) }
                            if last < g.outputWidth { (dst + max(last, 0)).update(repeating: 0, count: g.outputWidth - max(last, 0)) }
                        } else {
                            for ow in 0..<g.outputWidth {
                                let x = ow * g.strideWidth + dx
                                dst[ow] = (x >= 0 && x < g.width) ? src[x] : 0
                            }
                        }
                    }
                    row += 1
                }
            }
        }
    }

    /// columns `[C·KH·KW, OH·OW]` -> image `[C, H, W]`, adding into `image` (the adjoint of `forward`).
    public static func backward(_ g: WindowGeometry, columns: UnsafePointer<Float>, image: UnsafeMutablePointer<Float>) {
        let ohw = g.columnCount
        var row = 0
        for c in 0..<g.channels {
            let plane = image + c * g.height * g.width
            for kh in 0..<g.kernelHeight {
                for kw in 0..<g.kernelWidth {
                    let col = columns + row * ohw
                    let dy = kh * g.dilationHeight - g.padTop
                    let dx = kw * g.dilationWidth - g.padLeft
                    for oh in 0..<g.outputHeight {
                        let y = oh * g.strideHeight + dy
                        guard y >= 0 && y < g.height else { continue }
                        let dst = plane + y * g.width
                        let src = col + oh * g.outputWidth
                        for ow in 0..<g.outputWidth {
                            let x = ow * g.strideWidth + dx
                            if x >= 0 && x < g.width { dst[x] += src[ow] }
                        }
                    }
                    row += 1
                }
            }
        }
    }
}

/// im2col for channels-last images: the column matrix is `[OH·OW, KH·KW·Cg]`, row (oh, ow),
/// column (kh, kw, c) for the `Cg` channels of one group; padded taps are 0. The generic path of
/// the conv layer (groups, strided input gradients, filter counts the direct kernels do not take).
public enum Im2ColChannelsLast {
    /// image `[H, W, C]` -> columns `[OH·OW, KH·KW·groupChannels]` for channels `channelOffset ..< channelOffset + groupChannels`.
    public static func forward(_ g: WindowGeometry, image: UnsafePointer<Float>, channelOffset: Int, groupChannels: Int,
                               columns: UnsafeMutablePointer<Float>) {
        let rowLength = g.kernelHeight * g.kernelWidth * groupChannels
        for oh in 0..<g.outputHeight {
            for ow in 0..<g.outputWidth {
                var dst = columns + (oh * g.outputWidth + ow) * rowLength
                for kh in 0..<g.kernelHeight {
                    let y = oh * g.strideHeight + kh * g.dilationHeight - g.padTop
                    for kw in 0..<g.kernelWidth {
                        let x = ow * g.strideWidth + kw * g.dilationWidth - g.padLeft
                        if y >= 0 && y < g.height && x >= 0 && x < g.width {
                            dst.update(from: image + (y * g.width + x) * g.channels + channelOffset, count: groupChannels)
                        } else {
                            dst.update(repeating: 0, count: groupChannels)
                        }
                        dst += groupChannels
                    }
                }
            }
        }
    }

    /// columns `[OH·OW, KH·KW·groupChannels]` -> image `[H, W, C]`, adding into the group's channels (the adjoint of `forward`).
    public static func backward(_ g: WindowGeometry, columns: UnsafePointer<Float>, image: UnsafeMutablePointer<Float>,
                                channelOffset: Int, groupChannels: Int) {
        let rowLength = g.kernelHeight * g.kernelWidth * groupChannels
        for oh in 0..<g.outputHeight {
            for ow in 0..<g.outputWidth {
                var src = columns + (oh * g.outputWidth + ow) * rowLength
                for kh in 0..<g.kernelHeight {
                    let y = oh * g.strideHeight + kh * g.dilationHeight - g.padTop
                    for kw in 0..<g.kernelWidth {
                        let x = ow * g.strideWidth + kw * g.dilationWidth - g.padLeft
                        if y >= 0 && y < g.height && x >= 0 && x < g.width {
                            let dst = image + (y * g.width + x) * g.channels + channelOffset
                            for c in 0..<groupChannels { dst[c] += src[c] }
                        }
                        src += groupChannels
                    }
                }
            }
        }
    }
}
