import SluiceCore

#if canImport(Glibc)
import Glibc
#endif

/// Deterministic synthetic CAISO OASIS `SLD_FCST` reports: hourly load per TAC area, rows
/// grouped by area and not sorted by time (as OASIS sends them), operating date and
/// hour-ending in Pacific time, in a zip named like the real ones; errors as XML in a zip.
public enum MockOASISData {
    public static let areas: [(name: String, base: Double)] = [
        ("CA ISO-TAC", 28_000), ("PGE-TAC", 11_000), ("SCE-TAC", 13_000), ("SDGE-TAC", 2_500), ("VEA-TAC", 90),
    ]
    static let header =
        "INTERVALSTARTTIME_GMT,INTERVALENDTIME_GMT,LOAD_TYPE,OPR_DT,OPR_HR,OPR_INTERVAL,MARKET_RUN_ID,TAC_AREA_NAME,LABEL,XML_DATA_ITEM,POS,MW,EXECUTION_TYPE,GROUP"

    static let items: [String: (item: String, label: String)] = [
        "ACTUAL": ("SYS_FCST_ACT_MW", "Total Actual Hourly Integrated Load"), "DAM": ("SYS_FCST_DA_MW", "Demand Forecast Day Ahead"),
        "2DA": ("SYS_FCST_2DA_MW", "Demand Forecast 2-Day Ahead"), "7DA": ("SYS_FCST_7DA_MW", "Demand Forecast 7-Day Ahead"),
    ]

    /// The MW of `area` at hour `t`.
    public static func mw(area a: Int, hour t: Int64, market: String) -> Double {
        let h = MockEIAData.mix(UInt64(bitPattern: t) &* 131 &+ UInt64(a) &* 17 &+ UInt64(market.utf8.count))
        let hourOfDay = Double((t / 3600) % 24)
        let daily = 1 + 0.2 * sin(2 * Double.pi * (hourOfDay - 22) / 24)
        let noise = Double(h % 2001) / 1000 - 1
        return (areas[a].base * daily * (1 + 0.02 * noise) * 100).rounded() / 100
    }

    /// The CSV of hours `[start, end)` for `market`.
    public static func csv(start: Int64, end: Int64, market: String) -> String {
        let (item, label) = items[market] ?? ("SYS_FCST_\(market)_MW", "Demand Forecast \(market)")
        var out = header + "\n"
        // Areas in reverse order and hours descending within each: deliberately not time-sorted.
        for a in areas.indices.reversed() {
            var t = end - 3600
            while t >= start {
                let (day, hourEnding) = pacificOperatingHour(t)
                out += "\(iso(t)),\(iso(t + 3600)),0,\(CivilTime.formatDate(days: Int32(day))),\(hourEnding),0,\(market),"
                out += "\(areas[a].name),\(label),\(item),3.8,\(formatMW(mw(area: a, hour: t, market: market))),\(market),69\n"
                t -= 3600
            }
        }
        return out
    }

    /// `2023-08-13T02:00:00-00:00`, as OASIS writes GMT times.
    static func iso(_ t: Int64) -> String { APITimeFormat.oasisCSV(t) }

    static func formatMW(_ v: Double) -> String {
        let cents = Int((v * 100).rounded())
        let sign = cents < 0 ? "-" : ""
        let a = abs(cents)
        let frac = a % 100
        return "\(sign)\(a / 100)." + (frac < 10 ? "0\(frac)" : "\(frac)")
    }

    /// The Pacific operating date (days since epoch) and hour-ending (1...25) of the GMT hour starting at `t`.
    static func pacificOperatingHour(_ t: Int64) -> (day: Int, hourEnding: Int) {
        let local = t + pacificOffset(t)
        let day = Int(CivilTime.floorDiv(local, 86_400))
        // Hour-ending counts hours elapsed since local midnight, so the fall-back day reaches 25.
        let midnight = Int64(day) * 86_400
        var midnightUTC = midnight + 8 * 3600
        if pacificOffset(midnightUTC) == -7 * 3600 { midnightUTC = midnight + 7 * 3600 }
        return (day, Int((t - midnightUTC) / 3600) + 1)
    }

    /// -7 h during daylight time, -8 h otherwise (US rules of 2007 on, and 1987–2006 before).
    static func pacificOffset(_ t: Int64) -> Int64 {
        let (y, _, _) = CivilTime.civilFromDays(Int(CivilTime.floorDiv(t, 86_400)))
        func nthSunday(_ month: Int, _ n: Int) -> Int {
            let first = CivilTime.daysFromCivil(y, month, 1)
            let weekday = (first + 4) % 7  // 1970-01-01 was a Thursday; 0 = Sunday
            return first + (7 - weekday) % 7 + 7 * (n - 1)
        }
        func lastSunday(_ month: Int) -> Int {
            let next = CivilTime.daysFromCivil(month == 12 ? y + 1 : y, month == 12 ? 1 : month + 1, 1) - 1
            let weekday = (next + 4) % 7
            return next - weekday
        }
        let (startDay, endDay) = y >= 2007 ? (nthSunday(3, 2), nthSunday(11, 1)) : (nthSunday(4, 1), lastSunday(10))
        // 2:00 local standard time = 10:00 UTC at the start; 2:00 local daylight time = 09:00 UTC at the end.
        let dstStart = Int64(startDay) * 86_400 + 10 * 3600
        let dstEnd = Int64(endDay) * 86_400 + 9 * 3600
        return t >= dstStart && t < dstEnd ? -7 * 3600 : -8 * 3600
    }

    /// An `OASISReport` error document.
    public static func errorXML(code: String, message: String, at t: Int64) -> String {
        """
        <?xml version="1.0" encoding="UTF-8"?>
        <m:OASISReport xmlns:m="http://www.caiso.com/soa/OASISReport_v1.xsd">
        <m:MessageHeader><m:TimeDate>\(CivilTime.formatTimestamp(t, unit: .s))</m:TimeDate><m:Source>OASIS</m:Source>
        <m:Version>v20131201</m:Version></m:MessageHeader>
        <m:MessagePayload><m:RTO><m:name>CAISO</m:name>
        <m:DISCLAIMER_ITEM><m:DISCLAIMER>The contents of these pages are subject to change without notice.</m:DISCLAIMER></m:DISCLAIMER_ITEM>
        <m:ERROR><m:ERR_CODE>\(code)</m:ERR_CODE><m:ERR_DESC>\(message)</m:ERR_DESC></m:ERROR>
        </m:RTO></m:MessagePayload></m:OASISReport>
        """
    }
}

extension APITimeFormat {
    /// `2023-08-13T02:00:00-00:00`.
    static func oasisCSV(_ t: Int64) -> String {
        let s = CivilTime.formatTimestamp(t, unit: .s)
        return s.hasSuffix("Z") ? String(s.dropLast()) + "-00:00" : s
    }
}
