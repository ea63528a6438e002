import SluiceCore
import Testing
@testable import SluiceParquet

/// Row-group skipping by statistics: each filter shape against bounds that do and do not allow
/// a match, and against a file written with known row-group ranges, where every skipped group
/// is checked to hold no matching row and every kept one is read.
struct RowGroupPruningTests {
    static func lookup(_ stats: [String: (ColumnStatistics, DataType)]) -> RowGroupPruning.Lookup {
        { name in stats[name].map { (stats: $0.0, type: $0.1) } }
    }

    static func may(_ filter: String, _ stats: [String: (ColumnStatistics, DataType)], rows: Int = 100) throws -> Bool {
        RowGroupPruning(try ExpressionParser.parse(filter)).mayMatch(rows: rows, lookup(stats))
    }

    let x = ["x": (ColumnStatistics(nullCount: 0, min: .int(10), max: .int(20)), DataType.int64)]

    @Test func comparisonsAgainstBounds() throws {
        #expect(try !Self.may("x > 20", x))
        #expect(try Self.may("x > 19", x))
        #expect(try Self.may("x >= 20", x))
        #expect(try !Self.may("x < 10", x))
        #expect(try Self.may("x <= 10", x))
        #expect(try !Self.may("x = 21", x))
        #expect(try !Self.may("x = 9", x))
        #expect(try Self.may("x = 15", x))
        #expect(try !Self.may("25 < x", x))  // flipped operands
        #expect(try !Self.may("x > -5 and x < 5", x))
        #expect(try Self.may("x < 5 or x = 12", x))
        #expect(try !Self.may("x < 5 or x > 30", x))
        #expect(try !Self.may("x in (1, 2, 30)", x))
        #expect(try Self.may("x in (1, 12)", x))
        #expect(try Self.may("x > 100.5 or y = 1", x))  // y has no statistics: may match
        #expect(try !Self.may("x > 100.5", x))
        #expect(try Self.may("not (x > 100)", x))  // not understood: may match
        #expect(try Self.may("x + 1 > 100", x))
    }

    @Test func notEqualOnlyWhenEveryValueIsTheLiteral() throws {
        let one = ["x": (ColumnStatistics(nullCount: 0, min: .int(7), max: .int(7)), DataType.int64)]
        #expect(try !Self.may("x != 7", one))
        #expect(try Self.may("x != 8", one))
        let f = ["f": (ColumnStatistics(nullCount: 0, min: .double(1), max: .double(1)), DataType.float64)]
        #expect(try Self.may("f != 1.0", f))  // a NaN would be != 1 and is never in the bounds
        let truncated = ["s": (ColumnStatistics(nullCount: 0, min: .string("ab"), max: .string("ab"), isMaxExact: false), DataType.string)]
        #expect(try Self.may("s != 'ab'", truncated))
    }

    @Test func nullsAndAllNullGroups() throws {
        let allNull = ["x": (ColumnStatistics(nullCount: 100), DataType.int64)]
        #expect(try !Self.may("x = 1", allNull))
        #expect(try !Self.may("x is not null", allNull))
        #expect(try Self.may("x is null", allNull))
        #expect(try !Self.may("x is null", x))
        #expect(try Self.may("x is not null", x))
        #expect(try !Self.may("x > 0", x, rows: 0))
    }

    @Test func datesAndTimestampsFromStringLiterals() throws {
        let d = ["d": (ColumnStatistics(nullCount: 0, min: .date(19723), max: .date(19753)), DataType.date)]  // 2024-01-01..2024-01-31
        #expect(try !Self.may("d >= '2024-02-01'", d))
        #expect(try Self.may("d >= '2024-01-31'", d))
        #expect(try !Self.may("d < '2023-12-31'", d))
        let ts = ["t": (ColumnStatistics(nullCount: 0, min: .timestamp(1_704_067_200_000, .ms), max: .timestamp(1_704_153_600_000, .ms)), DataType.timestamp(.ms))]
        #expect(try !Self.may("t > '2024-01-02T00:00:00Z'", ts))
        #expect(try Self.may("t >= '2024-01-02T00:00:00Z'", ts))
        #expect(try Self.may("t > 'not a time'", ts))  // unparsable: may match
        let s = ["s": (ColumnStatistics(nullCount: 0, min: .string("apple"), max: .string("melon")), DataType.dictionary)]
        #expect(try !Self.may("s = 'zebra'", s))
        #expect(try !Self.may("s < 'aa'", s))
        #expect(try Self.may("s = 'kiwi'", s))
        #expect(try Self.may("s = 5", s))  // a number against strings: may match
    }

    @Test func skippedGroupsOfAWrittenFileHoldNoMatch() throws {
        let rows = 10_000
        let v = PrimitiveBuilder<Int64>(.int64, capacity: rows)
        let s = StringBuilder(capacity: rows)
        for i in 0..<rows {
            v.append(Int64(i))
            if i % 10 == 0 { s.appendNull() } else { s.append("k\(i / 1000)") }
        }
        let batch = RecordBatch(schema: Schema([Field("v", .int64), Field("s", .string)]), columns: [v.finish(), s.finish()])
        var options = ParquetWriteOptions()
        options.rowGroupRows = 1000
        let dir = try TemporaryDirectory()
        let path = dir.path + "/p.parquet"
        let w = try ParquetWriter(path: path, schema: batch.schema, options: options)
        try w.write(batch)
        try w.close()
        let r = try ParquetFileReader(path: path)
        for filter in ["v >= 4500 and v < 5200", "s = 'k7'", "v > 9998 or s = 'k0'", "s is null and v < 100"] {
            let p = RowGroupPruning(try ExpressionParser.parse(filter))
            let bound = try BoundExpression(parsing: filter, schema: r.schema)
            var kept = 0
            for g in 0..<r.rowGroupCount {
                let b = try r.readRowGroup(g)
                let m = try bound.evaluate(b)
                let matches = (0..<b.count).contains { m.isValid($0) && m.bool(at: $0) }
                if r.mayMatch(rowGroup: g, p) { kept += 1 } else { #expect(!matches, "\(filter): group \(g) skipped but matches") }
            }
            #expect(kept < r.rowGroupCount, "\(filter) skipped nothing")
        }
    }
}
