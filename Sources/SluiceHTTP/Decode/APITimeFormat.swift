import SluiceCore

/// How an API writes times, in requests and in records. Parsing gives UTC seconds.
public enum APITimeFormat: String, Sendable, CaseIterable {
    /// EIA hourly periods: `2024-01-01T05` (UTC); local-hourly adds an offset, `2024-08-29T00-04`.
    case eiaHourly = "eia_hourly"
    /// `2024-01-01`.
    case date
    /// `2024-01`, EIA monthly periods.
    case month
    /// ISO 8601 (`2023-04-21T13:00:00-00:00`, `...Z`, a bare date); written as `2024-01-01T00:00:00Z`.
    case iso8601
    /// CAISO OASIS request times: `20230813T07:00-0000` (GMT).
    case oasis
    /// Seconds since the epoch.
    case epochSeconds = "epoch"
    /// Milliseconds since the epoch.
    case epochMillis = "epoch_ms"

    /// Accepts the raw names and the patterns users copy from API docs.
    public init?(name: String) {
        switch name.lowercased() {
        case "eia_hourly", "eia-hourly", "yyyy-mm-ddthh", "hourly": self = .eiaHourly
        case "date", "yyyy-mm-dd", "daily": self = .date
        case "month", "yyyy-mm", "monthly": self = .month
        case "iso8601", "iso", "iso-8601", "rfc3339": self = .iso8601
        case "oasis", "caiso", "yyyymmddthh24:mi-0000": self = .oasis
        case "epoch", "epoch_s", "unix": self = .epochSeconds
        case "epoch_ms", "unix_ms": self = .epochMillis
        default: return nil
        }
    }

    /// `t` (UTC seconds) as the API writes it.
    public func format(_ t: Int64) -> String {
        let day = CivilTime.floorDiv(t, 86_400)
        let sod = Int(t - day * 86_400)
        let (y, m, d) = CivilTime.civilFromDays(Int(day))
        func p(_ v: Int, _ w: Int) -> String {
            let s = String(v)
            return s.count >= w ? s : String(repeating: "0", count: w - s.count) + s
        }
        switch self {
        case .eiaHourly: return "\(p(y, 4))-\(p(m, 2))-\(p(d, 2))T\(p(sod / 3600, 2))"
        case .date: return "\(p(y, 4))-\(p(m, 2))-\(p(d, 2))"
        case .month: return "\(p(y, 4))-\(p(m, 2))"
        case .iso8601: return CivilTime.formatTimestamp(t, unit: .s)
        case .oasis: return "\(p(y, 4))\(p(m, 2))\(p(d, 2))T\(p(sod / 3600, 2)):\(p(sod % 3600 / 60, 2))-0000"
        case .epochSeconds: return String(t)
        case .epochMillis: return String(t * 1000)
        }
    }

    /// Parses `text` to UTC seconds; nil when it does not match.
    public func parse(_ text: String) -> Int64? {
        var s = text
        return s.withUTF8 { parse(UnsafeRawBufferPointer($0)) }
    }

    public func parse(_ p: UnsafeRawBufferPointer) -> Int64? {
        switch self {
        case .eiaHourly:
            // YYYY-MM-DDTHH, optionally followed by ±HH (local-hourly).
            guard p.count == 13 || p.count == 16, p[10] == UInt8(ascii: "T"),
                let day = CivilTime.parseDate(UnsafeRawBufferPointer(rebasing: p[0..<10])), let h = Self.digits(p, 11, 2), h < 24
            else { return nil }
            var t = Int64(day) * 86_400 + Int64(h) * 3600
            if p.count == 16 {
                guard p[13] == UInt8(ascii: "-") || p[13] == UInt8(ascii: "+"), let oh = Self.digits(p, 14, 2) else { return nil }
                t -= Int64(p[13] == UInt8(ascii: "+") ? oh * 3600 : -oh * 3600)
            }
            return t
        case .date:
            return CivilTime.parseDate(p).map { Int64($0) * 86_400 }
        case .month:
            guard p.count == 7, p[4] == UInt8(ascii: "-"), let y = Self.digits(p, 0, 4), let m = Self.digits(p, 5, 2), m >= 1, m <= 12 else {
                return nil
            }
            return Int64(CivilTime.daysFromCivil(y, m, 1)) * 86_400
        case .iso8601:
            return CivilTime.parseTimestamp(p, unit: .s)
        case .oasis:
            // yyyymmddTHH:MM-0000
            guard p.count >= 14, p[8] == UInt8(ascii: "T"), p[11] == UInt8(ascii: ":"), let y = Self.digits(p, 0, 4),
                let m = Self.digits(p, 4, 2), let d = Self.digits(p, 6, 2), let h = Self.digits(p, 9, 2),
                let mi = Self.digits(p, 12, 2), m >= 1, m <= 12, d >= 1, d <= 31
            else { return nil }
            var t = Int64(CivilTime.daysFromCivil(y, m, d)) * 86_400 + Int64(h * 3600 + mi * 60)
            if p.count == 19, p[14] == UInt8(ascii: "-") || p[14] == UInt8(ascii: "+"), let oh = Self.digits(p, 15, 2),
                let om = Self.digits(p, 17, 2)
            {
                let off = Int64(oh * 3600 + om * 60)
                t -= p[14] == UInt8(ascii: "+") ? off : -off
            } else if p.count != 14 {
                return nil
            }
            return t
        case .epochSeconds, .epochMillis:
            var v: Int64 = 0
            var neg = false
            var k = 0
            if k < p.count, p[k] == UInt8(ascii: "-") { neg = true; k += 1 }
            guard k < p.count else { return nil }
            while k < p.count {
                guard p[k] >= 48, p[k] <= 57 else { return nil }
                let (a, o1) = v.multipliedReportingOverflow(by: 10)
                let (b, o2) = a.addingReportingOverflow(Int64(p[k] - 48))
                guard !o1, !o2 else { return nil }
                v = b
                k += 1
            }
            if neg { v = -v }
            return self == .epochMillis ? CivilTime.floorDiv(v, 1000) : v
        }
    }

    static func digits(_ p: UnsafeRawBufferPointer, _ at: Int, _ n: Int) -> Int? {
        guard at + n <= p.count else { return nil }
        var v = 0
        for i in at..<(at + n) {
            let d = Int(p[i]) &- 48
            guard d >= 0, d <= 9 else { return nil }
            v = v * 10 + d
        }
        return v
    }
}
