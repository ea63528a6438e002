import SluiceCore

/// Deterministic synthetic EIA-930 region data, shaped like the real API: one row per hour,
/// respondent and type, sorted by period, respondent, type; values as strings, integer
/// megawatthours, a few hours null. The same query always gives the same bytes.
public struct MockEIAData: Sendable {
    public static let respondents: [(code: String, name: String, base: Double)] = [
        ("CISO", "California Independent System Operator", 26_000), ("ERCO", "Electric Reliability Council of Texas, Inc.", 45_000),
        ("ISNE", "ISO New England", 13_000), ("MISO", "Midcontinent Independent System Operator, Inc.", 75_000),
        ("NYIS", "New York Independent System Operator", 17_000), ("PACW", "PacifiCorp West", 2_400),
        ("PJM", "PJM Interconnection, LLC", 90_000), ("SWPP", "Southwest Power Pool", 30_000),
    ]
    public static let types: [(code: String, name: String)] = [
        ("D", "Demand"), ("DF", "Day-ahead demand forecast"), ("NG", "Net generation"), ("TI", "Total interchange"),
    ]

    /// Respondent and type indices selected by a query (all when the facet is absent), sorted by code.
    public var respondents: [Int]
    public var types: [Int]
    /// Inclusive hour range, UTC seconds.
    public var start: Int64
    public var end: Int64

    /// Rows in the query.
    public var total: Int {
        guard end >= start else { return 0 }
        return Int((end - start) / 3600 + 1) * respondents.count * types.count
    }

    /// The value of `respondent`/`type` at hour `t`: a daily and yearly cycle plus noise; nil for
    /// about one hour in a thousand (EIA has gaps).
    public static func value(respondent r: Int, type k: Int, hour t: Int64) -> Int? {
        let h = mix(UInt64(bitPattern: t) &* 31 &+ UInt64(r) &* 7 &+ UInt64(k))
        if h % 1000 == 7 { return nil }
        let base = respondents[r].base
        let hourOfDay = Double((t / 3600) % 24)
        let dayOfYear = Double((t / 86_400) % 365)
        let daily = 1 + 0.18 * sin(2 * Double.pi * (hourOfDay - 20) / 24)
        let yearly = 1 + 0.12 * cos(2 * Double.pi * (dayOfYear - 200) / 365)
        let noise = Double(h % 2001) / 1000 - 1
        var v = base * daily * yearly * (1 + 0.03 * noise)
        switch types[k].code {
        case "DF": v *= 1.01
        case "NG": v *= 0.97
        case "TI": v = base * 0.05 * noise
        default: break
        }
        return Int(v.rounded())
    }

    /// Rows `[offset, offset + length)` as the JSON objects of `response.data`, appended as bytes:
    /// a 5000-row page is about 1 MB, built per request, so the emulator keeps up with clients.
    public func page(offset: Int, length: Int, into out: inout [UInt8]) {
        let per = respondents.count * types.count
        let last = min(total, offset + length)
        // The fixed parts of each row, built once per page.
        let middles = respondents.map { r in
            types.map { k in
                Array("\",\"respondent\":\"\(Self.respondents[r].code)\",\"respondent-name\":\"\(Self.respondents[r].name)\",\"type\":\"\(Self.types[k].code)\",\"type-name\":\"\(Self.types[k].name)\",\"value\":".utf8)
            }
        }
        let tail = Array(",\"value-units\":\"megawatthours\"}".utf8)
        out.reserveCapacity(out.count + max(0, last - offset) * 200)
        var i = max(0, offset)
        var hourText: (Int64, [UInt8]) = (Int64.min, [])
        while i < last {
            let hour = start + Int64(i / per) * 3600
            if hourText.0 != hour { hourText = (hour, Array(APITimeFormat.eiaHourly.format(hour).utf8)) }
            let ri = (i % per) / types.count, ki = i % types.count
            if i > offset { out.append(UInt8(ascii: ",")) }
            out.append(contentsOf: #"{"period":""#.utf8)
            out.append(contentsOf: hourText.1)
            out.append(contentsOf: middles[ri][ki])
            if let v = Self.value(respondent: respondents[ri], type: types[ki], hour: hour) {
                out.append(UInt8(ascii: "\""))
                out.append(contentsOf: String(v).utf8)
                out.append(UInt8(ascii: "\""))
            } else {
                out.append(contentsOf: "null".utf8)
            }
            out.append(contentsOf: tail)
            i += 1
        }
    }

    /// SplitMix64's finaliser: a cheap, well-mixed hash for deterministic noise.
    static func mix(_ x: UInt64) -> UInt64 {
        var z = x &+ 0x9E37_79B9_7F4A_7C15
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

#if canImport(Glibc)
import Glibc
#endif
