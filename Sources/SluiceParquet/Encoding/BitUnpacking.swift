/// Bit-packing kernels: values stored back to back, each `bitWidth` bits, least significant bit first
/// (the layout of the RLE/bit-packed hybrid, DELTA_BINARY_PACKED miniblocks and PLAIN booleans).
///
/// Implementation note: the fast path loads an unaligned 64-bit word per value and shifts, which
/// covers any width up to 57 bits; the last few values, whose word would read past the end of the
/// input, and widths above 57 go through the byte-at-a-time path. Callers check that `bytes` holds
/// `ceil(count * bitWidth / 8)` bytes before calling.
@usableFromInline enum BitUnpacking {
    /// Unpacks `count` values of `bitWidth` (0...32) bits starting at bit `bitOffset` of `src`.
    @inlinable static func unpack32(
        _ src: UnsafeRawBufferPointer, bitOffset: Int, bitWidth: Int, count: Int,
        into dst: UnsafeMutablePointer<UInt32>
    ) {
        if bitWidth == 0 {
            dst.initialize(repeating: 0, count: count)
            return
        }
        let mask: UInt64 = (1 << UInt64(bitWidth)) &- 1
        var bit = bitOffset
        var i = 0
        let fastEnd = src.count - 8
        let base = src.baseAddress.unsafelyUnwrapped
        while i < count {
            let byte = bit >> 3
            if byte > fastEnd { break }
            let word = base.loadUnaligned(fromByteOffset: byte, as: UInt64.self)
            dst[i] = UInt32(truncatingIfNeeded: (UInt64(littleEndian: word) >> UInt64(bit & 7)) & mask)
            bit += bitWidth
            i += 1
        }
        while i < count {
            dst[i] = UInt32(truncatingIfNeeded: slowLoad(src, bit: bit, bitWidth: bitWidth))
            bit += bitWidth
            i += 1
        }
    }

    /// Unpacks `count` values of `bitWidth` (0...64) bits as UInt64.
    @inlinable static func unpack64(
        _ src: UnsafeRawBufferPointer, bitOffset: Int, bitWidth: Int, count: Int,
        into dst: UnsafeMutablePointer<UInt64>
    ) {
        if bitWidth == 0 {
            dst.initialize(repeating: 0, count: count)
            return
        }
        var bit = bitOffset
        var i = 0
        if bitWidth <= 57 {
            let mask: UInt64 = (1 << UInt64(bitWidth)) &- 1
            let fastEnd = src.count - 8
            let base = src.baseAddress.unsafelyUnwrapped
            while i < count {
                let byte = bit >> 3
                if byte > fastEnd { break }
                let word = base.loadUnaligned(fromByteOffset: byte, as: UInt64.self)
                dst[i] = (UInt64(littleEndian: word) >> UInt64(bit & 7)) & mask
                bit += bitWidth
                i += 1
            }
        }
        while i < count {
            dst[i] = slowLoad(src, bit: bit, bitWidth: bitWidth)
            bit += bitWidth
            i += 1
        }
    }

    @inlinable static func slowLoad(_ src: UnsafeRawBufferPointer, bit: Int, bitWidth: Int) -> UInt64 {
        var v: UInt64 = 0
        var got = 0
        var b = bit
        while got < bitWidth {
            let byte = b >> 3
            let shift = b & 7
            let take = Swift.min(8 - shift, bitWidth - got)
            let x = byte < src.count ? UInt64(src[byte]) : 0
            v |= ((x >> UInt64(shift)) & ((1 << UInt64(take)) - 1)) << UInt64(got)
            got += take
            b += take
        }
        return v
    }

    /// Bytes needed to hold `count` values of `bitWidth` bits.
    @inlinable static func byteCount(count: Int, bitWidth: Int) -> Int { (count * bitWidth + 7) >> 3 }

    /// Packs `values` at `bitWidth` bits each, appending to `out`.
    static func pack<T: FixedWidthInteger & UnsignedInteger>(
        _ values: UnsafeBufferPointer<T>, bitWidth: Int, into out: inout [UInt8]
    ) {
        if bitWidth == 0 { return }
        var acc: UInt64 = 0
        var bits = 0
        for v in values {
            var value = UInt64(truncatingIfNeeded: v)
            var remaining = bitWidth
            while remaining > 0 {
                let take = Swift.min(remaining, 64 - bits)
                let part = take == 64 ? value : value & ((1 << UInt64(take)) - 1)
                acc |= part << UInt64(bits)
                bits += take
                remaining -= take
                value = take == 64 ? 0 : value >> UInt64(take)
                if bits == 64 {
                    withUnsafeBytes(of: acc.littleEndian) { out.append(contentsOf: $0) }
                    acc = 0
                    bits = 0
                }
            }
        }
        while bits > 0 {
            out.append(UInt8(truncatingIfNeeded: acc))
            acc >>= 8
            bits = Swift.max(0, bits - 8)
        }
    }

    /// The number of bits needed to represent `v`.
    @inlinable static func bitWidth(of v: UInt64) -> Int { 64 - v.leadingZeroBitCount }
}
