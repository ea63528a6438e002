import Testing

@testable import SluiceEngine

@Suite("Clock")
struct ClockTests {
    /// Run ids name ledger rows and report folders: fixed width, to the millisecond.
    @Test func compactStampHasMilliseconds() {
        for _ in 0..<50 {
            let s = Array(Clock.utcStamp(compact: true))
            #expect(s.count == 20, "\(String(s))")
            #expect(s[8] == "T" && s[15] == "." && s[19] == "Z", "\(String(s))")
            #expect(s.enumerated().allSatisfy { i, c in [8, 15, 19].contains(i) || c.isNumber }, "\(String(s))")
        }
    }
}
