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

    /// The window an `id` names; nil when `id` is not one.
    public init?(id: some StringProtocol) {
        guard let slash = id.firstIndex(of: "/"),
            let s = APITimeFormat.iso8601.parse(String(id[..<slash])),
            let e = APITimeFormat.iso8601.parse(String(id[id.index(after: slash)...])), e > s
        else { return nil }
        self.init(start: s, end: e)
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
    public func windows() -> [TimeWindow] { windows(around: []) }

    /// The end of a full window starting at `t`; nil when the step is not positive.
    func stepped(from t: Int64) -> Int64? {
        switch step {
        case .seconds(let s): s > 0 ? t + s : nil
        case .months(let m): m > 0 ? Self.addMonths(t, m) : nil
        }
    }

    /// The windows of `[start, end)` given those already `done` (committed by earlier runs,
    /// perhaps cut with another range or step): the done ones as they were, and new ones of
    /// `step` cut in the gaps between them. So a range that grows (`end: now`, `--until`) fetches
    /// only what is new, and a window that was short because the range ended there is never
    /// fetched again under a longer id (which would load its rows twice).
    public func windows(around done: [TimeWindow]) -> [TimeWindow] {
        let done = done.filter { $0.end > start && $0.start < end }.sorted()
        var out: [TimeWindow] = []
        var t = start
        var i = 0
        while t < end {
            while i < done.count, done[i].end <= t { i += 1 }
            if i < done.count, done[i].start <= t {
                out.append(done[i])
                t = done[i].end
                i += 1
                continue
            }
            guard var next = stepped(from: t) else { return [] }
            next = min(next, end)
            if i < done.count { next = min(next, done[i].start) }
            out.append(TimeWindow(start: t, end: next))
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
