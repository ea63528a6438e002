import Foundation
import SluiceCore
import Testing

@testable import SluiceEngine

@Suite struct SpillingAggregatorTests {
    /// Many groups (string and int keys, nulls among values) through a budget far below their
    /// state: the result must equal the unbounded aggregator's, group for group.
    @Test func smallBudgetSpillsAndMatchesInMemory() throws {
        let dir = try GeneratorTestSupport.scratchDirectory("spill")
        defer { GeneratorTestSupport.remove(dir) }
        let keys = [Field("user", .string), Field("bucket", .int64), Field("kind", .dictionary)]
        let valueTypes: [DataType] = [.float64, .int64, .string]
        let calls = [
            AggregateCall(.count, input: nil, name: "n"), AggregateCall(.sum, input: 0, name: "x"),
            AggregateCall(.sum, input: 1, name: "i"), AggregateCall(.max, input: 2, name: "tag"),
            AggregateCall(.countDistinct, input: 2, name: "tags"), AggregateCall(.avg, input: 0, name: "mean"),
        ]
        let bounded = try SpillingAggregator(keys: keys, valueTypes: valueTypes, calls: calls, memoryBudget: 200_000, spillDirectory: dir)
        let reference = try HashAggregator(keys: keys, valueTypes: valueTypes, calls: calls)
        var rng = GeneratorRandom(seed: 3)
        for _ in 0..<20 {
            let n = 5000
            var cols: [[Scalar]] = Array(repeating: [], count: 6)
            for _ in 0..<n {
                let u = rng.below(40_000)
                cols[0].append(.string("user-\(u)"))
                cols[1].append(.int(Int64(u % 7)))
                cols[2].append(.string(["a", "b", "c"][rng.below(3)]))
                cols[3].append(rng.below(4) == 0 ? .null : .double(Double(rng.below(1 << 16)) / 8))
                cols[4].append(.int(Int64(rng.below(1000))))
                cols[5].append(rng.below(3) == 0 ? .null : .string("t\(rng.below(5))"))
            }
            let types: [DataType] = [.string, .int64, .dictionary, .float64, .int64, .string]
            let c = zip(types, cols).map { Column.make($0, $1) }
            try bounded.add(keyColumns: Array(c[0..<3]), values: Array(c[3...]), rows: n)
            reference.add(keyColumns: Array(c[0..<3]), values: Array(c[3...]), rows: n)
        }
        var got: [[Scalar]: [Scalar]] = [:]
        var batches = 0
        try bounded.finish { (b: RecordBatch) throws(SluiceError) in
            batches += 1
            for r in 0..<b.count {
                let row = b.row(r)
                #expect(got[Array(row[0..<3])] == nil, "a group came out twice")
                got[Array(row[0..<3])] = Array(row[3...])
            }
        }
        #expect(bounded.spilledRows > 0)
        #expect(batches > 16, "spill files were split again at a deeper level")
        let expected = try reference.finish()
        #expect(got.count == expected.count)
        var same = 0
        for r in 0..<expected.count {
            let row = expected.row(r)
            if got[Array(row[0..<3])] == Array(row[3...]) { same += 1 }
        }
        #expect(same == expected.count)
        #expect(try GeneratorTestSupport.listing(dir).isEmpty, "spill files are removed")
    }
}
