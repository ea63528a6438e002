import SluiceCore

/// Encodes the RLE/bit-packed hybrid: runs of 8 or more equal values become RLE runs, everything
/// else goes into bit-packed groups of 8 (the last group padded with zeros, which readers ignore
/// because they know the value count from the page header).
///
/// Implementation note: writes through a raw pointer into space reserved up front (at most two
/// bytes per value plus the packed bits), and sets the buffer's length once at the end; the values
/// waiting to be bit-packed are always a contiguous range of the input, so nothing is copied aside.
enum RLEHybridEncoder {
    static func encode(_ values: UnsafeBufferPointer<UInt32>, bitWidth: Int, into out: Buffer) {
        let n = values.count
        out.reserve(additional: n * 2 + (n * bitWidth + 7) / 8 + 64)
        let p = (out.base + out.length).assumingMemoryBound(to: UInt8.self)
        var pos = 0
        let byteWidth = (bitWidth + 7) / 8

        @inline(__always) func varint(_ v: Int) {
            var v = UInt64(v)
            while v >= 0x80 { p[pos] = UInt8(truncatingIfNeeded: v) | 0x80; pos += 1; v >>= 7 }
            p[pos] = UInt8(v)
            pos += 1
        }
        // Packs values[from..<to], padded with zeros to a multiple of 8.
        @inline(__always) func packed(_ from: Int, _ to: Int) {
            guard to > from else { return }
            let count = to - from
            let groups = (count + 7) / 8
            varint(groups << 1 | 1)
            var acc: UInt64 = 0
            var bits = 0
            for k in 0..<(groups * 8) {
                let v = from + k < to ? UInt64(values[from + k]) : 0
                acc |= v << UInt64(bits)
                bits += bitWidth
                while bits >= 8 {
                    p[pos] = UInt8(truncatingIfNeeded: acc)
                    pos += 1
                    acc >>= 8
                    bits -= 8
                }
            }
            if bits > 0 { p[pos] = UInt8(truncatingIfNeeded: acc); pos += 1 }
        }

        var pendingStart = 0
        var i = 0
        while i < n {
            let v = values[i]
            var j = i + 1
            while j < n && values[j] == v { j += 1 }
            if j - i >= 8 {
                // Complete the pending group from the run so that bit-packed groups stay whole.
                var runStart = i
                while (runStart - pendingStart) % 8 != 0 && runStart < j { runStart += 1 }
                if j - runStart >= 8 {
                    packed(pendingStart, runStart)
                    varint((j - runStart) << 1)
                    for b in 0..<byteWidth { p[pos] = UInt8(truncatingIfNeeded: v >> UInt32(8 * b)); pos += 1 }
                    pendingStart = j
                }
            }
            i = j
        }
        packed(pendingStart, n)
        out.length += pos
    }

    /// Definition levels of an optional flat column (bit width 1) straight from validity bitmaps:
    /// one RLE run when the page is all valid or all null, else one bit-packed run whose bytes are
    /// the validity bits themselves.
    static func encodeValidityLevels(_ page: PageRows, nulls: Int, into out: Buffer) {
        let rows = page.rows
        func varint(_ v: Int) {
            var v = UInt64(v)
            while v >= 0x80 { out.append(UInt8(truncatingIfNeeded: v) | 0x80); v >>= 7 }
            out.append(UInt8(v))
        }
        if nulls == 0 || nulls == rows {
            varint(rows << 1)
            out.append(UInt8(nulls == 0 ? 1 : 0))
            return
        }
        let groups = (rows + 7) / 8
        varint(groups << 1 | 1)
        let start = out.length
        out.appendZeros(groups + 8)  // 8 bytes of slack for word-wide bit writes
        var r = 0
        for part in page.parts {
            let c = part.column
            if let v = c.validity, c.nullCount > 0 {
                let src = UnsafeRawBufferPointer(start: v.base, count: Bitmap.byteCount(c.offset + c.count))
                _ = BitmapFill.copyBits(from: src, srcBit: c.offset + part.start, to: out.base + start, dstBit: r, count: part.count)
            } else {
                BitmapFill.fill(out.base + start, from: r, count: part.count, true)
            }
            r += part.count
        }
        out.length = start + groups
    }
}
