import CNNIR
import CNNKernels

/// The mean, per channel, over windows that are a range of rows times a range of columns, on channels-last
/// images `[N, H, W, C]` -> `[N, OH, OW, C]`: output pixel (oh, ow) averages `rows[oh]` × `columns[ow]`.
/// `avgpool` (each window clipped to the image, so padding is not counted) and `adaptiveavgpool` (its bins)
/// are both this. Windows may overlap: backward adds each window's share into its pixels.
struct WindowMean {
    let input: Shape, output: Shape
    let rows: [Range<Int>], columns: [Range<Int>]

    func forward(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, batch: Int, threads: Int) {
        let (i, o) = (input, output)
        let channels = i.channels
        Parallel.forEachChunk(count: batch, chunks: threads) { _, images in
            for n in images {
                let x = x + n * i.count, y = y + n * o.count
                for (oh, rows) in rows.enumerated() {
                    for (ow, columns) in columns.enumerated() {
                        let out = y + (oh * o.width + ow) * channels
                        out.update(repeating: 0, count: channels)
                        for yy in rows {
                            for xx in columns {
                                let src = x + (yy * i.width + xx) * channels
                                for c in 0..<channels { out[c] += src[c] }
                            }
                        }
                        let scale = 1 / Float(rows.count * columns.count)
                        for c in 0..<channels { out[c] *= scale }
                    }
                }
            }
        }
    }

    func backward(_ dy: UnsafePointer<Float>, _ dx: UnsafeMutablePointer<Float>, batch: Int, threads: Int) {
        let (i, o) = (input, output)
        let channels = i.channels
        Parallel.forEachChunk(count: batch, chunks: threads) { _, images in
            for n in images {
                let dx = dx + n * i.count, dy = dy + n * o.count
                dx.update(repeating: 0, count: i.count)
                for (oh, rows) in rows.enumerated() {
                    for (ow, columns) in columns.enumerated() {
                        let g = dy + (oh * o.width + ow) * channels, scale = 1 / Float(rows.count * columns.count)
                        for yy in rows {
                            for xx in columns {
                                let dst = dx + (yy * i.width + xx) * channels
                                for c in 0..<channels { dst[c] += g[c] * scale }
                            }
                        }
                    }
                }
            }
        }
    }
}
