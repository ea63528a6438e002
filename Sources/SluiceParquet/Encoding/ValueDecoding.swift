import SluiceCore

/// Decoders for PLAIN, BYTE_STREAM_SPLIT and the byte-array delta encodings. Each takes the encoded
/// bytes of one page and appends `count` values; each checks its reads against the input length.
@usableFromInline enum ValueDecoding {
    /// PLAIN fixed-width values (INT32, INT64, INT96, FLOAT, DOUBLE, FIXED_LEN_BYTE_ARRAY): a copy.
    @usableFromInline static func plainFixed(
        _ src: UnsafeRawBufferPointer, width: Int, count: Int, into dst: UnsafeMutableRawPointer
    ) throws(ParquetError) {
        let bytes = width * count
        guard bytes <= src.count else {
            throw corrupt("PLAIN page holds \(src.count / Swift.max(width, 1)) values of \(width) bytes, \(count) expected")
        }
        if bytes > 0 { dst.copyMemory(from: src.baseAddress.unsafelyUnwrapped, byteCount: bytes) }
    }

    /// PLAIN booleans: already an LSB-first bitmap.
    @usableFromInline static func plainBooleans(
        _ src: UnsafeRawBufferPointer, count: Int, into bitmap: UnsafeMutableRawPointer, bitOffset: Int
    ) throws(ParquetError) {
        guard Bitmap.byteCount(count) <= src.count else { throw corrupt("PLAIN boolean page is too short for \(count) values") }
        if count > 0 { _ = BitmapFill.copyBits(from: src, srcBit: 0, to: bitmap, dstBit: bitOffset, count: count) }
    }

    /// BYTE_STREAM_SPLIT: byte k of value i sits at `k * count + i`.
    @usableFromInline static func byteStreamSplit(
        _ src: UnsafeRawBufferPointer, width: Int, count: Int, into dst: UnsafeMutableRawPointer
    ) throws(ParquetError) {
        guard width * count <= src.count else { throw corrupt("BYTE_STREAM_SPLIT page is too short for \(count) values of \(width) bytes") }
        let s = src.baseAddress.unsafelyUnwrapped.assumingMemoryBound(to: UInt8.self)
        let d = dst.assumingMemoryBound(to: UInt8.self)
        for k in 0..<width {
            let stream = s + k * count
            for i in 0..<count { d[i * width + k] = stream[i] }
        }
    }

    /// PLAIN byte arrays: 4-byte little-endian length, then the bytes. Returns the bytes consumed.
    @usableFromInline static func plainByteArrays(
        _ src: UnsafeRawBufferPointer, count: Int, into out: ByteArraySink
    ) throws(ParquetError) -> Int {
        // First pass: check every length against the page and total them, so that the copy
        // pass needs no checks and the sink reserves once.
        var p = 0
        let n = src.count
        for _ in 0..<count {
            guard p + 4 <= n else { throw corrupt("PLAIN byte array length runs past the end of the page") }
            let len = Int(UInt32(littleEndian: src.loadUnaligned(fromByteOffset: p, as: UInt32.self)))
            guard len <= n - p - 4 else { throw corrupt("PLAIN byte array of \(len) bytes runs past the end of the page") }
            p += 4 + len
        }
        let consumed = p
        let base = src.baseAddress ?? UnsafeRawPointer(out.data.base)
        try out.appendBulk(count: count, bytes: consumed - 4 * count) { (dst, first, ends) throws(ParquetError) in
            var q = 0, pos = 0
            for i in 0..<count {
                let len = Int(UInt32(littleEndian: base.loadUnaligned(fromByteOffset: q, as: UInt32.self)))
                (dst + pos).copyMemory(from: base + q + 4, byteCount: len)
                q += 4 + len
                pos += len
                ends[i] = Int32(truncatingIfNeeded: first + pos)
            }
        }
        return consumed
    }

    /// DELTA_LENGTH_BYTE_ARRAY: DELTA_BINARY_PACKED lengths, then all bytes back to back.
    /// Returns the number of input bytes consumed.
    @usableFromInline static func deltaLengthByteArrays(
        _ src: UnsafeRawBufferPointer, count: Int, into out: ByteArraySink
    ) throws(ParquetError) -> Int {
        var dec = try DeltaBinaryPackedDecoder(src)
        guard dec.totalCount >= count else { throw corrupt("DELTA_LENGTH_BYTE_ARRAY holds \(dec.totalCount) lengths, \(count) expected") }
        var lengths = [Int32](repeating: 0, count: dec.totalCount)
        try lengths.withUnsafeMutableBufferPointer { (l) throws(ParquetError) in
            try dec.decode(into: l.baseAddress.unsafelyUnwrapped, count: l.count)
        }
        let start = dec.endPosition
        var total = 0
        for k in 0..<count {
            let len = Int(lengths[k])
            guard len >= 0, len <= src.count - start - total else {
                throw corrupt("DELTA_LENGTH_BYTE_ARRAY value of \(len) bytes runs past the end of the page")
            }
            total += len
        }
        let base = src.baseAddress ?? UnsafeRawPointer(out.data.base)
        try out.appendBulk(count: count, bytes: total) { (dst, first, ends) throws(ParquetError) in
            if total > 0 { dst.copyMemory(from: base + start, byteCount: total) }
            var pos = first
            for k in 0..<count {
                pos += Int(lengths[k])
                ends[k] = Int32(truncatingIfNeeded: pos)
            }
        }
        return start + total
    }

    /// DELTA_BYTE_ARRAY: DELTA_BINARY_PACKED prefix lengths, then the suffixes as
    /// DELTA_LENGTH_BYTE_ARRAY; each value is the previous value's prefix plus its suffix.
    @usableFromInline static func deltaByteArrays(
        _ src: UnsafeRawBufferPointer, count: Int, into out: ByteArraySink
    ) throws(ParquetError) {
        var dec = try DeltaBinaryPackedDecoder(src)
        guard dec.totalCount >= count else { throw corrupt("DELTA_BYTE_ARRAY holds \(dec.totalCount) prefixes, \(count) expected") }
        var prefixes = [Int32](repeating: 0, count: dec.totalCount)
        try prefixes.withUnsafeMutableBufferPointer { (l) throws(ParquetError) in
            try dec.decode(into: l.baseAddress.unsafelyUnwrapped, count: l.count)
        }
        let rest = UnsafeRawBufferPointer(rebasing: src[dec.endPosition...])
        let suffixes = ByteArraySink()
        _ = try deltaLengthByteArrays(rest, count: count, into: suffixes)
        var previous: [UInt8] = []
        var current: [UInt8] = []
        out.reserve(count: count, bytes: suffixes.data.length)
        for k in 0..<count {
            let pre = Int(prefixes[k])
            guard pre >= 0, pre <= previous.count else {
                throw corrupt("DELTA_BYTE_ARRAY prefix length \(pre) exceeds the previous value's \(previous.count) bytes")
            }
            current.removeAll(keepingCapacity: true)
            current.append(contentsOf: previous[0..<pre])
            current.append(contentsOf: suffixes.bytes(at: k))
            try typedThrows { try current.withUnsafeBytes { b in try out.append(b) } }
            swap(&previous, &current)
        }
    }
}
