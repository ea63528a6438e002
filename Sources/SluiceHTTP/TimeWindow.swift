import SluiceCore

/// A half-open time range `[start, end)` in UTC seconds: the unit an API source fetches,
/// commits and resumes by.
public struct TimeWindow: Sendable, Hashable, Comparable {
    public let start: Int64
    public let end: Int64

    public init(start: Int64, end: Int64) {
        self.start = start
        self.end = end
    }

    public static func < (a: TimeWindow, b: TimeWindow) -> Bool { (a.start, a.end) < (b.start, b.end) }

    /// `2024-01-01T00:00:00Z/2024-03-01T00:00:00Z`: stable, so it can serve as a split id.
    public var id: String {
        CivilTime.formatTimestamp(start, unit: .s) + "/" + CivilTime.formatTimestamp(end, unit: .s)
    }
}

/// Cuts `[start, end)` into consecutive windows of `step` seconds (the last one shorter), or of
/// whole calendar months when `months` is set, because APIs such as CAISO limit a request to
/// "31 days" and users think in months.
public struct WindowPlanner: Sendable {
    public enum Step: Sendable, Equatable {
        case seconds(Int64)
        case months(Int)
    }

    public let start: Int64
    public let end: Int64
    public let step: Step

    public init(start: Int64, end: Int64, step: Step) {
        self.start = start
        self.end = end
        self.step = step
    }

    /// The windows in time order; empty when `end <= start` or the step is not positive.
    public func windows() -> [TimeWindow] {
        var out: [TimeWindow] = []
        var t = start
        while t < end {
            let next: Int64
            switch step {
            case .seconds(let s):
                guard s > 0 else { return [] }
                next = t + s
            case .months(let m):
                guard m > 0 else { return [] }
                next = Self.addMonths(t, m)
            }
            out.append(TimeWindow(start: t, end: min(next, end)))
            t = next
        }
        return out
    }

    /// `t` moved by `months` calendar months, keeping the time of day and clamping the day to the
    /// target month's length (Jan 31 + 1 month = Feb 29 in a leap year).
    static func addMonths(_ t: Int64, _ months: Int) -> Int64 {
        let day = CivilTime.floorDiv(t, 86_400)
        let secondOfDay = t - day * 86_400
        let (y, m, d) = CivilTime.civilFromDays(Int(day))
        let total = y * 12 + (m - 1) + months
        let ny = total >= 0 ? total / 12 : (total - 11) / 12
        let nm = total - ny * 12 + 1
        let lastDay = CivilTime.civilFromDays(CivilTime.daysFromCivil(nm == 12 ? ny + 1 : ny, nm == 12 ? 1 : nm + 1, 1) - 1).day
        return Int64(CivilTime.daysFromCivil(ny, nm, min(d, lastDay))) * 86_400 + secondOfDay
    }
}
