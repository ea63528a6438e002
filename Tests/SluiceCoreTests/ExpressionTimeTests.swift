import Testing

import SluiceCore

private let N = Scalar.null

@Suite("Expression date and time functions")
struct ExpressionTimeTests {
    /// Seconds around and before the epoch: -1 s, -1 day, -1 day -1 s, 1969-01-01, 1900-01-01, and
    /// 2024-02-29T12:34:56.
    let epochs = makeBatch([
        (
            "t", .timestamp(.s),
            [-1, -86_400, -86_401, -31_536_000, -2_208_988_800, 1_709_210_096].map { Scalar.timestamp($0, .s) }
        ),
        ("n", .int64, [-1, -86_400, -86_401, -31_536_000, -2_208_988_800, 1_709_210_096].map { Scalar.int($0) }),
    ])

    @Test func dateOf() throws {
        let r = try evaluate("date(ts)")
        #expect(r.type == .date)
        #expect(r.values == [date("2024-01-31"), date("2024-02-29"), N, date("1969-12-31"), date("2000-03-01")])
        #expect(try values("date(dt)") == [date("2024-01-31"), date("2024-02-29"), N, date("1969-12-31"), date("2000-03-01")])
        #expect(try values("date(t)", epochs) == [
            date("1969-12-31"), date("1969-12-31"), date("1969-12-30"), date("1969-01-01"), date("1900-01-01"),
            date("2024-02-29"),
        ])
        func constant(_ text: String) throws -> Scalar? { try BoundExpression(parsing: text, schema: sample.schema).constantValue }
        #expect(try constant("date('2024-02-29')") == date("2024-02-29"))
        #expect(try constant("date('2023-02-29')") == N)
        #expect(try constant("date('2100-02-29')") == N)
        #expect(try constant("date('2024-02-29 23:59:59')") == date("2024-02-29"))
        #expect(try values("date(s)") == [N, N, N, N, N])
        let strings = makeBatch([("x", .dictionary, [.string("2024-01-02"), .string("junk"), N])])
        #expect(try values("date(x)", strings) == [date("2024-01-02"), N, N])
        #expect(errorMessage("date(i)") == "expression: function 'date' expects a timestamp, date or string, got int64 in 'date(i)'")
    }

    @Test func toTimestamp() throws {
        let r = try evaluate("to_timestamp(i, 's')")
        #expect(r.type == .timestamp(.s))
        #expect(r.values == [.timestamp(1, .s), .timestamp(2, .s), N, .timestamp(-4, .s), .timestamp(5, .s)])
        let ms = try evaluate("to_timestamp(j, 'ms')")
        #expect(ms.type == .timestamp(.ms))
        #expect(ms.values == [.timestamp(10, .ms), .timestamp(0, .ms), .timestamp(3, .ms), N, .timestamp(-2, .ms)])
        #expect(try evaluate("to_timestamp(i, 'NS')").type == .timestamp(.ns))
        #expect(try evaluate("to_timestamp(i)").type == .timestamp(.s))
        func constant(_ text: String) throws -> Scalar? { try BoundExpression(parsing: text, schema: sample.schema).constantValue }
        #expect(try constant("to_timestamp(1700000000)") == ts("2023-11-14T22:13:20Z", .s))
        #expect(try constant("to_timestamp('2024-01-31T10:15:30Z')") == ts("2024-01-31T10:15:30Z", .us))
        #expect(try constant("to_timestamp('2024-01-31T10:15:30.5Z', 'ms')") == ts("2024-01-31T10:15:30.5Z", .ms))
        #expect(try constant("to_timestamp('nope')") == N)
        #expect(try constant("to_timestamp(1.5, 's')") == .timestamp(1, .s))
        #expect(try constant("to_timestamp(-1.5, 's')") == .timestamp(-2, .s))
        #expect(try constant("to_timestamp(cast('2024-01-01', 'date'))") == ts("2024-01-01", .us))
        #expect(try values("to_timestamp(ts, 's')")[3] == .timestamp(-1, .s))
        #expect(try values("year(to_timestamp(n))", epochs) == [.int(1969), .int(1969), .int(1969), .int(1969), .int(1900), .int(2024)])
        // Integers become timestamps without copying their buffer.
        let bound = try BoundExpression(parsing: "to_timestamp(n, 'ms')", schema: epochs.schema)
        #expect(try bound.evaluate(epochs).values === epochs.columns[1].values)
        #expect(errorMessage("to_timestamp(i, 'days')") == "expression: function 'to_timestamp' expects a unit 's', 'ms', 'us' or 'ns', got 'days' in 'to_timestamp(i, 'days')'")
        #expect(errorMessage("to_timestamp(b)")?.contains("expects a number, string, date or timestamp, got bool") == true)
    }

    @Test func parts() throws {
        #expect(try evaluate("year(ts)").type == .int32)
        #expect(try values("year(ts)") == [.int(2024), .int(2024), N, .int(1969), .int(2000)])
        #expect(try values("month(ts)") == [.int(1), .int(2), N, .int(12), .int(3)])
        #expect(try values("day(ts)") == [.int(31), .int(29), N, .int(31), .int(1)])
        #expect(try values("hour(ts)") == [.int(10), .int(0), N, .int(23), .int(23)])
        #expect(try values("minute(ts)") == [.int(15), .int(0), N, .int(59), .int(5)])
        #expect(try values("year(dt)") == [.int(2024), .int(2024), N, .int(1969), .int(2000)])
        #expect(try values("MONTH(dt)") == [.int(1), .int(2), N, .int(12), .int(3)])
        #expect(try values("day(dt)") == [.int(31), .int(29), N, .int(31), .int(1)])
        #expect(try values("hour(dt)") == [.int(0), .int(0), N, .int(0), .int(0)])
        #expect(try values("minute(dt)") == [.int(0), .int(0), N, .int(0), .int(0)])
        #expect(try values("hour(t)", epochs) == [.int(23), .int(0), .int(23), .int(0), .int(0), .int(12)])
        #expect(try values("minute(t)", epochs) == [.int(59), .int(0), .int(59), .int(0), .int(0), .int(34)])
        #expect(try values("day(t)", epochs) == [.int(31), .int(31), .int(30), .int(1), .int(1), .int(29)])
        #expect(try values("month(t)", epochs) == [.int(12), .int(12), .int(12), .int(1), .int(1), .int(2)])
        // Leap days: 2000 (divisible by 400) has one, 1900 (by 100) does not.
        let leap = makeBatch([("x", .date, [date("2000-02-29"), date("1900-03-01"), date("2024-03-01"), date("1600-02-29")])])
        #expect(try values("day(x)", leap) == [.int(29), .int(1), .int(1), .int(29)])
        #expect(try values("month(x)", leap) == [.int(2), .int(3), .int(3), .int(2)])
        #expect(try values("year(x)", leap) == [.int(2000), .int(1900), .int(2024), .int(1600)])
        // The smallest nanosecond timestamp, 1677-09-21T00:12:43.145224192Z.
        let ns = makeBatch([("x", .timestamp(.ns), [.timestamp(.min, .ns)])])
        #expect(try values("year(x)", ns) == [.int(1677)])
        #expect(try values("minute(x)", ns) == [.int(12)])
        #expect(errorMessage("year(s)") == "expression: function 'year' expects a date or timestamp, got string in 'year(s)'")
    }

    @Test func dateTrunc() throws {
        let month = try evaluate("date_trunc('month', ts)")
        #expect(month.type == .timestamp(.ms))
        #expect(month.values == [
            ts("2024-01-01", .ms), ts("2024-02-01", .ms), N, ts("1969-12-01", .ms), ts("2000-03-01", .ms),
        ])
        #expect(try values("date_trunc('year', ts)") == [
            ts("2024-01-01", .ms), ts("2024-01-01", .ms), N, ts("1969-01-01", .ms), ts("2000-01-01", .ms),
        ])
        #expect(try values("date_trunc('DAY', ts)") == [
            ts("2024-01-31", .ms), ts("2024-02-29", .ms), N, ts("1969-12-31", .ms), ts("2000-03-01", .ms),
        ])
        #expect(try values("date_trunc('hour', ts)") == [
            ts("2024-01-31T10:00Z", .ms), ts("2024-02-29T00:00Z", .ms), N, ts("1969-12-31T23:00Z", .ms),
            ts("2000-03-01T23:00Z", .ms),
        ])
        #expect(try values("date_trunc('minute', ts)") == [
            ts("2024-01-31T10:15Z", .ms), ts("2024-02-29T00:00Z", .ms), N, ts("1969-12-31T23:59Z", .ms),
            ts("2000-03-01T23:05Z", .ms),
        ])
        #expect(try values("date_trunc('second', ts)") == [
            ts("2024-01-31T10:15:30Z", .ms), ts("2024-02-29T00:00:00Z", .ms), N, ts("1969-12-31T23:59:59Z", .ms),
            ts("2000-03-01T23:05:00Z", .ms),
        ])
        let d = try evaluate("date_trunc('month', dt)")
        #expect(d.type == .date)
        #expect(d.values == [date("2024-01-01"), date("2024-02-01"), N, date("1969-12-01"), date("2000-03-01")])
        #expect(try values("date_trunc('year', dt)") == [date("2024-01-01"), date("2024-01-01"), N, date("1969-01-01"), date("2000-01-01")])
        #expect(try values("date_trunc('hour', dt)") == [date("2024-01-31"), date("2024-02-29"), N, date("1969-12-31"), date("2000-03-01")])
        #expect(try values("date_trunc('day', t)", epochs) == [
            ts("1969-12-31", .s), ts("1969-12-31", .s), ts("1969-12-30", .s), ts("1969-01-01", .s), ts("1900-01-01", .s),
            ts("2024-02-29", .s),
        ])
        // Midnight of 1677-09-21 is before the first nanosecond timestamp: null, not a wrapped value.
        let ns = makeBatch([("x", .timestamp(.ns), [.timestamp(.min, .ns), .timestamp(0, .ns)])])
        #expect(try values("date_trunc('day', x)", ns) == [N, .timestamp(0, .ns)])
        #expect(try values("date_trunc('day', ts) = dt") == [.bool(true), .bool(true), N, .bool(true), .bool(true)])
        #expect(
            errorMessage("date_trunc('week', ts)")
                == "expression: function 'date_trunc' expects a unit 'year', 'month', 'day', 'hour', 'minute', 'second', got 'week' in 'date_trunc('week', ts)'")
        #expect(errorMessage("date_trunc(s, ts)")?.contains("expects the unit as a string literal") == true)
        #expect(errorMessage("date_trunc('day', i)")?.contains("expects a date or timestamp, got int64") == true)
    }

    @Test func slicedTimestamps() throws {
        let part = sample.slice(3, 2)
        #expect(try values("date(ts)", part) == [date("1969-12-31"), date("2000-03-01")])
        #expect(try values("hour(ts) + minute(ts)", part) == [.int(82), .int(28)])
    }
}
