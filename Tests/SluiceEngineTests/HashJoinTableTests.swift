import SluiceCore
import Testing

@testable import SluiceEngine

@Suite struct HashJoinTableTests {
    static let lookupSchema = Schema([Field("node", .dictionary), Field("day", .date), Field("labels", .string)])

    static func lookup() -> [RecordBatch] {
        let a = RecordBatch(schema: lookupSchema, columns: [
            Column.make(.dictionary, [.string("n1"), .string("n2"), .string("n1"), .null]),
            Column.make(.date, [.date(1), .date(1), .date(2), .date(1)]),
            Column.make(.string, [.string("{a}"), .string("{b}"), .string("{c}"), .string("{null}")]),
        ])
        // A second batch with its own dictionary: n1 again (a duplicate key), and n3.
        let b = RecordBatch(schema: lookupSchema, columns: [
            Column.make(.dictionary, [.string("n3"), .string("n1")]),
            Column.make(.date, [.date(1), .date(1)]),
            Column.make(.string, [.string("{d}"), .null]),
        ])
        return [a, b]
    }

    @Test func innerAndLeftMatchesAgreeWithNestedLoops() throws {
        let t = try HashJoinTable(batches: Self.lookup(), schema: Self.lookupSchema, keys: ["node", "day"])
        #expect(t.rows.count == 6 && t.keyCount == 4)
        let probeNodes = Column.make(.string, [.string("n1"), .string("n9"), .null, .string("n3"), .string("n1"), .string("n2")])
        let probeDays = Column.make(.date, [.date(1), .date(1), .date(1), .date(1), .date(2), .date(2)])
        for left in [false, true] {
            let (p, b) = t.match([probeNodes, probeDays], rows: 6, keepUnmatched: left)
            // Reference: every pair with equal non-null keys, probe order then build order.
            var pairs: [(Int32, Int32)] = []
            for r in 0..<6 {
                var matched = false
                for s in 0..<t.rows.count {
                    let pk = [probeNodes.scalar(at: r), probeDays.scalar(at: r)]
                    let bk = [t.rows.columns[0].scalar(at: s), t.rows.columns[1].scalar(at: s)]
                    if !pk.contains(.null) && pk == bk {
                        pairs.append((Int32(r), Int32(s)))
                        matched = true
                    }
                }
                if left && !matched { pairs.append((Int32(r), -1)) }
            }
            #expect(p == pairs.map(\.0) && b == pairs.map(\.1), "left: \(left)")
        }
        let (_, b) = t.match([probeNodes, probeDays], rows: 6, keepUnmatched: true)
        #expect(b == [0, 5, -1, -1, 4, 2, -1])
        let labels = t.column(2, at: b)
        #expect((0..<labels.count).map { labels.scalar(at: $0) } == [
            .string("{a}"), .null, .null, .null, .string("{d}"), .string("{c}"), .null,
        ])
    }

    @Test func unknownKeyColumnIsAnError() {
        #expect(throws: SluiceError.self) { try HashJoinTable(batches: Self.lookup(), schema: Self.lookupSchema, keys: ["nod"]) }
    }
}

@Suite struct JoinOperatorTests {
    @Test func addsLookupColumnsAndKeepsOrigins() throws {
        let table = try HashJoinTable(batches: HashJoinTableTests.lookup(), schema: HashJoinTableTests.lookupSchema, keys: ["node", "day"])
        let input = Schema([Field("n", .string), Field("d", .date), Field("v", .int64)])
        let batch = RecordBatch(
            schema: input,
            columns: [
                Column.make(.string, [.string("n1"), .string("zz"), .string("n2")]),
                Column.make(.date, [.date(1), .date(1), .date(1)]), Column.make(.int64, [.int(10), .int(20), .int(30)]),
            ],
            origin: RowOrigin(source: "f.csv", lines: Column.make(.int64, [.int(2), .int(3), .int(4)])))
        var rejects: [RejectedRow] = []
        let left = try JoinOperator(table: table, on: ["n", "d"], columns: [("labels", "labels")], kind: .left, input: input)
        let out = try left.process(batch, rejects: &rejects)
        #expect(out.schema.names == ["n", "d", "v", "labels"])
        #expect((0..<out.count).map { out.row($0) } == [
            [.string("n1"), .date(1), .int(10), .string("{a}")], [.string("n1"), .date(1), .int(10), .null],
            [.string("zz"), .date(1), .int(20), .null], [.string("n2"), .date(1), .int(30), .string("{b}")],
        ])
        #expect((0..<out.count).map { out.origin?.line($0) } == [2, 2, 3, 4])
        let inner = try JoinOperator(table: table, on: ["n", "d"], columns: [("labels", "labels")], kind: .inner, input: input)
        #expect(try inner.process(batch, rejects: &rejects).count == 3)
        #expect(left.requiredInputs(for: ["labels", "v"]) == ["v", "n", "d"])
        #expect(throws: SluiceError.self) {
            try JoinOperator(table: table, on: ["v", "d"], columns: [], kind: .left, input: input)
        }
    }
}
