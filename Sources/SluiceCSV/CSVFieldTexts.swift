import SluiceCore

/// The CSV text of one column over a run of rows, formatted column at a time so each loop is
/// specialized to one type, then interleaved into lines by `CSVWriter`.
///
/// Bytes sit back to back in a scratch buffer reused from run to run; `ends[r]` is where row r's
/// field ends (`ends[-1]` is 0). Both buffers have `slack` spare bytes, so the interleaving copy
/// may move whole 16-byte words past a field's end.
final class CSVFieldTexts {
    static let slack = 32
    // Owned by one writer (one task): no dynamic exclusivity checks in the per-row loops.
    @exclusivity(unchecked) private(set) var bytes: UnsafeMutablePointer<UInt8>
    @exclusivity(unchecked) private var capacity: Int
    /// `ends[0]` is 0; row r's field is `bytes[ends[r] ..< ends[r + 1]]`.
    @exclusivity(unchecked) private(set) var ends: UnsafeMutablePointer<Int32>
    @exclusivity(unchecked) private var rowCapacity: Int

    init() {
        capacity = 1 << 16
        bytes = .allocate(capacity: capacity + Self.slack)
        rowCapacity = 1 << 12
        ends = .allocate(capacity: rowCapacity + 1)
    }

    deinit {
        bytes.deallocate()
        ends.deallocate()
    }

    /// Formats rows `start ..< start + count` of `column`. A null is an empty field, except in a
    /// one-column file (`onlyColumn`), where an empty line would be skipped by readers: there a
    /// null of a non-string type is `""`, which reads back as null.
    func format(_ column: Column, rows start: Int, count: Int, delimiter: UInt8, onlyColumn: Bool) {
        reserveRows(count)
        ends[0] = 0
        let nullText: StaticString = onlyColumn && !column.type.isStringLike ? "\"\"" : ""
        switch column.type {
        case .bool:
            fixedWidth(column, start, count, width: 5, nullText) { row, p in
                column.bool(at: row) ? copy("true", to: p) : copy("false", to: p)
            }
        case .int32:
            fixedWidth(column, start, count, width: IntegerText.maxLength, nullText) { row, p in
                IntegerText.write(Int64(column.value(row, as: Int32.self)), to: p)
            }
        case .int64:
            fixedWidth(column, start, count, width: IntegerText.maxLength, nullText) { row, p in
                IntegerText.write(column.value(row, as: Int64.self), to: p)
            }
        case .float32:
            fixedWidth(column, start, count, width: ShortestDecimal.maxLength, nullText) { row, p in
                CSVFieldTexts.writeFloat(column.value(row, as: Float.self), to: p)
            }
        case .float64:
            fixedWidth(column, start, count, width: ShortestDecimal.maxLength, nullText) { row, p in
                ShortestDecimal.write(column.value(row, as: Double.self), to: p)
            }
        case .date:
            fixedWidth(column, start, count, width: CivilTime.maxFormattedLength, nullText) { row, p in
                CivilTime.writeDate(days: Int(column.value(row, as: Int32.self)), to: p)
            }
        case .timestamp(let unit):
            fixedWidth(column, start, count, width: CivilTime.maxFormattedLength, nullText) { row, p in
                CivilTime.writeTimestamp(column.value(row, as: Int64.self), unit: unit, to: p)
            }
        case .string, .dictionary:
            text(column, start, count, delimiter: delimiter)
        }
        withExtendedLifetime(column) {}
    }

    /// Types whose text has a known upper bound: room for the whole run is made once.
    @inline(__always)
    private func fixedWidth(
        _ column: Column, _ start: Int, _ count: Int, width: Int, _ nullText: StaticString,
        _ write: (Int, UnsafeMutablePointer<UInt8>) -> Int
    ) {
        let nullLength = nullText.utf8CodeUnitCount
        reserveBytes(count * Swift.max(width, nullLength))
        var end = 0
        if column.nullCount == 0 {
            for r in 0..<count {
                end += write(start + r, bytes + end)
                ends[r + 1] = Int32(truncatingIfNeeded: end)
            }
        } else {
            for r in 0..<count {
                if column.isValid(start + r) {
                    end += write(start + r, bytes + end)
                } else if nullLength > 0 {
                    // Not a copy of zero bytes per null: its length is not a constant here, so
                    // the copy would be a call to memmove.
                    end += copy(nullText, to: bytes + end)
                }
                ends[r + 1] = Int32(truncatingIfNeeded: end)
            }
        }
    }

    /// Strings, quoted only when they must be: when they hold the delimiter, a quote, CR or LF,
    /// start or end with a space, or are empty (an empty field reads back as null).
    private func text(_ column: Column, _ start: Int, _ count: Int, delimiter: UInt8) {
        var end = 0
        for r in 0..<count {
            let row = start + r
            if column.isValid(row) {
                let s = column.stringBytes(at: row)
                reserveBytes(end + 2 * s.count + 2, keeping: end)
                end += Self.quoted(s, delimiter: delimiter, to: bytes + end)
            }
            ends[r + 1] = Int32(truncatingIfNeeded: end)
        }
    }

    @inline(__always)
    static func quoted(_ s: UnsafeRawBufferPointer, delimiter: UInt8, to out: UnsafeMutablePointer<UInt8>) -> Int {
        let quote = UInt8(ascii: "\"")
        let n = s.count
        var needsQuotes = n == 0 || s[0] == 0x20 || s[n - 1] == 0x20
        if !needsQuotes {
            for b in s where b == delimiter || b == quote || b == 0x0A || b == 0x0D {
                needsQuotes = true
                break
            }
        }
        if !needsQuotes {
            if let src = s.baseAddress { out.update(from: src.assumingMemoryBound(to: UInt8.self), count: n) }
            return n
        }
        var k = 0
        out[k] = quote
        k += 1
        for b in s {
            if b == quote {
                out[k] = quote
                k += 1
            }
            out[k] = b
            k += 1
        }
        out[k] = quote
        return k + 1
    }

    /// Float32 as its own shortest text (not the Double's, which has more digits); integral
    /// values as integers, as for Double.
    static func writeFloat(_ v: Float, to p: UnsafeMutablePointer<UInt8>) -> Int {
        if !v.isFinite || (v == v.rounded(.towardZero) && Swift.abs(v) < 1e17) {
            return ShortestDecimal.write(Double(v), to: p)
        }
        var text = v.description
        return text.withUTF8 { u in
            if let src = u.baseAddress { p.update(from: src, count: u.count) }
            return u.count
        }
    }

    @inline(__always)
    private static func copy(_ s: StaticString, to p: UnsafeMutablePointer<UInt8>) -> Int {
        p.update(from: s.utf8Start, count: s.utf8CodeUnitCount)
        return s.utf8CodeUnitCount
    }

    @inline(__always)
    private func copy(_ s: StaticString, to p: UnsafeMutablePointer<UInt8>) -> Int { Self.copy(s, to: p) }

    private func reserveRows(_ n: Int) {
        guard n > rowCapacity else { return }
        ends.deallocate()
        rowCapacity = n
        ends = .allocate(capacity: n + 1)
    }

    /// Room for `n` bytes from the start, keeping the first `keeping` bytes.
    private func reserveBytes(_ n: Int, keeping: Int = 0) {
        guard n > capacity else { return }
        var bigger = capacity * 2
        while bigger < n { bigger *= 2 }
        let fresh = UnsafeMutablePointer<UInt8>.allocate(capacity: bigger + Self.slack)
        fresh.update(from: bytes, count: keeping)
        bytes.deallocate()
        bytes = fresh
        capacity = bigger
    }
}
