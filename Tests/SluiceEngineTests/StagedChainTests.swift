import SluiceCore
import Testing

@testable import SluiceEngine

@Suite struct StagedChainTests {
    /// Koku's capacity roll-up as three chained aggregates: per (hour, node) the max capacity,
    /// per (day, node) their sum, per day the sum over nodes.
    @Test func chainedAggregatesRollUpCapacity() throws {
        let schema = Schema([Field("hour", .string), Field("node", .dictionary), Field("cap", .float64)])
        var rows: [[Scalar]] = []
        for day in 1...2 {
            for h in 0..<24 {
                // Node a: 4 pods a hour, each reporting the node's 14400 core-seconds; node b: 1 pod, 7200.
                for _ in 0..<4 { rows.append([.string("2024-05-0\(day) \(h)"), .string("a"), .double(14400)]) }
                if h < 12 { rows.append([.string("2024-05-0\(day) \(h)"), .string("b"), .double(7200)]) }
            }
        }
        func plan(_ g: [(String, String)], _ c: [(String, String)], _ input: Schema) throws -> AggregatePlan {
            try AggregatePlan(
                groupBy: g.map { ($0.0, try ExpressionParser.parse($0.1)) }, compute: c.map { ($0.0, try ExpressionParser.parse($0.1)) },
                input: input)
        }
        let hourly = try plan([("hour", "hour"), ("node", "node")], [("cap", "max(cap)")], schema)
        let daily = try plan([("day", "substr(hour, 1, 10)"), ("node", "node")], [("cap", "sum(cap)")], hourly.outputSchema)
        let cluster = try plan([("day", "day")], [("hours", "sum(cap) / 3600"), ("nodes", "count(*)")], daily.outputSchema)
        let chain = try StagedChain([.aggregate(hourly), .aggregate(daily), .aggregate(cluster)], memoryBudget: 1 << 20, spillDirectory: "/tmp")
        #expect(StagedChain.outputSchema(chain.stages, input: schema).names == ["day", "hours", "nodes"])
        // Fed in two batches; nothing comes out before finish.
        var out: [[Scalar]] = []
        let half = rows.count / 2
        for part in [rows[..<half], rows[half...]] {
            let columns = (0..<3).map { j in Column.make(schema[j].type, part.map { $0[j] }) }
            try chain.push(RecordBatch(schema: schema, columns: columns)) { (_: RecordBatch) throws(SluiceError) in
                Issue.record("an aggregate emitted before the end of its input")
            }
        }
        try chain.finish { (b: RecordBatch) throws(SluiceError) in
            for r in 0..<b.count { out.append(b.row(r)) }
        }
        // Per day: 24 h x 4 cores (a) + 12 h x 2 cores (b) = 120 core-hours, from 2 nodes.
        #expect(out.sorted { $0.description < $1.description } == [
            [.string("2024-05-01"), .double(120), .int(2)], [.string("2024-05-02"), .double(120), .int(2)],
        ])
    }

    /// Dedup in a chain keeps the first row per key across pushes, after the row stage before it.
    @Test func dedupAcrossBatchesAfterRowStage() throws {
        let schema = Schema([Field("id", .int64), Field("v", .string)])
        let chain = try StagedChain([.dedup(["id"])], memoryBudget: 1 << 20, spillDirectory: "/tmp")
        var out: [[Scalar]] = []
        let emit: (RecordBatch) throws(SluiceError) -> Void = { b in for r in 0..<b.count { out.append(b.row(r)) } }
        for part in [[(1, "a"), (2, "b"), (1, "c")], [(2, "d"), (3, "e")]] {
            let batch = RecordBatch(schema: schema, columns: [
                Column.make(.int64, part.map { .int(Int64($0.0)) }), Column.make(.string, part.map { .string($0.1) }),
            ])
            try chain.push(batch, emit)
        }
        try chain.finish(emit)
        #expect(out == [[.int(1), .string("a")], [.int(2), .string("b")], [.int(3), .string("e")]])
    }
}
