import SluiceCore
import Testing

@testable import SluiceEngine

@Suite struct AggregatePlanTests {
    static let schema = Schema([
        Field("start", .string), Field("ns", .dictionary), Field("cpu", .float64), Field("req", .float64), Field("n", .int64),
    ])
    static let batch = RecordBatch(schema: schema, columns: [
        Column.make(.string, ["2024-05-01 00:00:00 +0000 UTC", "2024-05-01 01:00:00 +0000 UTC", "2024-05-02 00:00:00 +0000 UTC", "2024-05-01 02:00:00 +0000 UTC"].map(Scalar.string)),
        Column.make(.dictionary, [.string("web"), .string("web"), .string("web"), .string("db")]),
        Column.make(.float64, [.double(3600), .double(1800), .null, .double(7200)]),
        Column.make(.float64, [.double(1800), .double(3600), .double(900), .double(0)]),
        Column.make(.int64, [.int(1), .int(2), .int(3), .int(4)]),
    ])

    static func plan(_ groupBy: [(String, String)], _ compute: [(String, String)]) throws -> AggregatePlan {
        try AggregatePlan(
            groupBy: groupBy.map { ($0.0, try ExpressionParser.parse($0.1)) },
            compute: compute.map { ($0.0, try ExpressionParser.parse($0.1)) }, input: schema)
    }

    static func run(_ plan: AggregatePlan, _ batches: [RecordBatch]) throws -> [[Scalar]] {
        let agg = try plan.makeAggregator(memoryBudget: 1 << 20, spillDirectory: "/tmp")
        for b in batches { try plan.consume(b, into: agg) }
        var rows: [[Scalar]] = []
        try plan.finish(agg) { (b: RecordBatch) throws(SluiceError) in
            for r in 0..<b.count { rows.append(b.row(r)) }
        }
        return rows.sorted { $0.description < $1.description }
    }

    @Test func keysAggregatesAndArithmeticAfterwards() throws {
        let p = try Self.plan(
            [("day", "date(substr(start, 1, 10))"), ("ns", "ns")],
            [
                ("rows", "count(*)"), ("cpu_hours", "sum(cpu) / 3600"), ("effective", "sum(greatest(cpu, req)) / 3600"),
                ("cpus", "count(cpu)"), ("top", "max(n) * 10 + day(day)"), ("kinds", "count_distinct(n)"),
            ])
        #expect(p.outputSchema.names == ["day", "ns", "rows", "cpu_hours", "effective", "cpus", "top", "kinds"])
        #expect(p.requiredInputs == ["start", "ns", "cpu", "req", "n"])
        let rows = try Self.run(p, [Self.batch, Self.batch.slice(0, 2)])
        #expect(rows == [
            [.date(19844), .string("db"), .int(1), .double(2), .double(2), .int(1), .int(41), .int(1)],
            [.date(19844), .string("web"), .int(4), .double(3), .double(4), .int(4), .int(21), .int(2)],
            [.date(19845), .string("web"), .int(1), .null, .double(0.25), .int(0), .int(32), .int(1)],
        ].sorted { $0.description < $1.description })
    }

    @Test func errorsSayWhatIsWrong() {
        func message(_ g: [(String, String)], _ c: [(String, String)]) -> String {
            do {
                _ = try Self.plan(g, c)
                return "no error"
            } catch { return "\(error)" }
        }
        #expect(message([("ns", "ns")], [("x", "cpu + 1")]).contains("column 'cpu' is neither a group key nor inside an aggregate"))
        #expect(message([("ns", "ns")], [("x", "sum(max(cpu))")]).contains("inside another aggregate"))
        #expect(message([("ns", "ns")], [("x", "first(cpu)")]).contains("not supported"))
        #expect(message([("ns", "sum(cpu)")], [("x", "count(*)")]).contains("cannot use the aggregate"))
        #expect(message([("ns", "ns")], [("x", "sum(ns)")]).contains("sum does not apply to a dictionary column"))
    }
}
