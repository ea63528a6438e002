/// Formats any column as text (`cast(x, 'string')`, `concat`), the way `Scalar.description`
/// prints values: integers in decimal, floats in shortest round-trip form (integral values
/// without `.0`), `true`/`false`, dates `YYYY-MM-DD`, timestamps `YYYY-MM-DDTHH:MM:SS[.fff]Z`.
///
/// Implementation note: integers, dates and timestamps are written digit by digit straight into
/// the output bytes (dates and timestamps by `CivilTime.writeDate`/`writeTimestamp`, shared with
/// the writers); only floats go through Swift's `description` (a small string, usually stored
/// inline).
enum TextFormatting {
    static func format(_ c: Column) throws(SluiceError) -> Column {
        let n = c.count
        let validity = Validity(of: c)
        switch c.type {
        case .string:
            return c
        case .dictionary:
            return try gather(c.dictionary?.values ?? StringBuilder(capacity: 0).finish(), by: c)
        case .bool:
            var out = StringOutput(count: n, byteCapacity: n * 5)
            let bools = WordReader(valuesOf: c)
            for i in 0..<n {
                if !validity.isValid(i) {
                    out.appendEmpty()
                } else {
                    out.append((bools.word(i >> 6) >> UInt64(i & 63)) & 1 != 0 ? trueBytes : falseBytes)
                }
            }
            return try out.finish(validity)
        case .int32:
            return try formatFixed(c, Int32.self, maxBytes: 11) { v, p in writeDecimal(Int64(v), p) }
        case .int64:
            return try formatFixed(c, Int64.self, maxBytes: 20) { v, p in writeDecimal(v, p) }
        case .float32:
            return try formatFixed(c, Float.self, maxBytes: 48) { v, p in writeString(formatFloat(v), p) }
        case .float64:
            return try formatFixed(c, Double.self, maxBytes: 48) { v, p in writeString(formatDouble(v), p) }
        case .date:
            return try formatFixed(c, Int32.self, maxBytes: CivilTime.maxFormattedLength) { v, p in
                CivilTime.writeDate(days: Int(v), to: p)
            }
        case .timestamp(let unit):
            return try formatFixed(c, Int64.self, maxBytes: CivilTime.maxFormattedLength) { v, p in
                CivilTime.writeTimestamp(v, unit: unit, to: p)
            }
        }
    }

    private static var trueBytes: UnsafeRawBufferPointer { UnsafeRawBufferPointer(StaticString("true").utf8Buffer) }
    private static var falseBytes: UnsafeRawBufferPointer { UnsafeRawBufferPointer(StaticString("false").utf8Buffer) }

    private static func formatFixed<T: BitwiseCopyable>(
        _ c: Column, _: T.Type, maxBytes: Int, _ write: (T, UnsafeMutablePointer<UInt8>) -> Int
    ) throws(SluiceError) -> Column {
        let n = c.count
        let validity = Validity(of: c)
        let src = c.unsafeValues(T.self)
        var out = StringOutput(count: n, byteCapacity: n * 8)
        for i in 0..<n {
            if validity.isValid(i) {
                out.append(reserving: maxBytes) { p in write(src[i], p) }
            } else {
                out.appendEmpty()
            }
        }
        withExtendedLifetime(c) {}
        return try out.finish(validity)
    }

    /// Writes `v` in decimal; returns the byte count (at most 20).
    @inline(__always) static func writeDecimal(_ v: Int64, _ p: UnsafeMutablePointer<UInt8>) -> Int {
        IntegerText.write(v, to: p)
    }

    private static func writeString(_ s: String, _ p: UnsafeMutablePointer<UInt8>) -> Int {
        var s = s
        return s.withUTF8 { bytes in
            let n = Swift.min(bytes.count, 48)
            if n > 0, let base = bytes.baseAddress { p.update(from: base, count: n) }
            return n
        }
    }
}

/// Like `formatDouble`, for a float32 value (shortest form of the Float, not of its Double).
func formatFloat(_ v: Float) -> String {
    if v.isNaN { return "NaN" }
    if v.isInfinite { return v < 0 ? "-inf" : "inf" }
    if v == v.rounded(), Swift.abs(v) < 1e15 { return String(Int64(v)) }
    return "\(v)"
}

extension StaticString {
    fileprivate var utf8Buffer: UnsafeBufferPointer<UInt8> {
        UnsafeBufferPointer(start: utf8Start, count: utf8CodeUnitCount)
    }
}
