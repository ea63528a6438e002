import NIOCore
import SluiceCore

/// Turns record batches into COPY text rows (`value\tvalue\n`, `\N` for null), written straight
/// from the column buffers into a `ByteBuffer`.
///
/// Types: integers in decimal, floats in a form that reads back exactly, booleans `t`/`f`,
/// dates `YYYY-MM-DD`, timestamps `YYYY-MM-DDTHH:MM:SS[.ffffff]Z` (UTC), text with COPY's
/// backslash escapes. Dictionary strings are escaped once per dictionary entry, not per row.
public struct CopyTextEncoder: Sendable {
    public let schema: Schema

    public init(schema: Schema) {
        self.schema = schema
    }

    /// Appends every row of `batch`.
    public func encode(_ batch: RecordBatch, into out: inout ByteBuffer) {
        encode(batch, rows: 0..<batch.count, into: &out)
    }

    /// The rows of `batch` as plain bytes, for handing across modules that do not use NIO.
    public func encodeBytes(_ batch: RecordBatch) -> [UInt8] {
        var b = ByteBuffer()
        encode(batch, into: &b)
        return b.readBytes(length: b.readableBytes) ?? []
    }

    /// Appends rows `rows` of `batch`.
    public func encode(_ batch: RecordBatch, rows: Range<Int>, into out: inout ByteBuffer) {
        guard !rows.isEmpty else { return }
        var owners: [EscapedDictionary] = []
        let cols = batch.columns.map { c in
            // A dictionary much larger than the rows that use it is cheaper to escape row by row.
            let small = (c.dictionary?.values.count ?? 0) <= Swift.max(4 * rows.count, 4096)
            let d = c.type == .dictionary && small ? c.dictionary.map { EscapedDictionary($0.values) } : nil
            if let d { owners.append(d) }
            return CopyColumn(c, dictionary: d)
        }
        withExtendedLifetime((batch, owners)) {
            cols.withUnsafeBufferPointer { cols in
                var row = rows.lowerBound
                while row < rows.upperBound {
                    let first = CopyColumn.rowBytes(cols, row)
                    out.writeWithUnsafeMutableBytes(minimumWritableBytes: Swift.max(first, 64 << 10)) { raw in
                        guard let base = raw.baseAddress?.assumingMemoryBound(to: UInt8.self) else { return 0 }
                        var at = 0
                        while row < rows.upperBound {
                            if raw.count - at < CopyColumn.rowBytes(cols, row) { break }
                            at += CopyColumn.writeRow(cols, row, to: base + at)
                            row += 1
                        }
                        return at
                    }
                }
            }
        }
    }
}

/// A string dictionary with every entry already COPY-escaped, so each row costs one copy.
final class EscapedDictionary {
    let bytes: UnsafeMutablePointer<UInt8>
    /// `count + 1` offsets into `bytes`.
    let offsets: UnsafeMutablePointer<Int>
    let count: Int

    init(_ dict: Column) {
        count = dict.count
        var total = 0
        for k in 0..<dict.count { total += dict.stringBytes(at: k).count }
        bytes = .allocate(capacity: Swift.max(2 * total, 1))
        offsets = .allocate(capacity: count + 1)
        var at = 0
        offsets[0] = 0
        for k in 0..<dict.count {
            at += CopyTextFormat.writeEscaped(dict.stringBytes(at: k), to: bytes + at)
            offsets[k + 1] = at
        }
        withExtendedLifetime(dict) {}
    }

    deinit {
        bytes.deallocate()
        offsets.deallocate()
    }
}

/// One column prepared for row-major formatting: raw pointers into its buffers (and, for a
/// dictionary, into its escaped entries). Trivial, so the row loop does no reference counting.
///
/// Implementation note: this is the only place the COPY path reads column memory. The pointers
/// are valid while the batch and its `EscapedDictionary` are alive (the encoder holds both).
struct CopyColumn {
    enum Kind { case bool, int32, int64, float32, float64, string, dictionary, largeDictionary, date, timestamp(TimeUnit) }

    let kind: Kind
    let offset: Int
    let validity: UnsafeRawPointer?
    let values: UnsafeRawPointer
    /// `.string`: the UTF-8 bytes the offsets point into.
    let data: UnsafeRawPointer?
    /// `.dictionary`: escaped entries.
    let dictBytes: UnsafePointer<UInt8>?
    let dictOffsets: UnsafePointer<Int>?
    let dictCount: Int
    /// `.largeDictionary`: the dictionary's own string column (offsets, bytes, first index).
    let rawDictOffsets: UnsafePointer<Int32>?
    let rawDictData: UnsafeRawPointer?
    let rawDictOffset: Int

    init(_ c: Column, dictionary: EscapedDictionary?) {
        offset = c.offset
        validity = c.validity.map { UnsafeRawPointer($0.base) }
        values = UnsafeRawPointer(c.values.base)
        data = c.data.map { UnsafeRawPointer($0.base) }
        dictBytes = dictionary.map { UnsafePointer($0.bytes) }
        dictOffsets = dictionary.map { UnsafePointer($0.offsets) }
        let dv = dictionary == nil ? c.dictionary?.values : nil
        dictCount = dictionary?.count ?? dv?.count ?? 0
        rawDictOffsets = dv.map { UnsafePointer($0.values.base.assumingMemoryBound(to: Int32.self)) }
        rawDictData = dv?.data.map { UnsafeRawPointer($0.base) }
        rawDictOffset = dv?.offset ?? 0
        switch c.type {
        case .bool: kind = .bool
        case .int32: kind = .int32
        case .int64: kind = .int64
        case .float32: kind = .float32
        case .float64: kind = .float64
        case .string: kind = .string
        case .dictionary: kind = dictionary == nil ? .largeDictionary : .dictionary
        case .date: kind = .date
        case .timestamp(let u): kind = .timestamp(u)
        }
    }

    @inline(__always) func isValid(_ row: Int) -> Bool {
        guard let v = validity else { return true }
        return Bitmap.get(v, offset + row)
    }

    @inline(__always) func load<T: BitwiseCopyable>(_ row: Int, _: T.Type) -> T {
        values.load(fromByteOffset: (offset + row) * MemoryLayout<T>.stride, as: T.self)
    }

    @inline(__always) func stringRange(_ row: Int) -> (start: Int, end: Int) {
        let offs = values.assumingMemoryBound(to: Int32.self)
        return (Int(offs[offset + row]), Int(offs[offset + row + 1]))
    }

    /// The escaped entry of a dictionary row, or nil for an index outside the dictionary.
    @inline(__always) func dictionaryEntry(_ row: Int) -> (start: Int, count: Int)? {
        let k = Int(load(row, Int32.self))
        guard k >= 0, k < dictCount, let o = dictOffsets else { return nil }
        return (o[k], o[k + 1] - o[k])
    }

    /// The unescaped bytes of a `.largeDictionary` row.
    @inline(__always) func largeDictionaryBytes(_ row: Int) -> UnsafeRawBufferPointer {
        let k = Int(load(row, Int32.self))
        guard let o = rawDictOffsets, let d = rawDictData, k >= 0, k < dictCount else { return UnsafeRawBufferPointer(start: nil, count: 0) }
        let start = Int(o[rawDictOffset + k])
        return UnsafeRawBufferPointer(start: d + start, count: Int(o[rawDictOffset + k + 1]) - start)
    }

    /// An upper bound of the bytes `row` takes, delimiters and newline included.
    static func rowBytes(_ cols: UnsafeBufferPointer<CopyColumn>, _ row: Int) -> Int {
        var n = 1
        for c in cols {
            switch c.kind {
            case .string:
                let r = c.stringRange(row)
                n += 2 * (r.end - r.start) + 3
            case .dictionary:
                n += (c.isValid(row) ? c.dictionaryEntry(row)?.count ?? 0 : 0) + 3
            case .largeDictionary:
                n += (c.isValid(row) ? 2 * c.largeDictionaryBytes(row).count : 0) + 3
            default:
                n += CopyTextFormat.maxFixedBytes + 1
            }
        }
        return n
    }

    /// Writes `row` (values separated by tabs, then a newline); returns the byte count.
    static func writeRow(_ cols: UnsafeBufferPointer<CopyColumn>, _ row: Int, to p: UnsafeMutablePointer<UInt8>) -> Int {
        var at = 0
        for j in 0..<cols.count {
            if j > 0 {
                p[at] = 0x09
                at += 1
            }
            at += cols[j].write(row, to: p + at)
        }
        p[at] = 0x0A
        return at + 1
    }

    @inline(__always) func write(_ row: Int, to p: UnsafeMutablePointer<UInt8>) -> Int {
        guard isValid(row) else {
            p[0] = 0x5C
            p[1] = UInt8(ascii: "N")
            return 2
        }
        switch kind {
        case .bool:
            p[0] = Bitmap.get(values, offset + row) ? UInt8(ascii: "t") : UInt8(ascii: "f")
            return 1
        case .int32: return CopyTextFormat.writeInteger(Int64(load(row, Int32.self)), to: p)
        case .int64: return CopyTextFormat.writeInteger(load(row, Int64.self), to: p)
        case .float32: return CopyTextFormat.writeFloat(load(row, Float.self), to: p)
        case .float64: return CopyTextFormat.writeDouble(load(row, Double.self), to: p)
        case .date: return CivilTime.writeDate(days: Int(load(row, Int32.self)), to: p)
        case .timestamp(let unit): return CivilTime.writeTimestamp(load(row, Int64.self), unit: unit, to: p)
        case .string:
            guard let d = data else { return 0 }
            let r = stringRange(row)
            return CopyTextFormat.writeEscaped(UnsafeRawBufferPointer(start: d + r.start, count: r.end - r.start), to: p)
        case .dictionary:
            guard let e = dictionaryEntry(row), let b = dictBytes else { return 0 }
            p.update(from: b + e.start, count: e.count)
            return e.count
        case .largeDictionary:
            return CopyTextFormat.writeEscaped(largeDictionaryBytes(row), to: p)
        }
    }
}
