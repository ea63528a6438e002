import SluiceCore

/// The binary COPY rows of a batch, written a column at a time into one array sized up front.
///
/// Implementation note: the row-at-a-time encoder (`CopyBinaryEncoder.encode(_:into:)`, kept as
/// the reference the tests compare with) switched on the type and copied the `Column` for every
/// value and grew a `ByteBuffer` per write; it was the largest cost of a PostgreSQL load on the
/// client (a quarter of the samples, plus the retains and releases of those copies). Here the
/// row sizes are summed first, every row's write position is kept in `cursor`, and each column
/// is written by one loop of unaligned big-endian stores, with a branch on validity only for
/// columns that have nulls. This is the only code of the COPY path that writes through raw
/// pointers.
enum CopyBinaryKernel {
    /// Microseconds and days between the Unix epoch and PostgreSQL's (2000-01-01).
    static let epochShiftMicros: Int64 = 946_684_800_000_000
    static let epochShiftDays: Int32 = 10_957

    static func encode(_ batch: RecordBatch) -> [UInt8] {
        let n = batch.count
        guard n > 0 else { return [] }
        let cols = batch.columns
        return withExtendedLifetime(batch) {
            // Row sizes: the field count, then per field a length and (unless null) the value.
            var fixed = 2
            var sizes = [Int](repeating: 0, count: n)
            for c in cols {
                fixed += 4
                let w = width(c.type)
                if w > 0 {
                    if c.nullCount == 0 {
                        fixed += w
                    } else {
                        for r in 0..<n where c.isValid(r) { sizes[r] &+= w }
                    }
                } else {
                    for r in 0..<n where c.isValid(r) { sizes[r] &+= c.stringBytes(at: r).count }
                }
            }
            var cursor = [Int](repeating: 0, count: n)
            var total = 0
            for r in 0..<n {
                cursor[r] = total
                total &+= fixed &+ sizes[r]
            }
            return [UInt8](unsafeUninitializedCapacity: total) { out, initialized in
                guard let base = UnsafeMutableRawPointer(out.baseAddress) else { return }
                cursor.withUnsafeMutableBufferPointer { at in
                    let fields = Int16(truncatingIfNeeded: cols.count)
                    for r in 0..<n {
                        base.storeBytes(of: fields.bigEndian, toByteOffset: at[r], as: Int16.self)
                        at[r] &+= 2
                    }
                    for c in cols { write(c, rows: n, base, at) }
                }
                initialized = total
            }
        }
    }

    /// Bytes of a value of `type` in binary COPY; 0 for strings (variable).
    static func width(_ type: DataType) -> Int {
        switch type {
        case .bool: 1
        case .int32, .float32, .date: 4
        case .int64, .float64, .timestamp: 8
        case .string, .dictionary: 0
        }
    }

    /// Writes field `c` of every row at `at[r]`, advancing each position past it.
    static func write(_ c: Column, rows n: Int, _ base: UnsafeMutableRawPointer, _ at: UnsafeMutableBufferPointer<Int>) {
        switch c.type {
        case .bool:
            fields(c, n, base, at, width: 1) { r in UInt8(c.bool(at: r) ? 1 : 0) }
        case .int32:
            let v = c.unsafeValues(Int32.self)
            fields(c, n, base, at, width: 4) { r in v[r].bigEndian }
        case .date:
            let v = c.unsafeValues(Int32.self)
            fields(c, n, base, at, width: 4) { r in (v[r] &- epochShiftDays).bigEndian }
        case .float32:
            let v = c.unsafeValues(UInt32.self)
            fields(c, n, base, at, width: 4) { r in v[r].bigEndian }
        case .int64, .float64:
            let v = c.unsafeValues(UInt64.self)
            fields(c, n, base, at, width: 8) { r in v[r].bigEndian }
        case .timestamp(let unit):
            let v = c.unsafeValues(Int64.self)
            switch unit {
            case .s: fields(c, n, base, at, width: 8) { r in (v[r] &* 1_000_000 &- epochShiftMicros).bigEndian }
            case .ms: fields(c, n, base, at, width: 8) { r in (v[r] &* 1_000 &- epochShiftMicros).bigEndian }
            case .us: fields(c, n, base, at, width: 8) { r in (v[r] &- epochShiftMicros).bigEndian }
            case .ns: fields(c, n, base, at, width: 8) { r in (v[r] / 1_000 &- epochShiftMicros).bigEndian }
            }
        case .string, .dictionary:
            for r in 0..<n {
                guard c.isValid(r) else {
                    base.storeBytes(of: Int32(-1).bigEndian, toByteOffset: at[r], as: Int32.self)
                    at[r] &+= 4
                    continue
                }
                let bytes = c.stringBytes(at: r)
                base.storeBytes(of: Int32(truncatingIfNeeded: bytes.count).bigEndian, toByteOffset: at[r], as: Int32.self)
                if let src = bytes.baseAddress, bytes.count > 0 {
                    (base + at[r] + 4).copyMemory(from: src, byteCount: bytes.count)
                }
                at[r] &+= 4 &+ bytes.count
            }
        }
    }

    /// One fixed-width field per row: its length, then `value(r)` (already big-endian), or a
    /// length of -1 for a null.
    @inline(__always)
    static func fields<T: FixedWidthInteger>(
        _ c: Column, _ n: Int, _ base: UnsafeMutableRawPointer, _ at: UnsafeMutableBufferPointer<Int>, width: Int32,
        _ value: (Int) -> T
    ) {
        let length = width.bigEndian
        let skip = Int(width) + 4
        if c.nullCount == 0 {
            for r in 0..<n {
                let p = at[r]
                base.storeBytes(of: length, toByteOffset: p, as: Int32.self)
                base.storeBytes(of: value(r), toByteOffset: p &+ 4, as: T.self)
                at[r] = p &+ skip
            }
        } else {
            for r in 0..<n {
                let p = at[r]
                if c.isValid(r) {
                    base.storeBytes(of: length, toByteOffset: p, as: Int32.self)
                    base.storeBytes(of: value(r), toByteOffset: p &+ 4, as: T.self)
                    at[r] = p &+ skip
                } else {
                    base.storeBytes(of: Int32(-1).bigEndian, toByteOffset: p, as: Int32.self)
                    at[r] = p &+ 4
                }
            }
        }
    }
}
