import SluiceCore
import Testing

@testable import SluiceEngine

@Suite struct DedupFilterTests {
    @Test func firstRowOfEachKeyAcrossBatches() throws {
        let schema = Schema([Field("id", .string), Field("v", .int64)])
        func batch(_ rows: [(String?, Int64)]) -> RecordBatch {
            RecordBatch(schema: schema, columns: [
                Column.make(.string, rows.map { $0.0.map(Scalar.string) ?? .null }), Column.make(.int64, rows.map { .int($0.1) }),
            ])
        }
        let f = try DedupFilter(schema: schema, keys: ["id"])
        let a = f.filter(batch([("a", 1), ("b", 2), ("a", 3), (nil, 4), (nil, 5)]))
        #expect((0..<a.count).map { a.row($0) } == [[.string("a"), .int(1)], [.string("b"), .int(2)], [.null, .int(4)]])
        let b = f.filter(batch([("b", 6), ("c", 7), ("c", 8)]))
        #expect((0..<b.count).map { b.row($0) } == [[.string("c"), .int(7)]])
        #expect(f.dropped == 4 && f.keyCount == 4)
        #expect(throws: SluiceError.self) { try DedupFilter(schema: schema, keys: ["idd"]) }
    }
}
