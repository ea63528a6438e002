/// ISO-8601 formatting straight into bytes: the one formatter behind every writer (CSV, JSONL,
/// SQLite) and the expression language's text conversion, so they all print the same text.
///
/// Implementation note: every division here is floor division on values that cannot overflow
/// for any Int64 input, so extreme timestamps format instead of trapping.
extension CivilTime {
    /// The most bytes `writeDate` or `writeTimestamp` writes.
    public static let maxFormattedLength = 48

    /// `YYYY-MM-DD` (years outside 0...9999 get a sign or more digits); returns the byte count.
    @inlinable public static func writeDate(days: Int, to p: UnsafeMutablePointer<UInt8>) -> Int {
        let (y, m, d) = civilFromDays(days)
        var at = 0
        if y >= 0 && y <= 9999 {
            writeDigits(y, width: 4, to: p)
            at = 4
        } else {
            if y < 0 { p[0] = UInt8(ascii: "-"); at = 1 }
            var digits = 0
            var v = y.magnitude
            repeat { digits += 1; v /= 10 } while v > 0
            writeDigits(Int(y.magnitude), width: Swift.max(4, digits), to: p + at)
            at += Swift.max(4, digits)
        }
        p[at] = UInt8(ascii: "-")
        writeDigits(m, width: 2, to: p + at + 1)
        p[at + 3] = UInt8(ascii: "-")
        writeDigits(d, width: 2, to: p + at + 4)
        return at + 6
    }

    /// `YYYY-MM-DDTHH:MM:SS[.fraction]Z`, the fraction with trailing zeros trimmed; returns the byte count.
    @inlinable public static func writeTimestamp(_ v: Int64, unit: TimeUnit, to p: UnsafeMutablePointer<UInt8>) -> Int {
        let perSecond = unit.perSecond
        let seconds = floorDiv(v, perSecond)
        let sub = v &- seconds &* perSecond
        let days = floorDiv(seconds, 86_400)
        let sod = Int(seconds &- days &* 86_400)
        var at = writeDate(days: Int(days), to: p)
        p[at] = UInt8(ascii: "T")
        writeDigits(sod / 3600, width: 2, to: p + at + 1)
        p[at + 3] = UInt8(ascii: ":")
        writeDigits(sod / 60 % 60, width: 2, to: p + at + 4)
        p[at + 6] = UInt8(ascii: ":")
        writeDigits(sod % 60, width: 2, to: p + at + 7)
        at += 9
        if sub != 0 {
            let width = unit == .ms ? 3 : unit == .us ? 6 : 9
            p[at] = UInt8(ascii: ".")
            writeDigits(Int(sub), width: width, to: p + at + 1)
            var end = at + 1 + width
            while p[end - 1] == UInt8(ascii: "0") { end -= 1 }
            at = end
        }
        p[at] = UInt8(ascii: "Z")
        return at + 1
    }

    /// `value` (non-negative) in exactly `width` digits, zero-padded.
    @inlinable public static func writeDigits(_ value: Int, width: Int, to p: UnsafeMutablePointer<UInt8>) {
        var v = value
        var k = width
        while k > 0 {
            k -= 1
            p[k] = UInt8(truncatingIfNeeded: 48 + v % 10)
            v /= 10
        }
    }

    /// Runs `body` with the formatted bytes of a date or timestamp value, without allocating.
    @inlinable public static func withFormatted<R>(
        _ value: Int64, _ type: DataType, _ body: (UnsafeRawBufferPointer) throws -> R
    ) rethrows -> R {
        try withUnsafeTemporaryAllocation(of: UInt8.self, capacity: maxFormattedLength) { buf in
            let p = buf.baseAddress.unsafelyUnwrapped
            let n: Int
            if case .timestamp(let u) = type { n = writeTimestamp(value, unit: u, to: p) } else { n = writeDate(days: Int(value), to: p) }
            return try body(UnsafeRawBufferPointer(start: p, count: n))
        }
    }
}
