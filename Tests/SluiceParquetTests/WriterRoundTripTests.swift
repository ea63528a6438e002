import Foundation
import SluiceCore
import Testing
@testable import SluiceParquet

/// Batches written by `ParquetWriter` read back by `ParquetFileReader` with identical values,
/// for every core type, with nulls, across codecs, page versions and encodings.
@Suite struct WriterRoundTripTests {
    static let allTypes = Schema([
        Field("b", .bool), Field("i32", .int32), Field("i64", .int64), Field("f32", .float32),
        Field("f64", .float64), Field("s", .string), Field("dict", .dictionary), Field("d", .date),
        Field("ts_s", .timestamp(.s)), Field("ts_ms", .timestamp(.ms)), Field("ts_us", .timestamp(.us)),
        Field("ts_ns", .timestamp(.ns)), Field("req", .int64),
    ])

    /// Deterministic rows with nulls at varying positions (every column has its own pattern).
    static func batch(rows: Int, seed: Int) -> RecordBatch {
        let words = ["north", "south", "", "east", "west", "ünïcødé", "a much longer value to vary the lengths"]
        var columns: [Column] = []
        for (c, f) in allTypes.fields.enumerated() {
            let b = ColumnBuilder(f.type, capacity: rows)
            for r in 0..<rows {
                let k = r + seed
                if f.name != "req" && (k * (c + 3)) % 11 == 4 { b.appendNull(); continue }
                switch f.type {
                case .bool: b.append(.bool(k % 3 == 1))
                case .int32: b.append(.int(Int64(Int32(truncatingIfNeeded: k &* 2_654_435_761))))
                case .int64: b.append(.int(f.name == "req" ? Int64(k) : Int64(k) &* Int64(bitPattern: 0x9E37_79B9_7F4A_7C15)))
                case .float32: b.append(.double(k % 13 == 0 ? -0.0 : Double(Float(k) * 1.5 - 100)))
                case .float64: b.append(.double(k % 17 == 0 ? .nan : Double(k) / 7 - 1e6))
                case .string: b.append(.string("\(words[k % words.count])-\(k % 50)"))
                case .dictionary: b.append(.string(words[k % words.count]))
                case .date: b.append(.date(Int32(k % 40000) - 20000))
                case .timestamp(let u): b.append(.timestamp(Int64(k) * 1_000_003 - 5_000_000_000 * (u == .s ? 1 : 1000), u))
                }
            }
            columns.append(b.finish())
        }
        return RecordBatch(schema: allTypes, columns: columns)
    }

    static func assertEqual(_ got: RecordBatch, _ want: RecordBatch, rowOffset: Int = 0, _ context: String) {
        #expect(got.schema.names == want.schema.names, "\(context)")
        for (g, w) in zip(got.columns, want.columns) {
            var bad = 0
            for i in 0..<got.count {
                let a = g.scalar(at: i), b = w.scalar(at: rowOffset + i)
                var same = a == b
                if case .double(let x) = a, case .double(let y) = b, x.isNaN && y.isNaN { same = true }
                if case .timestamp(let x, .ms) = a, case .timestamp(let y, .s) = b { same = x == y * 1000 }
                if !same {
                    bad += 1
                    if bad < 4 { Issue.record("\(context): row \(rowOffset + i): got \(a), want \(b)") }
                }
            }
            #expect(bad == 0, "\(context)")
        }
    }

    struct Variant: CustomTestStringConvertible, Sendable {
        var codec: CompressionCodec
        var version: Int
        var dictionary: Bool
        var ints: Encoding = .plain
        var floats: Encoding = .plain
        var testDescription: String { "\(codec) v\(version) \(dictionary ? "dict" : "plain") \(ints) \(floats)" }
    }

    static let variants: [Variant] = {
        var out: [Variant] = []
        for codec in [CompressionCodec.uncompressed, .snappy, .gzip, .zstd, .lz4Raw] {
            for version in [1, 2] {
                for dictionary in [true, false] { out.append(Variant(codec: codec, version: version, dictionary: dictionary)) }
            }
        }
        out.append(Variant(codec: .zstd, version: 2, dictionary: false, ints: .deltaBinaryPacked, floats: .byteStreamSplit))
        out.append(Variant(codec: .snappy, version: 1, dictionary: true, ints: .deltaBinaryPacked, floats: .byteStreamSplit))
        return out
    }()

    @Test(arguments: variants)
    func everyTypeRoundTrips(variant: Variant) throws {
        let dir = try TemporaryDirectory()
        let path = dir.path + "/t.parquet"
        var options = ParquetWriteOptions()
        options.compression = variant.codec
        options.dataPageVersion = variant.version
        options.dictionary = variant.dictionary
        options.integerEncoding = variant.ints
        options.floatEncoding = variant.floats
        options.rowGroupRows = 700
        options.pageBytes = 2000
        options.requiredColumns = ["req"]
        let writer = try ParquetWriter(path: path, schema: Self.allTypes, options: options)
        let batches = [Self.batch(rows: 1000, seed: 0), Self.batch(rows: 1, seed: 1000), Self.batch(rows: 499, seed: 1001)]
        for b in batches { try writer.write(b) }
        let meta = try writer.close()
        #expect(meta.numRows == 1500)
        #expect(meta.rowGroups.map(\.numRows) == [700, 700, 100])

        let all = Self.batch(rows: 1500, seed: 0)
        let reader = try ParquetFileReader(path: path)
        #expect(reader.rowGroupCount == 3)
        var offset = 0
        for g in 0..<reader.rowGroupCount {
            let got = try reader.readRowGroup(g)
            Self.assertEqual(got, all, rowOffset: offset, "\(variant.testDescription) group \(g)")
            offset += got.count
        }
        #expect(offset == 1500)
        // Types come back as written, except timestamp(s), which Parquet stores in milliseconds,
        // and strings that were dictionary-encoded, which come back as dictionary columns.
        let types = reader.schema.fields.map(\.type)
        #expect(types[0..<5] == [.bool, .int32, .int64, .float32, .float64])
        #expect(types[5] == (variant.dictionary ? .dictionary : .string))
        #expect(types[6] == (variant.dictionary ? .dictionary : .string))
        #expect(types[7...] == [.date, .timestamp(.ms), .timestamp(.ms), .timestamp(.us), .timestamp(.ns), .int64])
        // The REQUIRED column has no definition levels.
        #expect(reader.parquetSchema.leaves[12].maxDefinitionLevel == 0)
        #expect(reader.parquetSchema.leaves[0].maxDefinitionLevel == 1)
    }

    @Test func statisticsAreWrittenAndReadBack() throws {
        let dir = try TemporaryDirectory()
        let path = dir.path + "/s.parquet"
        var options = ParquetWriteOptions()
        options.rowGroupRows = 600
        let writer = try ParquetWriter(path: path, schema: Self.allTypes, options: options)
        let all = Self.batch(rows: 1200, seed: 0)
        try writer.write(all)
        try writer.close()
        let reader = try ParquetFileReader(path: path)
        #expect(reader.metadata.columnOrders == Array(repeating: true, count: 13))
        for g in 0..<2 {
            for (c, f) in Self.allTypes.fields.enumerated() {
                let col = all.columns[c].slice(g * 600, 600)
                let stats = try #require(try reader.statistics(rowGroup: g, column: f.name))
                #expect(stats.nullCount == col.nullCount, "\(f.name)")
                var values: [Scalar] = (0..<600).map { col.scalar(at: $0) }.filter { !$0.isNull }
                values = values.filter { if case .double(let d) = $0 { return !d.isNaN } else { return true } }
                switch f.type {
                case .bool:
                    let bools = values.map { $0 == .bool(true) }
                    #expect(stats.min == .bool(bools.contains(false) ? false : true))
                    #expect(stats.max == .bool(bools.contains(true)))
                case .string, .dictionary:
                    let strings = values.map(\.description)
                    #expect(stats.min == .string(strings.min()!), "\(f.name)")
                    #expect(stats.max == .string(strings.max()!), "\(f.name)")
                case .timestamp(.s):
                    let v = values.compactMap { if case .timestamp(let t, _) = $0 { return t * 1000 } else { return nil } }
                    #expect(stats.min == .timestamp(v.min()!, .ms))
                default:
                    let d = values.compactMap(\.doubleValue)
                    #expect(stats.min?.doubleValue == d.min(), "\(f.name)")
                    #expect(stats.max?.doubleValue == d.max(), "\(f.name)")
                }
            }
        }
    }

    @Test func dictionaryFallsBackToPlainWhenItGrowsTooLarge() throws {
        let dir = try TemporaryDirectory()
        let path = dir.path + "/f.parquet"
        var options = ParquetWriteOptions()
        options.dictionaryPageBytes = 4000
        options.pageBytes = 1000
        let schema = Schema([Field("s", .string)])
        let b = StringBuilder(capacity: 5000)
        for i in 0..<5000 { if i % 9 == 0 { b.appendNull() } else { b.append("value-\(i % 2000)-\(String(repeating: "x", count: i % 7))") } }
        let column = b.finish()
        let writer = try ParquetWriter(path: path, schema: schema, options: options)
        try writer.write(RecordBatch(schema: schema, columns: [column]))
        try writer.close()
        let reader = try ParquetFileReader(path: path)
        let meta = try #require(reader.metadata.rowGroups[0].columns[0].metaData)
        #expect(meta.encodings.contains(.rleDictionary))
        #expect(meta.encodings.contains(.plain))
        #expect(meta.dictionaryPageOffset != nil)
        // The encoding stats record the fallback, so the reader produces plain strings rather than
        // hashing every PLAIN value into a dictionary (HandBuiltFileTests covers that folding).
        let stats = try #require(meta.encodingStats)
        #expect(stats.contains { $0.pageType == .dataPage && $0.encoding == .rleDictionary && $0.count > 0 })
        #expect(stats.contains { $0.pageType == .dataPage && $0.encoding == .plain && $0.count > 0 })
        #expect(stats.contains { $0.pageType == .dictionaryPage })
        #expect(!meta.isFullyDictionaryEncoded)
        let asDict = try #require(try reader.readRowGroup(0).columns.first)
        #expect(asDict.type == .string)
        let asString = try #require(try ParquetFileReader(path: path, options: .init(dictionaryStrings: false)).readRowGroup(0).columns.first)
        for i in 0..<5000 {
            #expect(asDict.string(at: i) == column.string(at: i))
            #expect(asString.string(at: i) == column.string(at: i))
        }
    }

    @Test func dictionaryColumnsFromSeveralBatchesShareOneChunkDictionary() throws {
        let dir = try TemporaryDirectory()
        let path = dir.path + "/d.parquet"
        let schema = Schema([Field("k", .dictionary)])
        let writer = try ParquetWriter(path: path, schema: schema)
        var expected: [String?] = []
        for part in 0..<3 {
            let b = DictionaryBuilder(capacity: 100)
            for i in 0..<100 {
                let v: String? = i % 10 == 0 ? nil : "k\((i + part * 3) % 7)"
                if let v { b.append(v) } else { b.appendNull() }
                expected.append(v)
            }
            try writer.write(RecordBatch(schema: schema, columns: [b.finish()]))
        }
        try writer.close()
        let col = try #require(try ParquetFileReader(path: path).readRowGroup(0).columns.first)
        #expect(col.type == .dictionary)
        #expect(col.dictionary?.values.count == 7)
        #expect((0..<300).map { col.string(at: $0) } == expected)
    }

    /// Each batch has its own dictionary in its own order, and is dropped once written, so a new
    /// dictionary can land at a freed one's address: the chunk must not apply a stale mapping.
    @Test func manyShortLivedDictionariesKeepTheirOwnMappings() throws {
        let dir = try TemporaryDirectory()
        let path = dir.path + "/many.parquet"
        let schema = Schema([Field("k", .dictionary)])
        var options = ParquetWriteOptions()
        options.pageBytes = 64
        let writer = try ParquetWriter(path: path, schema: schema, options: options)
        var expected: [String?] = []
        for part in 0..<200 {
            let b = DictionaryBuilder(capacity: 8)
            for i in 0..<8 {
                let v = "v\((i + part) % 11)"
                b.append(v)
                expected.append(v)
            }
            try writer.write(RecordBatch(schema: schema, columns: [b.finish()]))
        }
        try writer.close()
        let col = try #require(try ParquetFileReader(path: path).readRowGroup(0).columns.first)
        #expect((0..<1600).map { col.string(at: $0) } == expected)
    }

    @Test func rowGroupsCanBeCutEarly() throws {
        let dir = try TemporaryDirectory()
        let path = dir.path + "/cut.parquet"
        let batch = Self.batch(rows: 300, seed: 2)
        let writer = try ParquetWriter(path: path, schema: batch.schema)
        try writer.write(batch.slice(0, 100))
        #expect(writer.bufferedRows == 100 && writer.bytesWritten == 4)
        try writer.finishRowGroup()
        #expect(writer.bufferedRows == 0 && writer.bytesWritten > 4)
        try writer.write(batch.slice(100, 200))
        #expect(writer.rowCount == 300)
        try writer.close()
        let reader = try ParquetFileReader(path: path)
        #expect((0..<reader.rowGroupCount).map { reader.rowCount(ofRowGroup: $0) } == [100, 200])
        Self.assertEqual(try reader.readRowGroup(1), batch, rowOffset: 100, "second row group")
        #expect(throws: ParquetError.self) { try writer.write(batch) }
    }

    @Test func nullInRequiredColumnIsAnError() throws {
        let dir = try TemporaryDirectory()
        let schema = Schema([Field("x", .int32)])
        var options = ParquetWriteOptions()
        options.requiredColumns = ["x"]
        let writer = try ParquetWriter(path: dir.path + "/r.parquet", schema: schema, options: options)
        try writer.write(RecordBatch(schema: schema, columns: [Column.make(.int32, [.int(1), .null])]))
        let error = #expect(throws: ParquetError.self) { try writer.close() }
        #expect(error?.column == "x")
        #expect(error?.description.contains("REQUIRED") == true)
    }

    @Test func projectionReadsOnlyChosenColumnsInOrder() throws {
        let dir = try TemporaryDirectory()
        let path = dir.path + "/p.parquet"
        let writer = try ParquetWriter(path: path, schema: Self.allTypes)
        let all = Self.batch(rows: 300, seed: 5)
        try writer.write(all)
        try writer.close()
        let reader = try ParquetFileReader(path: path)
        let got = try reader.readRowGroup(0, columns: ["ts_us", "b", "s"])
        #expect(got.schema.names == ["ts_us", "b", "s"])
        #expect(try reader.schema(columns: ["ts_us", "b"]).fields.map(\.type) == [.timestamp(.us), .bool])
        for i in 0..<300 {
            #expect(got.columns[0].scalar(at: i) == all.column(named: "ts_us")!.scalar(at: i))
            #expect(got.columns[1].scalar(at: i) == all.column(named: "b")!.scalar(at: i))
            #expect(got.columns[2].string(at: i) == all.column(named: "s")!.string(at: i))
        }
    }

    @Test func emptyFileAndAllNullColumns() throws {
        let dir = try TemporaryDirectory()
        let schema = Schema([Field("a", .int64), Field("s", .string)])
        let empty = dir.path + "/e.parquet"
        try ParquetWriter(path: empty, schema: schema).close()
        let r = try ParquetFileReader(path: empty)
        #expect(r.rowCount == 0 && r.rowGroupCount == 0)
        #expect(r.schema == schema)
        let nulls = dir.path + "/n.parquet"
        let w = try ParquetWriter(path: nulls, schema: schema)
        try w.write(RecordBatch(schema: schema, columns: [Column.make(.int64, [.null, .null, .null]), Column.make(.string, [.null, .null, .null])]))
        try w.close()
        let batch = try ParquetFileReader(path: nulls).readRowGroup(0)
        #expect(batch.count == 3)
        #expect(batch.columns.allSatisfy { $0.nullCount == 3 })
    }
}
