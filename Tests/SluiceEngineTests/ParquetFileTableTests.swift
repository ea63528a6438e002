import Foundation
import Testing
import SluiceCore
import SluiceParquet
@testable import SluiceEngine

/// `FileTable` over Parquet files written by `ParquetWriter`: format detection, projection, file
/// order, the parallel scan over row groups, globs, the footer summary, and errors.
@Suite struct ParquetFileTableTests {
    static let rows = 2_500
    static let schema = Schema([Field("id", .int64), Field("x", .float64), Field("s", .string), Field("d", .date)])

    /// id = i; x = i / 4 except every fifth row null; s = one of five names; d = day i % 100.
    static func batch(_ range: Range<Int>) -> RecordBatch {
        let names = ["ant", "bee", "cat", "dog", "eel"]
        return RecordBatch(schema: schema, columns: [
            Column.make(.int64, range.map { .int(Int64($0)) }),
            Column.make(.float64, range.map { $0 % 5 == 0 ? .null : .double(Double($0) / 4) }),
            Column.make(.string, range.map { .string(names[$0 % 5]) }),
            Column.make(.date, range.map { .date(Int32($0 % 100)) }),
        ])
    }

    /// A fresh folder under the system temporary directory.
    static func folder() throws -> String {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("sluice-pq-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        return dir
    }

    /// Writes rows `range` to `path` in row groups of 1000 rows.
    static func write(_ path: String, _ range: Range<Int> = 0..<rows, dictionary: Bool = true, codec: CompressionCodec = .zstd) throws {
        var o = ParquetWriteOptions()
        o.rowGroupRows = 1_000
        o.dictionary = dictionary
        o.compression = codec
        o.requiredColumns = ["id"]
        let w = try ParquetWriter(path: path, schema: schema, options: o)
        try w.write(batch(range))
        _ = try w.close()
    }

    static func ids(_ batches: [RecordBatch]) -> [Int64] {
        batches.flatMap { b in (0..<b.count).map { b.columns[0].value($0, as: Int64.self) } }
    }

    @Test func opensByExtensionAndByMagic() throws {
        let dir = try Self.folder()
        try Self.write(dir + "/t.parquet")
        try FileManager.default.copyItem(atPath: dir + "/t.parquet", toPath: dir + "/t.bin")
        for name in ["t.parquet", "t.bin"] {
            let t = try FileTable(paths: [dir + "/" + name], options: .init())
            #expect(t.format == .parquet)
            #expect(t.recordedRowCount == Self.rows)
            #expect(t.schema == Schema([Field("id", .int64), Field("x", .float64), Field("s", .dictionary), Field("d", .date)]))
        }
        #expect(FileTable.format(of: dir + "/t.bin") == .parquet)
        #expect(FileTable.format(of: dir + "/*.parquet") == .parquet)
    }

    @Test func batchesComeInFileOrderSlicedToBatchRows() throws {
        let dir = try Self.folder()
        try Self.write(dir + "/t.parquet")
        let t = try FileTable(paths: [dir + "/t.parquet"], options: .init())
        var sizes: [Int] = []
        var all: [RecordBatch] = []
        try t.forEachBatch(batchRows: 700) { b, rejects in
            #expect(rejects.isEmpty)
            sizes.append(b.count)
            all.append(b)
        }
        #expect(sizes == [700, 300, 700, 300, 500])
        #expect(Self.ids(all) == (0..<Int64(Self.rows)).map { $0 })
        let head = try t.head(1_203)
        #expect(Self.ids(head.batches) == (0..<Int64(1_203)).map { $0 })
        let third = head.batches.flatMap { b in (0..<b.count).map { b.row($0) } }[3]
        #expect(third == [.int(3), .double(0.75), .string("dog"), .date(3)])
        #expect(try t.head(0).batches.isEmpty)
    }

    @Test func selectingReadsOnlyTheChosenColumnChunks() async throws {
        let dir = try Self.folder()
        try Self.write(dir + "/t.parquet")
        let full = try FileTable(paths: [dir + "/t.parquet"], options: .init())
        let t = try full.selecting(["x", "id"])
        #expect(t.schema == Schema([Field("id", .int64), Field("x", .float64)]))
        let head = try t.head(2)
        #expect(head.batches.first?.row(1) == [.int(1), .double(0.25)])
        let reader = try ParquetFileReader(path: dir + "/t.parquet")
        var expectedBytes = 0
        for g in reader.metadata.rowGroups {
            expectedBytes += Int(g.columns[0].metaData?.totalCompressedSize ?? 0) + Int(g.columns[1].metaData?.totalCompressedSize ?? 0)
        }
        let scan = try await t.scan(workers: 2, initial: { 0 }, fold: { $0 += $1.count })
        #expect(scan.partials.reduce(0, +) == Self.rows)
        #expect(scan.bytes == expectedBytes)
        #expect(throws: SluiceError.invalidArgument("unknown column 'idd'; did you mean 'id'? (columns: id, x, s, d)")) {
            try full.selecting(["idd"])
        }
    }

    @Test func parallelScanOverRowGroupsGivesExactStatistics() async throws {
        let dir = try Self.folder()
        try Self.write(dir + "/t.parquet")
        let t = try FileTable(paths: [dir + "/t.parquet"], options: .init())
        let schema = t.schema
        for workers in [1, 3] {
            let scan = try await t.scan(workers: workers, initial: { ColumnStatistics(schema: schema) }, fold: { $0.add($1) })
            #expect(scan.partials.count == workers)
            var s = ColumnStatistics(schema: schema)
            for p in scan.partials { s.merge(p) }
            let e = s.entries
            let xs = (0..<Self.rows).filter { $0 % 5 != 0 }
            #expect(s.rows == Self.rows)
            #expect(e[0] == .init(name: "id", type: .int64, count: Self.rows, nulls: 0, min: .int(0), max: .int(2_499), sum: .int(Int64(Self.rows * (Self.rows - 1) / 2))))
            #expect(e[1].count == xs.count && e[1].nulls == Self.rows / 5)
            #expect(e[1].sum == .double(Double(xs.reduce(0, +)) / 4))
            #expect(e[1].min == .double(0.25) && e[1].max == .double(2_499.0 / 4))
            #expect(e[2].min == .string("ant") && e[2].max == .string("eel"))
            #expect(e[3].min == .date(0) && e[3].max == .date(99))
        }
    }

    @Test func globReadsSeveralFilesEvenWhenOnlySomeKeepDictionaries() async throws {
        let dir = try Self.folder()
        try Self.write(dir + "/a.parquet", 0..<1_500, dictionary: true)
        try Self.write(dir + "/b.parquet", 1_500..<Self.rows, dictionary: false, codec: .snappy)
        let t = try FileTable(paths: [dir + "/*.parquet"], options: .init())
        #expect(t.files == [dir + "/a.parquet", dir + "/b.parquet"])
        #expect(t.recordedRowCount == Self.rows)
        #expect(t.schema[2] == Field("s", .string))
        var all: [RecordBatch] = []
        try t.forEachBatch { b, _ in all.append(b) }
        #expect(Self.ids(all) == (0..<Int64(Self.rows)).map { $0 })
        let schema = t.schema
        let scan = try await t.scan(workers: 2, initial: { ColumnStatistics(schema: schema) }, fold: { $0.add($1) })
        var s = ColumnStatistics(schema: schema)
        for p in scan.partials { s.merge(p) }
        #expect(s.rows == Self.rows)
        #expect(s.entries[0].sum == .int(Int64(Self.rows * (Self.rows - 1) / 2)))
    }

    @Test func mixingParquetAndCSVIsRefused() throws {
        let dir = try Self.folder()
        try Self.write(dir + "/a.parquet")
        try "id\n1\n".write(toFile: dir + "/b.csv", atomically: true, encoding: .utf8)
        #expect(throws: SluiceError.invalidArgument("\(dir)/b.csv is not Parquet but \(dir)/a.parquet is: one table reads files of one format")) {
            try FileTable(paths: [dir + "/*"], options: .init())
        }
    }

    @Test func summaryDescribesRowGroupsChunksAndStatistics() throws {
        let dir = try Self.folder()
        try Self.write(dir + "/t.parquet")
        let t = try FileTable(paths: [dir + "/t.parquet"], options: .init())
        let summaries = try #require(try t.parquetSummaries())
        #expect(summaries.count == 1)
        let s = summaries[0]
        #expect(s.rows == Self.rows)
        #expect(s.columns.map(\.name) == ["id", "x", "s", "d"])
        #expect(s.columns.map(\.physical) == ["INT64", "DOUBLE", "BYTE_ARRAY", "INT32"])
        #expect(s.columns.map(\.logical) == [nil, nil, "STRING", "DATE"])
        #expect(s.columns.map(\.repetition) == ["required", "optional", "optional", "optional"])
        #expect(s.columns.map(\.type) == [.int64, .float64, .dictionary, .date])
        #expect(s.rowGroups.map(\.rows) == [1_000, 1_000, 500])
        let g1 = s.rowGroups[1]
        #expect(g1.chunks.map(\.codec) == ["ZSTD", "ZSTD", "ZSTD", "ZSTD"])
        #expect(g1.chunks[0].min == .int(1_000) && g1.chunks[0].max == .int(1_999) && g1.chunks[0].nullCount == 0)
        #expect(g1.chunks[1].nullCount == 200)
        #expect(g1.chunks[2].min == .string("ant") && g1.chunks[2].max == .string("eel"))
        #expect(g1.chunks[2].encodings.contains("RLE_DICTIONARY"))
        #expect(g1.compressedBytes == g1.chunks.reduce(0) { $0 + $1.compressedBytes })
        let projected = try #require(try t.selecting(["x"]).parquetSummaries())
        #expect(projected[0].rowGroups[0].chunks.map(\.column) == ["x"])
    }

    @Test func corruptFilesAreErrorsNamingTheFile() async throws {
        let dir = try Self.folder()
        try "a,b\n1,2\n3,4\n5,6\n".write(toFile: dir + "/csv.parquet", atomically: true, encoding: .utf8)
        #expect(throws: SluiceError.io(path: dir + "/csv.parquet", message: "not a Parquet file: it does not start with PAR1")) {
            try FileTable(paths: [dir + "/csv.parquet"], options: .init())
        }
        try Self.write(dir + "/good.parquet")
        let bytes = try Data(contentsOf: URL(fileURLWithPath: dir + "/good.parquet"))
        try bytes.prefix(bytes.count / 2).write(to: URL(fileURLWithPath: dir + "/cut.parquet"))
        #expect(throws: SluiceError.io(path: dir + "/cut.parquet", message: "not a Parquet file or truncated: it does not end with PAR1")) {
            try FileTable(paths: [dir + "/cut.parquet"], options: .init())
        }
        // Flip bytes in the middle of column x's first chunk: its page CRC no longer matches.
        let reader = try ParquetFileReader(path: dir + "/good.parquet")
        let meta = try #require(reader.metadata.rowGroups[0].columns[1].metaData)
        let offset = Int(meta.dataPageOffset + meta.totalCompressedSize / 2)
        var damaged = bytes
        for i in offset..<offset + 8 { damaged[i] ^= 0xFF }
        try damaged.write(to: URL(fileURLWithPath: dir + "/bad.parquet"))
        let t = try FileTable(paths: [dir + "/bad.parquet"], options: .init())
        do {
            _ = try await t.scan(workers: 2, initial: { 0 }, fold: { $0 += $1.count })
            Issue.record("a damaged page was read without error")
        } catch let e as SluiceError {
            guard case let .io(path, message) = e else { throw e }
            #expect(path == dir + "/bad.parquet")
            #expect(message.hasPrefix("column 'x': row group 0: "))
        }
        // The other columns still read.
        let ids = try t.selecting(["id"]).head(5)
        #expect(Self.ids(ids.batches) == [0, 1, 2, 3, 4])
    }
}
