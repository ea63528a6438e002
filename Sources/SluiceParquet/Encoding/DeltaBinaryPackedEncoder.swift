/// Encodes DELTA_BINARY_PACKED with blocks of 128 values in 4 miniblocks of 32, the layout every
/// reader we know expects. Deltas are computed in the column's own width so that an INT32 column
/// never needs more than 32 bits per miniblock value.
enum DeltaBinaryPackedEncoder {
    static let blockSize = 128
    static let miniblocks = 4

    static func encode<T: FixedWidthInteger & SignedInteger>(_ values: UnsafeBufferPointer<T>, into out: inout [UInt8]) {
        func varint(_ v: UInt64) {
            var v = v
            while v >= 0x80 { out.append(UInt8(truncatingIfNeeded: v) | 0x80); v >>= 7 }
            out.append(UInt8(v))
        }
        func zigzag(_ v: Int64) { varint(UInt64(bitPattern: (v << 1) ^ (v >> 63))) }
        varint(UInt64(blockSize))
        varint(UInt64(miniblocks))
        varint(UInt64(values.count))
        zigzag(Int64(values.first ?? 0))
        guard values.count > 1 else { return }
        let perMini = blockSize / miniblocks
        var deltas = [T](repeating: 0, count: blockSize)
        var packed = [UInt64](repeating: 0, count: perMini)
        var i = 1
        while i < values.count {
            let n = Swift.min(blockSize, values.count - i)
            var minDelta = T.max
            for k in 0..<n {
                let d = values[i + k] &- values[i + k - 1]
                deltas[k] = d
                if d < minDelta { minDelta = d }
            }
            zigzag(Int64(minDelta))
            var widths = [UInt8](repeating: 0, count: miniblocks)
            let usedMinis = (n + perMini - 1) / perMini
            for m in 0..<usedMinis {
                var maxBits: UInt64 = 0
                for k in (m * perMini)..<Swift.min(n, (m + 1) * perMini) {
                    maxBits |= UInt64(T.Magnitude(truncatingIfNeeded: deltas[k] &- minDelta))
                }
                widths[m] = UInt8(BitUnpacking.bitWidth(of: maxBits))
            }
            out.append(contentsOf: widths)
            for m in 0..<usedMinis {
                for k in 0..<perMini {
                    let idx = m * perMini + k
                    packed[k] = idx < n ? UInt64(T.Magnitude(truncatingIfNeeded: deltas[idx] &- minDelta)) : 0
                }
                packed.withUnsafeBufferPointer { BitUnpacking.pack($0, bitWidth: Int(widths[m]), into: &out) }
            }
            i += n
        }
    }
}
