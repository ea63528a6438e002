import SluiceCore

/// Turns the entries of a repeated leaf and their levels into one JSON array text per row,
/// written straight into the offsets and bytes of a `.string` column: the core has no list type,
/// and JSON text keeps every element (and its nullness) while staying a plain string to every
/// sink and expression.
///
/// Per entry (levels as in `ParquetListLayout`): repetition level 0 starts a row; a definition
/// level below `emptyLevel` makes the row's list null (the column is null there), `emptyLevel`
/// makes it `[]`, and above it the entry is an element: its value at the maximum level, `null`
/// below. Elements are written as JSON: integers as integers, floats in shortest round-trip form
/// (NaN and infinities as `null`, as JSON has neither), booleans as `true`/`false`, strings
/// escaped, dates and timestamps as strings in Sluice's ISO-8601 text (`2024-01-31`,
/// `2024-01-31T12:00:00.5Z`), decimals as the flat reader gives them (a number up to precision 15,
/// the exact text as a string above).
enum ListAssembly {
    static func assemble(
        entries: Column, levels: LevelBuffers, rows: Int, emptyLevel: Int, maxDefinition: Int
    ) throws(ParquetError) -> Column {
        let n = levels.count
        guard entries.count == n else { throw corrupt("internal: \(entries.count) list entries for \(n) levels") }
        let rep = UnsafeRawPointer(levels.repetition.base).assumingMemoryBound(to: UInt8.self)
        let def = UnsafeRawPointer(levels.definition.base).assumingMemoryBound(to: UInt8.self)
        let sink = ByteArraySink(capacity: rows, bytes: Swift.max(64, n * 4))
        let validity = Buffer(capacity: Bitmap.byteCount(rows) + 8)
        validity.appendZeros(Bitmap.byteCount(rows) + 8)
        let out = sink.data
        let empty = UInt8(truncatingIfNeeded: emptyLevel)
        let top = UInt8(truncatingIfNeeded: maxDefinition)
        var row = -1
        var open = false  // the current row's list is present: "[" written, "]" owed
        var first = true  // no element written yet in the current list
        var nulls = 0
        for i in 0..<n {
            let d = def[i]
            if rep[i] == 0 {
                if row >= 0 { try close(row: row, open: open, sink) }
                row += 1
                guard row < rows else { throw corrupt("list column holds more than the row group's \(rows) rows") }
                open = d >= empty
                first = true
                if open {
                    Bitmap.setBit(validity.base, row, true)
                    out.append(UInt8(ascii: "["))
                } else {
                    nulls += 1
                }
            } else {
                guard row >= 0 else { throw corrupt("list column starts with a continued list (repetition level \(rep[i]))") }
                guard open, d > empty else { throw corrupt("a list element continues a null or empty list at entry \(i)") }
            }
            guard d > empty else { continue }
            if !first { out.append(UInt8(ascii: ",")) }
            first = false
            if d == top && entries.isValid(i) {
                JSONElementText.write(entries, i, into: out)
            } else {
                JSONElementText.writeNull(into: out)
            }
        }
        if row >= 0 { try close(row: row, open: open, sink) }
        guard row + 1 == rows else { throw corrupt("list column holds \(row + 1) rows, the row group has \(rows)") }
        return sink.finish(validity: nulls > 0 ? validity : nil, nullCount: nulls)
    }

    private static func close(row: Int, open: Bool, _ sink: ByteArraySink) throws(ParquetError) {
        if open { sink.data.append(UInt8(ascii: "]")) }
        try sink.endValue()
    }
}

/// One element of a list as JSON text, appended to a byte buffer without allocating.
enum JSONElementText {
    static func writeNull(into out: Buffer) {
        out.append(UnsafeRawBufferPointer(StaticString("null").utf8Bytes))
    }

    static func write(_ c: Column, _ i: Int, into out: Buffer) {
        switch c.type {
        case .bool:
            out.append(UnsafeRawBufferPointer((c.bool(at: i) ? StaticString("true") : StaticString("false")).utf8Bytes))
        case .int32:
            writeBytes(IntegerText.maxLength, into: out) { p in IntegerText.write(Int64(c.value(i, as: Int32.self)), to: p) }
        case .int64:
            writeBytes(IntegerText.maxLength, into: out) { p in IntegerText.write(c.value(i, as: Int64.self), to: p) }
        case .float32:
            writeDouble(Double(c.value(i, as: Float.self)), into: out)
        case .float64:
            writeDouble(c.value(i, as: Double.self), into: out)
        case .string, .dictionary:
            writeString(c.stringBytes(at: i), into: out)
        case .date:
            writeBytes(CivilTime.maxFormattedLength + 2, into: out) { p in
                quoted(p) { CivilTime.writeDate(days: Int(c.value(i, as: Int32.self)), to: $0) }
            }
        case .timestamp(let unit):
            writeBytes(CivilTime.maxFormattedLength + 2, into: out) { p in
                quoted(p) { CivilTime.writeTimestamp(c.value(i, as: Int64.self), unit: unit, to: $0) }
            }
        }
    }

    /// Floats widened to double are written as that double, so they read back as the same value.
    private static func writeDouble(_ v: Double, into out: Buffer) {
        guard v.isFinite else { return writeNull(into: out) }
        writeBytes(ShortestDecimal.maxLength, into: out) { p in ShortestDecimal.write(v, to: p) }
    }

    /// Reserves `max` bytes, lets `body` write at most that many, and keeps what it wrote.
    @inline(__always)
    private static func writeBytes(_ max: Int, into out: Buffer, _ body: (UnsafeMutablePointer<UInt8>) -> Int) {
        out.reserve(additional: max)
        let p = (out.base + out.length).assumingMemoryBound(to: UInt8.self)
        out.length += body(p)
    }

    @inline(__always)
    private static func quoted(_ p: UnsafeMutablePointer<UInt8>, _ body: (UnsafeMutablePointer<UInt8>) -> Int) -> Int {
        p[0] = UInt8(ascii: "\"")
        let n = body(p + 1)
        p[n + 1] = UInt8(ascii: "\"")
        return n + 2
    }

    private static func writeString(_ bytes: UnsafeRawBufferPointer, into out: Buffer) {
        writeBytes(JSON.maxQuotedLength(bytes.count), into: out) { p in JSON.writeQuoted(bytes, to: p) }
    }
}

extension StaticString {
    fileprivate var utf8Bytes: UnsafeBufferPointer<UInt8> { UnsafeBufferPointer(start: utf8Start, count: utf8CodeUnitCount) }
}
