import Foundation
import SluiceCore
import Testing
@testable import SluiceParquet

/// Reads every file of the apache/parquet-testing corpus copied under Fixtures/parquet-testing and
/// compares every value with pyarrow's reading of it (Fixtures/expected/*.json); lists of
/// primitives as JSON values, other nested columns must fail with a clear error when selected.
@Suite struct ConformanceCorpusTests {
    static let files: [String] = {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: Fixtures.path("parquet-testing"))) ?? []
        return names.filter { $0.hasSuffix(".parquet") }.sorted()
    }()

    @Test func corpusIsPresent() {
        #expect(Self.files.count == 14)
    }

    @Test(arguments: files)
    func everyValueMatchesPyarrow(file: String) throws {
        let expectation = try Fixtures.json("expected/" + file.replacingOccurrences(of: ".parquet", with: ".json"))
        let reader = try ParquetFileReader(path: Fixtures.path("parquet-testing/" + file))
        let rows = try #require(expectation["rows"] as? Int)
        #expect(reader.rowCount == rows)
        let columns = ExpectedColumn.parse(expectation)
        #expect(reader.columnNames == columns.map(\.name))
        var compared = 0
        for column in columns {
            if column.nested {
                // A nested column fails only when selected, and says which column and why.
                let error = #expect(throws: ParquetError.self) { try reader.readRowGroup(0, columns: [column.name]) }
                #expect(error?.description.contains("unsupported column \(column.name)") == true)
                continue
            }
            var offset = 0
            for g in 0..<reader.rowGroupCount {
                let batch = try reader.readRowGroup(g, columns: [column.name])
                let problems = batch.mismatches(column, rowOffset: offset)
                #expect(problems.isEmpty, "\(file): \(problems.joined(separator: "; "))")
                offset += batch.count
                compared += batch.count
            }
            #expect(offset == rows)
        }
        // Flat columns can be read together, with the nested ones projected away.
        let flat = columns.filter { !$0.nested }.map(\.name)
        if !flat.isEmpty, reader.rowGroupCount > 0 {
            let batch = try reader.readRowGroup(0, columns: flat)
            #expect(batch.schema.names == flat)
        }
        #expect(compared == rows * columns.filter { !$0.nested }.count)
    }

    @Test func corpusListsReadAsJSONText() throws {
        let reader = try ParquetFileReader(path: Fixtures.path("parquet-testing/datapage_v2.snappy.parquet"))
        #expect(reader.listElementTypes == [nil, nil, nil, nil, .int32])
        #expect(reader.schema.names == ["a", "b", "c", "d", "e"])
        let col = try reader.readRowGroup(0, columns: ["e"]).columns[0]
        #expect((0..<col.count).map { col.string(at: $0) } == ["[1,2,3]", nil, nil, "[1,2,3]", "[1,2]"])
    }

    @Test func checksumsAreVerified() throws {
        // Flip one byte inside the first data page of a file whose pages carry CRCs.
        var bytes = try Fixtures.bytes("parquet-testing/datapage_v1-snappy-compressed-checksum.parquet")
        let clean = try ParquetFileReader(bytes: bytes, name: "clean")
        let offset = Int(try #require(clean.metadata.rowGroups[0].columns[0].metaData).dataPageOffset)
        bytes[offset + 40] ^= 0xff
        let reader = try ParquetFileReader(bytes: bytes, name: "flipped.parquet")
        let error = #expect(throws: ParquetError.self) { try reader.readRowGroup(0, columns: ["a"]) }
        #expect(error?.description.contains("checksum mismatch") == true)
        #expect(error?.description.contains("flipped.parquet") == true)
        #expect(error?.column == "a")
        // Column b is untouched and still reads.
        #expect(try reader.readRowGroup(0, columns: ["b"]).count == 5120)
    }

    @Test func dictionaryStringsStayDictionaryEncoded() throws {
        let reader = try ParquetFileReader(path: Fixtures.path("parquet-testing/plain-dict-uncompressed-checksum.parquet"))
        let batch = try reader.readRowGroup(0)
        let column = try #require(batch.column(named: "binary_field"))
        #expect(column.type == .dictionary)
        let dict = try #require(column.dictionary)
        #expect(dict.values.count < column.count)
        let plain = try ParquetFileReader(
            path: Fixtures.path("parquet-testing/plain-dict-uncompressed-checksum.parquet"),
            options: ParquetReadOptions(dictionaryStrings: false))
        let strings = try #require(try plain.readRowGroup(0).column(named: "binary_field"))
        #expect(strings.type == .string)
        for i in 0..<column.count { #expect(column.string(at: i) == strings.string(at: i)) }
    }

    @Test func corruptFilesGiveClearErrors() throws {
        let good = try Fixtures.bytes("parquet-testing/alltypes_plain.parquet")
        let cases: [(String, [UInt8], String)] = [
            ("empty", [], "shorter than"),
            ("garbage", Array("this is not a parquet file at all".utf8), "does not start with PAR1"),
            ("truncated", Array(good.prefix(good.count - 10)), "does not end with PAR1"),
            ("footer length", Array(good.prefix(good.count - 8)) + [0xff, 0xff, 0xff, 0x7f] + Parquet.magic, "footer length"),
            ("footer garbage", Array(good.prefix(4)) + [UInt8](repeating: 0xab, count: 40) + [40, 0, 0, 0] + Parquet.magic, "footer is corrupt"),
        ]
        for (name, bytes, message) in cases {
            let error = #expect(throws: ParquetError.self) { try ParquetFileReader(bytes: bytes, name: name) }
            #expect(error?.description.contains(message) == true, "\(name): \(String(describing: error))")
            #expect(error?.file == name)
        }
    }

    @Test func unknownColumnIsNamed() throws {
        let reader = try ParquetFileReader(path: Fixtures.path("parquet-testing/binary.parquet"))
        let error = #expect(throws: ParquetError.self) { try reader.readRowGroup(0, columns: ["nope"]) }
        #expect(error?.column == "nope")
        #expect(throws: ParquetError.self) { try reader.readRowGroup(5) }
    }
}

/// Files pyarrow wrote with every codec × page version × dictionary/plain, plus the delta,
/// byte-stream-split and RLE-boolean encodings and INT96 timestamps (Fixtures/make_fixtures.py).
@Suite struct PyarrowFixtureTests {
    static var expectation: [String: Any] { (try? Fixtures.json("pyarrow/expected.json")) ?? [:] }
    static let files: [String] = {
        let e = (try? Fixtures.json("pyarrow/expected.json")) ?? [:]
        return e["files"] as? [String] ?? []
    }()

    @Test func fixturesArePresent() {
        #expect(Self.files.count == 23)
    }

    @Test(arguments: files)
    func everyValueMatches(file: String) throws {
        let table = try #require(Self.expectation["table"] as? [String: Any])
        let expected = Dictionary(uniqueKeysWithValues: ExpectedColumn.parse(table).map { ($0.name, $0) })
        let reader = try ParquetFileReader(path: Fixtures.path("pyarrow/" + file))
        #expect(reader.rowCount == table["rows"] as? Int)
        #expect(reader.rowGroupCount >= (file == "int96.parquet" ? 1 : 2))
        var offset = 0
        var checked = 0
        for g in 0..<reader.rowGroupCount {
            let batch = try reader.readRowGroup(g)
            for name in batch.schema.names {
                let column = try #require(expected[name])
                let problems = batch.mismatches(column, rowOffset: offset)
                #expect(problems.isEmpty, "\(file) row group \(g): \(problems.joined(separator: "; "))")
                checked += 1
            }
            offset += batch.count
        }
        #expect(offset == reader.rowCount)
        #expect(checked == reader.rowGroupCount * reader.columnNames.count)
    }

    @Test func typesAreMappedAsDocumented() throws {
        let reader = try ParquetFileReader(path: Fixtures.path("pyarrow/zstd_v1_dict.parquet"))
        let types = Dictionary(uniqueKeysWithValues: reader.schema.fields.map { ($0.name, $0.type) })
        #expect(types["b"] == .bool)
        #expect(types["i8"] == .int32)
        #expect(types["u32"] == .int64)
        #expect(types["u64"] == .int64)
        #expect(types["f32"] == .float32)
        #expect(types["s"] == .dictionary)
        #expect(types["d"] == .date)
        #expect(types["ts_ms"] == .timestamp(.ms))
        #expect(types["ts_us"] == .timestamp(.us))
        #expect(types["ts_ns"] == .timestamp(.ns))
        #expect(types["dec9"] == .float64)
        #expect(types["dec18"] == .string)
        #expect(types["dec30"] == .string)
        let plain = try ParquetFileReader(path: Fixtures.path("pyarrow/zstd_v1_plain.parquet"))
        #expect(plain.schema.fields.first { $0.name == "s" }?.type == .string)
    }

    @Test func rowGroupStatisticsAreDecoded() throws {
        let reader = try ParquetFileReader(path: Fixtures.path("pyarrow/snappy_v1_dict.parquet"))
        let table = try #require(Self.expectation["table"] as? [String: Any])
        let expected = Dictionary(uniqueKeysWithValues: ExpectedColumn.parse(table).map { ($0.name, $0) })
        let i32 = try #require(expected["i32_req"]?.values.compactMap { $0.flatMap { Int64($0) } })
        let stats = try #require(try reader.statistics(rowGroup: 1, column: "i32_req"))
        #expect(stats.min == .int(i32[100...].min()!))
        #expect(stats.max == .int(i32[100...].max()!))
        #expect(stats.nullCount == 0)
        let byName = try reader.statistics(rowGroup: 1)
        #expect(byName["i32_req"] == stats)
        #expect(byName.count == reader.schema.count)
        let i64 = try #require(try reader.statistics(rowGroup: 0, column: "i64"))
        #expect(i64.nullCount == expected["i64"]?.values[0..<100].filter { $0 == nil }.count)
        let s = try #require(try reader.statistics(rowGroup: 0, column: "s_unique"))
        let strings = expected["s_unique"]!.values[0..<100].compactMap { $0 }
        #expect(s.min == .string(strings.min()!))
        #expect(s.max == .string(strings.max()!))
        let d = try #require(try reader.statistics(rowGroup: 0, column: "d"))
        #expect(d.min == .date(Int32(expected["d"]!.values[0..<100].compactMap { $0.flatMap { Int32($0) } }.min()!)))
        let allNull = try #require(try reader.statistics(rowGroup: 0, column: "all_null"))
        #expect(allNull.nullCount == 100)
        #expect(allNull.min == nil)
        #expect(allNull.isAllNull(rows: 100))
        #expect(!s.isAllNull(rows: 100))

        // Row-group skipping: a range entirely above or below [min, max] is excluded, one that
        // touches a bound is not.
        let lo = i32[100...].min()!, hi = i32[100...].max()!
        #expect(stats.mayContain(lower: .int(lo), upper: .int(lo)))
        #expect(stats.mayContain(lower: .int(hi), upper: nil))
        #expect(!stats.mayContain(lower: .int(hi + 1), upper: nil))
        #expect(!stats.mayContain(lower: nil, upper: .double(Double(lo) - 0.5)))
        #expect(!s.mayContain(lower: .string(strings.max()! + "~"), upper: nil))
        #expect(s.mayContain(lower: .string(strings.min()!), upper: .string(strings.min()!)))
        #expect(stats.mayContain(lower: .string("x"), upper: nil))  // incomparable: never skips
    }
}
