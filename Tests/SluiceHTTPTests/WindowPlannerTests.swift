import SluiceCore
import Testing

@testable import SluiceHTTP

@Suite struct WindowPlannerTests {
    func ts(_ s: String) -> Int64 { CivilTime.parseTimestamp(s, unit: .s) ?? -1 }

    @Test func fixedStepCoversTheRangeWithAShortLastWindow() {
        let p = WindowPlanner(start: ts("2024-01-01T00:00:00Z"), end: ts("2024-03-15T00:00:00Z"), step: .seconds(60 * 86_400))
        let w = p.windows()
        #expect(w.map(\.id) == [
            "2024-01-01T00:00:00Z/2024-03-01T00:00:00Z",
            "2024-03-01T00:00:00Z/2024-03-15T00:00:00Z",
        ])
    }

    @Test func monthStepClampsTheDayAndCrossesYears() {
        let p = WindowPlanner(start: ts("2023-11-30T06:00:00Z"), end: ts("2024-03-01T00:00:00Z"), step: .months(1))
        #expect(p.windows().map(\.start) == [
            ts("2023-11-30T06:00:00Z"), ts("2023-12-30T06:00:00Z"), ts("2024-01-30T06:00:00Z"), ts("2024-02-29T06:00:00Z"),
        ])
        #expect(WindowPlanner.addMonths(ts("2024-01-31T00:00:00Z"), 1) == ts("2024-02-29T00:00:00Z"))
        #expect(WindowPlanner.addMonths(ts("2024-12-15T00:00:00Z"), 14) == ts("2026-02-15T00:00:00Z"))
    }

    @Test func emptyOrInvalidRangesGiveNoWindows() {
        #expect(WindowPlanner(start: 10, end: 10, step: .seconds(5)).windows().isEmpty)
        #expect(WindowPlanner(start: 0, end: 10, step: .seconds(0)).windows().isEmpty)
    }

    @Test func aGrownRangeKeepsTheShortWindowAndFetchesOnlyWhatIsNew() {
        let first = WindowPlanner(start: ts("2024-01-01T00:00:00Z"), end: ts("2024-03-15T00:00:00Z"), step: .seconds(60 * 86_400))
        let done = first.windows()
        let grown = WindowPlanner(start: first.start, end: ts("2024-06-01T00:00:00Z"), step: first.step)
        #expect(grown.windows(around: done).map(\.id) == [
            "2024-01-01T00:00:00Z/2024-03-01T00:00:00Z",
            "2024-03-01T00:00:00Z/2024-03-15T00:00:00Z",
            "2024-03-15T00:00:00Z/2024-05-14T00:00:00Z",
            "2024-05-14T00:00:00Z/2024-06-01T00:00:00Z",
        ])
    }

    @Test func newWindowsStopAtDoneOnesAndNeverOverlapThem() {
        // Done with another step and an unaligned start: the gaps are filled, nothing is cut twice.
        let done = [
            TimeWindow(start: ts("2024-01-10T00:00:00Z"), end: ts("2024-01-20T00:00:00Z")),
            TimeWindow(start: ts("2024-01-25T00:00:00Z"), end: ts("2024-02-05T00:00:00Z")),
        ]
        let p = WindowPlanner(start: ts("2024-01-01T00:00:00Z"), end: ts("2024-02-10T00:00:00Z"), step: .seconds(7 * 86_400))
        let w = p.windows(around: done)
        #expect(w.map(\.id) == [
            "2024-01-01T00:00:00Z/2024-01-08T00:00:00Z",
            "2024-01-08T00:00:00Z/2024-01-10T00:00:00Z",
            "2024-01-10T00:00:00Z/2024-01-20T00:00:00Z",
            "2024-01-20T00:00:00Z/2024-01-25T00:00:00Z",
            "2024-01-25T00:00:00Z/2024-02-05T00:00:00Z",
            "2024-02-05T00:00:00Z/2024-02-10T00:00:00Z",
        ])
        for (a, b) in zip(w, w.dropFirst()) { #expect(a.end == b.start) }
    }

    @Test func windowIDsRoundTrip() {
        let w = TimeWindow(start: ts("2024-01-01T00:00:00Z"), end: ts("2024-03-01T00:00:00Z"))
        #expect(TimeWindow(id: w.id) == w)
        #expect(TimeWindow(id: "2024-03-01T00:00:00Z/2024-01-01T00:00:00Z") == nil)
        #expect(TimeWindow(id: "file.csv@123#0-100") == nil)
    }
}
