import Foundation
import Testing

import SluiceCore

@Suite("Column.take on strings, and dead-letter JSON lines")
struct TakeAndRejectLineTests {
    @Test func stringTakeKeepsValuesNullsAndOrder() {
        let b = StringBuilder(capacity: 6)
        let values: [String?] = ["alpha", nil, "", "γράμμα", "x\"y\\z", nil]
        for v in values { if let v { b.append(v) } else { b.appendNull() } }
        let c = b.finish()
        let picks: [Int32] = [3, 1, 0, 0, 5, 2, 4]
        let t = c.take(picks)
        #expect(t.count == picks.count)
        #expect(t.nullCount == 2)
        #expect((0..<t.count).map { t.string(at: $0) } == picks.map { values[Int($0)] })
        // A slice (offset into the buffers) takes the same values.
        let s = c.slice(2, 3)
        let ts = s.take([2, 0, 1])
        #expect((0..<ts.count).map { ts.string(at: $0) } == ["x\"y\\z", "", "γράμμα"])
        #expect(ts.validity == nil || ts.nullCount == 0)
        #expect(c.take([]).count == 0)
    }

    @Test func rejectLineIsJSONWithEveryValue() throws {
        let r = RejectedRow(
            file: "in/a \"b\".csv", line: 12, stage: "validate", column: "user_id", rule: "pattern",
            reason: "'x\ty' does not match ^user_[0-9]+$",
            values: [("event_id", "6f1c"), ("user_id", "x\ty"), ("note", "line1\nline2 \u{1} é"), ("price", nil)])
        let line = r.jsonLine
        #expect(!line.contains("\n"))
        let o = try #require(JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
        #expect(o["file"] as? String == "in/a \"b\".csv")
        #expect(o["line"] as? Int == 12)
        #expect(o["column"] as? String == "user_id")
        #expect(o["reason"] as? String == "'x\ty' does not match ^user_[0-9]+$")
        let v = try #require(o["values"] as? [String: Any])
        #expect(v["note"] as? String == "line1\nline2 \u{1} é")
        #expect(v["price"] is NSNull)
        #expect(line.hasPrefix("{\"file\":") && line.contains("\"values\":{\"event_id\":\"6f1c\","))
        let none = RejectedRow(file: "f", line: nil, stage: "parse", column: nil, rule: "r", reason: "", values: [])
        #expect(none.jsonLine == "{\"file\":\"f\",\"line\":null,\"stage\":\"parse\",\"column\":null,\"rule\":\"r\",\"reason\":\"\",\"values\":{}}")
    }
}
