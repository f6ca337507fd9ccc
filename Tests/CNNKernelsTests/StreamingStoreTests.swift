import CNNData
import CNNKernels
import Testing

/// The direct kernel's streaming stores (`DirectConvolution.forward`'s `streaming`, for outputs larger than the caches)
/// write the same bits as its ordinary stores: on each of its orders (every panel per tile of pixels for a large 1×1
/// conv, one panel per tile, filter blocks outside pixels), with a residual and an activation, in both builds (filter
/// counts that are and are not multiples of 16), and into an output that is not 64-byte aligned (where the kernel
/// falls back to ordinary stores).
struct StreamingStoreTests {
    struct Shape: CustomTestStringConvertible, Sendable {
        var channels: Int, size: Int, kernel: Int, filters: Int, residual: Bool, activation: FusedActivation
        var testDescription: String { "\(channels)→\(filters) \(kernel)×\(kernel) on \(size)×\(size)\(residual ? " + residual" : "")" }
    }

    static let shapes: [Shape] = [
        Shape(channels: 64, size: 40, kernel: 1, filters: 256, residual: true, activation: .relu),  // every panel per tile of pixels
        Shape(channels: 32, size: 9, kernel: 1, filters: 48, residual: false, activation: .none),   // one panel per tile
        Shape(channels: 96, size: 7, kernel: 3, filters: 144, residual: true, activation: .relu6),  // filter blocks outside pixels
        Shape(channels: 16, size: 11, kernel: 3, filters: 24, residual: false, activation: .relu),  // the AVX2 build (24 filters)
    ]

    @Test(arguments: shapes)
    func streamingStoresWriteTheSameBits(shape s: Shape) {
        let pad = s.kernel / 2, padded = s.size + 2 * pad, outputs = s.size * s.size * s.filters
        var random = SeededGenerator(seed: 7)
        let x = (0..<(padded * padded * s.channels)).map { _ in random.nextUnitFloat() * 2 - 1 }
        let w = (0..<(s.kernel * s.kernel * s.channels * s.filters)).map { _ in random.nextUnitFloat() * 2 - 1 }
        let bias = (0..<s.filters).map { _ in random.nextUnitFloat() - 0.5 }
        let residual = (0..<outputs).map { _ in random.nextUnitFloat() * 2 - 1 }
        var panels = [Float](repeating: 0, count: w.count)
        DirectConvolution.panels(w, taps: s.kernel * s.kernel, channels: s.channels, filters: s.filters, into: &panels)

        // offset: floats past a 64-byte boundary where the output starts.
        func run(streaming: Bool, offset: Int) -> [Float] {
            let raw = UnsafeMutableRawPointer.allocate(byteCount: (outputs + offset) * 4, alignment: 64)
            defer { raw.deallocate() }
            let y = raw.bindMemory(to: Float.self, capacity: outputs + offset) + offset
            y.initialize(repeating: .nan, count: outputs)
            residual.withUnsafeBufferPointer { r in
                DirectConvolution.forward(padded: x, paddedWidth: padded, channels: s.channels, weights: panels, bias: bias,
                                          residual: s.residual ? r.baseAddress : nil, output: y, outputHeight: s.size, outputWidth: s.size,
                                          filters: s.filters, kernelHeight: s.kernel, kernelWidth: s.kernel, strideHeight: 1,
                                          strideWidth: 1, dilationHeight: 1, dilationWidth: 1, activation: s.activation, streaming: streaming)
            }
            return Array(UnsafeBufferPointer(start: y, count: outputs))
        }
        let stored = run(streaming: false, offset: 0)
        #expect(stored.allSatisfy { !$0.isNaN })
        for offset in [0, 4] {
            let streamed = run(streaming: true, offset: offset)
            let differing = zip(stored, streamed).filter { $0.bitPattern != $1.bitPattern }.count
            #expect(differing == 0, "offset \(offset): \(differing) of \(outputs) outputs differ")
        }
    }
}
