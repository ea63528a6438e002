/// Calendar arithmetic (proleptic Gregorian, UTC) and ISO-8601 parsing/formatting on raw bytes.
///
/// Implementation note: `daysFromCivil`/`civilFromDays` are Howard Hinnant's branch-light
/// algorithms; they avoid Foundation's Calendar, which is far too slow per value.
public enum CivilTime {
    @inlinable public static func daysFromCivil(_ y0: Int, _ m: Int, _ d: Int) -> Int {
        let y = m <= 2 ? y0 - 1 : y0
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = (m + 9) % 12
        let doy = (153 * mp + 2) / 5 + d - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146097 + doe - 719468
    }

    @inlinable public static func civilFromDays(_ z0: Int) -> (year: Int, month: Int, day: Int) {
        let z = z0 + 719468
        let era = (z >= 0 ? z : z - 146096) / 146097
        let doe = z - era * 146097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365
        let y = yoe + era * 400
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        return (m <= 2 ? y + 1 : y, m, d)
    }

    @inlinable static func daysInMonth(_ y: Int, _ m: Int) -> Int {
        switch m {
        case 2: return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    @inlinable static func digits(_ p: UnsafeRawBufferPointer, _ at: Int, _ n: Int) -> Int? {
        guard at + n <= p.count else { return nil }
        var v = 0
        for i in at..<(at + n) {
            let d = Int(p[i]) &- 48
            guard d >= 0 && d <= 9 else { return nil }
            v = v * 10 + d
        }
        return v
    }

    /// Parses `YYYY-MM-DD` into days since 1970-01-01.
    public static func parseDate(_ p: UnsafeRawBufferPointer) -> Int32? {
        guard p.count == 10, p[4] == UInt8(ascii: "-"), p[7] == UInt8(ascii: "-"),
            let y = digits(p, 0, 4), let m = digits(p, 5, 2), let d = digits(p, 8, 2),
            m >= 1, m <= 12, d >= 1, d <= daysInMonth(y, m)
        else { return nil }
        return Int32(daysFromCivil(y, m, d))
    }

    /// Parses an ISO-8601 timestamp into `unit`s since the epoch:
    /// `YYYY-MM-DD[(T| )HH:MM[:SS[.fraction]]][Z|±HH[:MM]]`. A bare date means midnight; no zone means UTC.
    public static func parseTimestamp(_ p: UnsafeRawBufferPointer, unit: TimeUnit) -> Int64? {
        guard p.count >= 10, p[4] == UInt8(ascii: "-"), p[7] == UInt8(ascii: "-"),
            let y = digits(p, 0, 4), let mo = digits(p, 5, 2), let d = digits(p, 8, 2),
            mo >= 1, mo <= 12, d >= 1, d <= daysInMonth(y, mo)
        else { return nil }
        var seconds = Int64(daysFromCivil(y, mo, d)) * 86_400
        var nanos: Int64 = 0
        var i = 10
        if i < p.count, p[i] == UInt8(ascii: "T") || p[i] == UInt8(ascii: "t") || p[i] == UInt8(ascii: " ") {
            i += 1
            guard let h = digits(p, i, 2), i + 2 < p.count, p[i + 2] == UInt8(ascii: ":"),
                let mi = digits(p, i + 3, 2), h <= 23, mi <= 59
            else { return nil }
            seconds += Int64(h * 3600 + mi * 60)
            i += 5
            if i < p.count, p[i] == UInt8(ascii: ":") {
                guard let s = digits(p, i + 1, 2), s <= 60 else { return nil }
                seconds += Int64(s)
                i += 3
                if i < p.count, p[i] == UInt8(ascii: ".") || p[i] == UInt8(ascii: ",") {
                    i += 1
                    var nd = 0
                    var frac: Int64 = 0
                    while i < p.count, p[i] >= 48, p[i] <= 57 {
                        if nd < 9 { frac = frac * 10 + Int64(p[i] - 48); nd += 1 }
                        i += 1
                    }
                    guard nd > 0 else { return nil }
                    for _ in nd..<9 { frac *= 10 }
                    nanos = frac
                }
            }
        }
        if i < p.count {
            let c = p[i]
            if c == UInt8(ascii: "Z") || c == UInt8(ascii: "z") {
                i += 1
            } else if c == UInt8(ascii: "+") || c == UInt8(ascii: "-") {
                guard let oh = digits(p, i + 1, 2) else { return nil }
                var off = oh * 3600
                i += 3
                if i < p.count, p[i] == UInt8(ascii: ":") { i += 1 }
                if i < p.count {
                    guard let om = digits(p, i, 2) else { return nil }
                    off += om * 60
                    i += 2
                }
                seconds -= Int64(c == UInt8(ascii: "+") ? off : -off)
            }
        }
        guard i == p.count else { return nil }
        let (s, o1) = seconds.multipliedReportingOverflow(by: unit.perSecond)
        guard !o1 else { return nil }
        return s + nanos / (1_000_000_000 / unit.perSecond)
    }

    /// Parses a Swift string as a date (convenience for literals).
    public static func parseDate(_ s: String) -> Int32? {
        var s = s
        return s.withUTF8 { parseDate(UnsafeRawBufferPointer($0)) }
    }

    /// Parses a Swift string as a timestamp (convenience for literals).
    public static func parseTimestamp(_ s: String, unit: TimeUnit) -> Int64? {
        var s = s
        return s.withUTF8 { parseTimestamp(UnsafeRawBufferPointer($0), unit: unit) }
    }

    /// Floor division that rounds toward negative infinity (timestamps before 1970).
    @inlinable public static func floorDiv(_ a: Int64, _ b: Int64) -> Int64 {
        let q = a / b
        return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q
    }

    public static func formatDate(days: Int32) -> String {
        withFormatted(Int64(days), .date) { String(decoding: $0, as: UTF8.self) }
    }

    /// `YYYY-MM-DDTHH:MM:SS[.fff…]Z`, with as many fraction digits as the unit carries, trimmed.
    public static func formatTimestamp(_ v: Int64, unit: TimeUnit) -> String {
        withFormatted(v, .timestamp(unit)) { String(decoding: $0, as: UTF8.self) }
    }
}
