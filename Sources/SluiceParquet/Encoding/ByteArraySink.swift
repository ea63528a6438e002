import SluiceCore

/// Collects decoded byte arrays as Arrow string storage: Int32 offsets plus bytes. The reader
/// hands the buffers to a `.string` column (or a dictionary) without copying them again.
@usableFromInline final class ByteArraySink {
    @usableFromInline let offsets: Buffer
    @usableFromInline let data: Buffer
    @usableFromInline var count = 0

    @usableFromInline init(capacity: Int = 64, bytes: Int = 1024) {
        offsets = Buffer(capacity: (capacity + 1) * 4)
        data = Buffer(capacity: bytes)
        offsets.append(Int32(0))
    }

    @usableFromInline func reserve(count n: Int, bytes: Int) {
        offsets.reserve(additional: n * 4)
        data.reserve(additional: Swift.max(0, bytes))
    }

    @inlinable func append(_ bytes: UnsafeRawBufferPointer) throws(ParquetError) {
        guard data.length + bytes.count <= Int(Int32.max) else {
            throw corrupt("string data of one row group exceeds 2 GiB, which Int32 offsets cannot address")
        }
        data.append(bytes)
        offsets.append(Int32(truncatingIfNeeded: data.length))
        count += 1
    }

    /// Ends a value whose bytes the caller wrote straight into `data` (list JSON text).
    @inlinable func endValue() throws(ParquetError) {
        guard data.length <= Int(Int32.max) else {
            throw corrupt("string data of one row group exceeds 2 GiB, which Int32 offsets cannot address")
        }
        offsets.append(Int32(truncatingIfNeeded: data.length))
        count += 1
    }

    /// Appends an empty entry for a null.
    @inlinable func appendEmpty() {
        offsets.append(Int32(truncatingIfNeeded: data.length))
        count += 1
    }

    @inlinable func bytes(at i: Int) -> UnsafeRawBufferPointer {
        let o = offsets.base.assumingMemoryBound(to: Int32.self)
        let s = Int(o[i]), e = Int(o[i + 1])
        return UnsafeRawBufferPointer(start: data.base + s, count: e - s)
    }

    /// Appends `n` values holding `bytes` bytes in all, written by `body` straight into the
    /// buffers: it receives where the data goes, the offset of its first byte, and where the `n`
    /// end offsets go. One reservation and one length update for the whole run, not one per value.
    @inlinable func appendBulk(
        count n: Int, bytes: Int,
        _ body: (_ data: UnsafeMutableRawPointer, _ firstOffset: Int, _ ends: UnsafeMutablePointer<Int32>) throws(ParquetError) -> Void
    ) throws(ParquetError) {
        let first = data.length
        guard first + bytes <= Int(Int32.max) else {
            throw corrupt("string data of one row group exceeds 2 GiB, which Int32 offsets cannot address")
        }
        data.reserve(additional: bytes)
        offsets.reserve(additional: n * 4)
        let ends = (offsets.base + offsets.length).assumingMemoryBound(to: Int32.self)
        try body(data.base + first, first, ends)
        data.length = first + bytes
        offsets.length += n * 4
        count += n
    }

    /// Appends the values at `indices` of `dictionary`.
    @usableFromInline func appendGathered(from dictionary: ByteArraySink, indices: UnsafePointer<UInt32>, count n: Int) throws(ParquetError) {
        let dOff = dictionary.offsets.base.assumingMemoryBound(to: Int32.self)
        let dData = dictionary.data.base
        var total = 0
        for i in 0..<n {
            let k = Int(indices[i])
            total &+= Int(dOff[k + 1]) &- Int(dOff[k])
        }
        try appendBulk(count: n, bytes: total) { (dst, first, ends) throws(ParquetError) in
            var pos = 0
            for i in 0..<n {
                let k = Int(indices[i])
                let s = Int(dOff[k]), len = Int(dOff[k + 1]) - s
                (dst + pos).copyMemory(from: dData + s, byteCount: len)
                pos += len
                ends[i] = Int32(truncatingIfNeeded: first + pos)
            }
        }
    }

    /// The strings as a `.string` column with the given validity.
    func finish(validity: Buffer?, nullCount: Int) -> Column {
        Column(type: .string, count: count, nullCount: nullCount, validity: validity, values: offsets, data: data)
    }
}
