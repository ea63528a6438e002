import SluiceCore

/// Range operations on LSB-first bitmaps, beside SluiceCore's per-bit `Bitmap`.
@usableFromInline enum BitmapFill {
    /// Writes the low `n` (≤ 56) bits of `bits` at bit `dstBit`; reads and writes the 8 bytes from
    /// the first one touched, so bitmaps here are allocated with 8 bytes of slack.
    @inline(__always) @usableFromInline
    static func writeBits(_ dst: UnsafeMutableRawPointer, _ dstBit: Int, _ bits: UInt64, _ n: Int) {
        let shift = UInt64(dstBit & 7)
        let mask = ((1 as UInt64) << UInt64(n)) &- 1
        let p = dst + (dstBit >> 3)
        var d = UInt64(littleEndian: p.loadUnaligned(as: UInt64.self))
        d = (d & ~(mask << shift)) | ((bits & mask) << shift)
        p.storeBytes(of: d.littleEndian, as: UInt64.self)
    }

    /// Sets or clears bits `[from, from + count)`.
    @usableFromInline static func fill(_ base: UnsafeMutableRawPointer, from: Int, count: Int, _ value: Bool) {
        var i = from
        let end = from + count
        let word: UInt64 = value ? .max : 0
        while i < end && (i & 7 != 0 || end - i < 64) {
            let n = Swift.min(56, end - i)
            writeBits(base, i, word, n)
            i += n
        }
        let fullBytes = (end - i) >> 3
        if fullBytes > 0 {
            (base + (i >> 3)).initializeMemory(as: UInt8.self, repeating: value ? 0xff : 0, count: fullBytes)
            i += fullBytes << 3
        }
        if i < end { writeBits(base, i, word, end - i) }
    }

    /// Copies `count` bits from `src` (starting at bit `srcBit`) to `dst` (starting at bit `dstBit`)
    /// and returns how many of them are set. `src` must hold the bytes the bits occupy; `dst` needs
    /// 8 bytes of slack past the last bit.
    @usableFromInline static func copyBits(
        from src: UnsafeRawBufferPointer, srcBit: Int, to dst: UnsafeMutableRawPointer, dstBit: Int, count: Int
    ) -> Int {
        var done = 0
        var ones = 0
        let base = src.baseAddress.unsafelyUnwrapped
        // Up to 56 bits at a time: a 64-bit load covers 56 bits after any shift of 0...7.
        while done < count {
            let n = Swift.min(56, count - done)
            let sb = srcBit + done
            let byte = sb >> 3
            var word: UInt64 = 0
            if byte + 8 <= src.count {
                word = UInt64(littleEndian: base.loadUnaligned(fromByteOffset: byte, as: UInt64.self))
            } else {
                for k in 0..<Swift.max(0, Swift.min(8, src.count - byte)) { word |= UInt64(src[byte + k]) << UInt64(8 * k) }
            }
            let bits = (word >> UInt64(sb & 7)) & (((1 as UInt64) << UInt64(n)) &- 1)
            ones &+= bits.nonzeroBitCount
            writeBits(dst, dstBit + done, bits, n)
            done += n
        }
        return ones
    }
}

extension Bitmap {
    @inlinable static func setBit(_ base: UnsafeMutableRawPointer, _ i: Int, _ value: Bool) {
        let p = base.assumingMemoryBound(to: UInt8.self) + (i >> 3)
        let mask = UInt8(1) << UInt8(i & 7)
        p.pointee = value ? (p.pointee | mask) : (p.pointee & ~mask)
    }
}
