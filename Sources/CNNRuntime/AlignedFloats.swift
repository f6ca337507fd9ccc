/// Zeroed floats that start on a 64-byte boundary: a cache line, and one AVX-512 vector, which the conv kernels' streaming
/// stores need (`DirectConvolution.forward`'s `streaming`). Layer outputs and the arenas' buffers are allocated so.
enum AlignedFloats {
    static func allocate(_ count: Int) -> UnsafeMutableBufferPointer<Float> {
        let count = max(count, 1), bytes = count * MemoryLayout<Float>.size
        let raw = UnsafeMutableRawPointer.allocate(byteCount: bytes, alignment: 64)
        raw.initializeMemory(as: UInt8.self, repeating: 0, count: bytes)
        return UnsafeMutableBufferPointer(start: raw.bindMemory(to: Float.self, capacity: count), count: count)
    }

    static func deallocate(_ buffer: UnsafeMutableBufferPointer<Float>) {
        buffer.baseAddress.map { UnsafeMutableRawPointer($0).deallocate() }
    }
}
