import Foundation
import SluiceCore
import Testing
@testable import SluiceParquet

/// Row groups are the splits the engine reads in parallel: one shared reader, many tasks.
@Suite struct ConcurrentReadTests {
    @Test func rowGroupsReadInParallelMatchASerialRead() async throws {
        let dir = try TemporaryDirectory()
        let path = dir.path + "/par.parquet"
        var options = ParquetWriteOptions()
        options.rowGroupRows = 500
        let batch = WriterRoundTripTests.batch(rows: 4000, seed: 11)
        let writer = try ParquetWriter(path: path, schema: batch.schema, options: options)
        try writer.write(batch)
        try writer.close()
        let reader = try ParquetFileReader(path: path)
        #expect(reader.rowGroupCount == 8)
        let columns = ["i64", "s", "dict", "f64", "ts_us"]
        let results = try await withThrowingTaskGroup(of: (Int, RecordBatch).self) { group in
            for round in 0..<3 {
                for g in 0..<reader.rowGroupCount {
                    group.addTask { (g + round * 100, try reader.readRowGroup(g, columns: columns)) }
                }
            }
            var out: [Int: RecordBatch] = [:]
            for try await (key, b) in group { out[key] = b }
            return out
        }
        #expect(results.count == 24)
        for (key, got) in results {
            let g = key % 100
            let want = batch.slice(g * 500, 500)
            for (c, name) in columns.enumerated() {
                let expected = want.column(named: name)!
                for i in 0..<500 {
                    let a = got.columns[c].scalar(at: i), b = expected.scalar(at: i)
                    if case .double(let x) = a, case .double(let y) = b, x.isNaN, y.isNaN { continue }
                    #expect(a == b, "row group \(g) \(name)[\(i)]")
                }
            }
        }
    }
}
