extension DataSource {
    /// A 64-bit FNV-1a hash of both splits' sizes, pixels and labels: under MPI every rank reads the folder itself,
    /// and the ranks must have read the same images (a file one node cannot read would be skipped there alone).
    public var fingerprint: UInt64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        func mix(_ byte: UInt8) { hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01b3 }
        func mix(_ value: Int) { withUnsafeBytes(of: Int64(value).littleEndian) { for byte in $0 { mix(byte) } } }
        for set in [train, test] {
            for value in [set.count, set.channels, set.height, set.width] { mix(value) }
            set.bytes.withUnsafeBufferPointer { for byte in $0 { mix(byte) } }
            for label in set.labels { mix(Int(label)) }
        }
        return hash
    }
}
