import SluiceCore
import Testing
@testable import SluiceParquet

/// Builds small Parquet files byte by byte, for cases no writer at hand produces: decimals in
/// BYTE_ARRAY, FLOAT16, unsigned 64-bit overflow, nested groups, duplicate dictionary entries with
/// a PLAIN fallback page, INT96 outside the nanosecond range, and malformed pages.
enum HandBuilt {
    /// An uncompressed v1 data page; `levels` are definition levels (nil for a REQUIRED column).
    static func dataPage(_ values: [UInt8], count: Int, levels: [UInt32]? = nil, encoding: Encoding = .plain) -> [UInt8] {
        var body: [UInt8] = []
        if let levels {
            let rle = rleEncode(levels, bitWidth: 1)
            withUnsafeBytes(of: UInt32(rle.count).littleEndian) { body += $0 }
            body += rle
        }
        return v1Page(body + values, count: count, encoding: encoding)
    }

    /// An uncompressed v1 data page around `body` (levels and values, laid out by the caller).
    static func v1Page(_ body: [UInt8], count: Int, encoding: Encoding = .plain) -> [UInt8] {
        var h = PageHeader()
        h.type = .dataPage
        h.uncompressedPageSize = Int32(body.count)
        h.compressedPageSize = Int32(body.count)
        var d = DataPageHeader()
        d.numValues = Int32(count)
        d.encoding = encoding
        h.dataPageHeader = d
        return h.serialized() + body
    }

    static func dictionaryPage(_ values: [UInt8], count: Int) -> [UInt8] {
        var h = PageHeader()
        h.type = .dictionaryPage
        h.uncompressedPageSize = Int32(values.count)
        h.compressedPageSize = Int32(values.count)
        var d = DictionaryPageHeader()
        d.numValues = Int32(count)
        h.dictionaryPageHeader = d
        return h.serialized() + values
    }

    static func byteArrays(_ items: [[UInt8]]) -> [UInt8] {
        items.flatMap { item in withUnsafeBytes(of: UInt32(item.count).littleEndian) { Array($0) } + item }
    }

    static func le<T: FixedWidthInteger>(_ values: [T]) -> [UInt8] {
        values.flatMap { v in withUnsafeBytes(of: v.littleEndian) { Array($0) } }
    }

    /// A file with one row group; `schema` is the full element list (root first) and `chunks` the
    /// pages of each leaf in schema order; `values` the level entries of each chunk when they
    /// differ from `rows` (repeated leaves).
    static func file(schema: [SchemaElement], leaves: [(path: [String], type: PhysicalType)], chunks: [[UInt8]], rows: Int, values: [Int]? = nil) -> [UInt8] {
        var bytes = Parquet.magic
        var group = RowGroup()
        group.numRows = Int64(rows)
        for (k, (leaf, chunk)) in zip(leaves, chunks).enumerated() {
            var meta = ColumnMetaData()
            meta.type = leaf.type
            meta.pathInSchema = leaf.path
            meta.encodings = [.plain, .rle, .rleDictionary]
            meta.numValues = Int64(values?[k] ?? rows)
            meta.dataPageOffset = Int64(bytes.count)
            meta.totalCompressedSize = Int64(chunk.count)
            meta.totalUncompressedSize = Int64(chunk.count)
            var cc = ColumnChunk()
            cc.fileOffset = Int64(bytes.count)
            cc.metaData = meta
            group.columns.append(cc)
            bytes += chunk
        }
        var m = FileMetaData()
        m.schema = schema
        m.numRows = Int64(rows)
        m.rowGroups = [group]
        let footer = m.serialized()
        return bytes + footer + withUnsafeBytes(of: UInt32(footer.count).littleEndian) { Array($0) } + Parquet.magic
    }

    static func single(_ element: SchemaElement, _ chunk: [UInt8], rows: Int) -> [UInt8] {
        file(schema: [SchemaElement(name: "schema", numChildren: 1), element], leaves: [([element.name], element.type ?? .int32)], chunks: [chunk], rows: rows)
    }
}

@Suite struct HandBuiltFileTests {
    @Test func byteArrayDecimals() throws {
        // Big-endian two's complement unscaled values: 12345, -1, 0, and 2^70 + 5.
        let raw: [[UInt8]] = [[0x30, 0x39], [0xff], [], [0x40, 0, 0, 0, 0, 0, 0, 0, 0x05]]
        let wide = SchemaElement(name: "d", type: .byteArray, repetition: .optional, logicalType: .decimal(scale: 3, precision: 25))
        let levels: [UInt32] = [1, 1, 0, 1, 1]
        let chunk = HandBuilt.dataPage(HandBuilt.byteArrays(raw), count: 5, levels: levels)
        let batch = try ParquetFileReader(bytes: HandBuilt.single(wide, chunk, rows: 5)).readRowGroup(0)
        let col = batch.columns[0]
        #expect(col.type == .string)
        #expect((0..<5).map { col.string(at: $0) } == ["12.345", "-0.001", nil, "0.000", "1180591620717411303.429"])
        let narrow = SchemaElement(name: "d", type: .byteArray, repetition: .optional, convertedType: .decimal, scale: 2, precision: 9)
        let fitting = HandBuilt.dataPage(HandBuilt.byteArrays(Array(raw[0..<3])), count: 4, levels: [1, 1, 0, 1])
        let small = try ParquetFileReader(bytes: HandBuilt.single(narrow, fitting, rows: 4)).readRowGroup(0).columns[0]
        #expect(small.type == .float64)
        #expect(small.value(0, as: Double.self) == 123.45)
        #expect(small.value(1, as: Double.self) == -0.01)
        #expect(small.isNull(2))
        #expect(small.value(3, as: Double.self) == 0)
        // 2^70 + 5 does not fit the declared precision: a clear error, not a wrong number.
        let error = #expect(throws: ParquetError.self) { try ParquetFileReader(bytes: HandBuilt.single(narrow, chunk, rows: 5), name: "dec.parquet").readRowGroup(0) }
        #expect(error?.column == "d")
        #expect(error?.description.contains("precision") == true)
    }

    @Test func float16Values() throws {
        let e = SchemaElement(name: "h", type: .fixedLenByteArray, typeLength: 2, repetition: .required, logicalType: .float16)
        let halves: [UInt16] = [0x3c00, 0xc000, 0x0001, 0x7c00, 0x7e00, 0x8000, 0x3555]
        let col = try ParquetFileReader(bytes: HandBuilt.single(e, HandBuilt.dataPage(HandBuilt.le(halves), count: 7), rows: 7)).readRowGroup(0).columns[0]
        #expect(col.type == .float32)
        let v = (0..<7).map { col.value($0, as: Float.self) }
        #expect(v[0] == 1 && v[1] == -2 && v[2] == Float(sign: .plus, exponent: -24, significand: 1))
        #expect(v[3] == .infinity && v[4].isNaN && v[5] == 0 && v[5].sign == .minus)
        #expect(v[6] == 0.333251953125)
    }

    @Test func unsignedIntegers() throws {
        let u64 = SchemaElement(name: "u", type: .int64, repetition: .required, logicalType: .integer(bitWidth: 64, isSigned: false))
        let ok = try ParquetFileReader(bytes: HandBuilt.single(u64, HandBuilt.dataPage(HandBuilt.le([UInt64(7), UInt64(Int64.max)]), count: 2), rows: 2)).readRowGroup(0).columns[0]
        #expect(ok.value(1, as: Int64.self) == .max)
        let big = HandBuilt.single(u64, HandBuilt.dataPage(HandBuilt.le([UInt64(7), UInt64.max]), count: 2), rows: 2)
        let error = #expect(throws: ParquetError.self) { try ParquetFileReader(bytes: big, name: "u.parquet").readRowGroup(0) }
        #expect(error?.description.contains("UINT_64") == true)
        #expect(error?.column == "u")
        let u32 = SchemaElement(name: "u", type: .int32, repetition: .required, convertedType: .uint32)
        let wide = try ParquetFileReader(bytes: HandBuilt.single(u32, HandBuilt.dataPage(HandBuilt.le([UInt32.max, 5]), count: 2), rows: 2)).readRowGroup(0).columns[0]
        #expect(wide.type == .int64)
        #expect(wide.value(0, as: Int64.self) == Int64(UInt32.max))
    }

    @Test func nestedColumnsFailOnlyWhenSelected() throws {
        let schema = [
            SchemaElement(name: "schema", numChildren: 3),
            SchemaElement(name: "id", type: .int32, repetition: .required),
            SchemaElement(name: "point", repetition: .optional, numChildren: 2),
            SchemaElement(name: "x", type: .double, repetition: .required),
            SchemaElement(name: "y", type: .double, repetition: .required),
            SchemaElement(name: "tags", repetition: .optional, numChildren: 1, convertedType: .list),
            SchemaElement(name: "list", repetition: .repeated, numChildren: 1),
            SchemaElement(name: "element", type: .int32, repetition: .optional),
        ]
        let id = HandBuilt.dataPage(HandBuilt.le([Int32(1), 2]), count: 2)
        // The struct's chunks are never read, so their bytes do not matter; the list holds [5], [].
        let tags = ListPages.v1(HandBuilt.le([Int32(5)]), rep: [0, 0], def: [3, 1], maxDef: 3)
        let bytes = HandBuilt.file(
            schema: schema,
            leaves: [(["id"], .int32), (["point", "x"], .double), (["point", "y"], .double), (["tags", "list", "element"], .int32)],
            chunks: [id, [0], [0], tags], rows: 2)
        let reader = try ParquetFileReader(bytes: bytes, name: "nested.parquet")
        #expect(reader.columnNames == ["id", "point", "tags"])
        #expect(reader.schema.names == ["id", "tags"])
        #expect(reader.parquetSchema.leaves.map(\.maxDefinitionLevel) == [0, 1, 1, 3])
        #expect(reader.parquetSchema.leaves.map(\.maxRepetitionLevel) == [0, 0, 0, 1])
        #expect(try reader.readRowGroup(0, columns: ["id"]).columns[0].value(1, as: Int32.self) == 2)
        let structError = #expect(throws: ParquetError.self) { try reader.readRowGroup(0, columns: ["id", "point"]) }
        #expect(structError?.description.contains("unsupported column point (nested struct)") == true)
        let allError = #expect(throws: ParquetError.self) { try reader.readRowGroup(0) }
        #expect(allError?.description.contains("unsupported column point (nested struct)") == true)
        let list = try reader.readRowGroup(0, columns: ["tags", "id"])
        #expect(list.columns[0].type == .string)
        #expect((0..<2).map { list.columns[0].string(at: $0) } == ["[5]", "[]"])
        #expect(list.columns[1].value(0, as: Int32.self) == 1)
    }

    @Test func duplicateDictionaryEntriesAndPlainFallback() throws {
        let e = SchemaElement(name: "s", type: .byteArray, repetition: .optional, logicalType: .string)
        let dict = HandBuilt.dictionaryPage(HandBuilt.byteArrays([Array("a".utf8), Array("b".utf8), Array("a".utf8)]), count: 3)
        // Indices 2, 0, 1 at bit width 2 as one bit-packed group; one null in the page.
        let indices: [UInt8] = [2] + rleEncode([2, 0, 1], bitWidth: 2)
        let page1 = HandBuilt.dataPage(indices, count: 4, levels: [1, 0, 1, 1], encoding: .rleDictionary)
        let page2 = HandBuilt.dataPage(HandBuilt.byteArrays([Array("c".utf8), Array("a".utf8)]), count: 2, levels: [1, 1])
        let bytes = HandBuilt.single(e, dict + page1 + page2, rows: 6)
        let col = try ParquetFileReader(bytes: bytes).readRowGroup(0).columns[0]
        #expect(col.type == .dictionary)
        #expect((0..<6).map { col.string(at: $0) } == ["a", nil, "a", "b", "c", "a"])
        #expect(col.dictionary?.values.count == 3)  // a, b, c: the duplicate folded away
        let strings = try ParquetFileReader(bytes: bytes, options: .init(dictionaryStrings: false)).readRowGroup(0).columns[0]
        #expect((0..<6).map { strings.string(at: $0) } == ["a", nil, "a", "b", "c", "a"])
    }

    @Test func allNullDictionaryPagesNeedNoDictionary() throws {
        let s = SchemaElement(name: "s", type: .byteArray, repetition: .optional, logicalType: .string)
        let i = SchemaElement(name: "i", type: .int64, repetition: .optional)
        let page = HandBuilt.dataPage([], count: 3, levels: [0, 0, 0], encoding: .rleDictionary)
        for e in [s, i] {
            let col = try ParquetFileReader(bytes: HandBuilt.single(e, page, rows: 3)).readRowGroup(0).columns[0]
            #expect(col.count == 3 && col.nullCount == 3)
        }
    }

    @Test func int96OutsideNanosecondRange() throws {
        let e = SchemaElement(name: "t", type: .int96, repetition: .required)
        // Julian day 2440588 + 200000 (year ~2517), 1 second into the day.
        let value = HandBuilt.le([Int64(1_000_000_000)]) + HandBuilt.le([Int32(2_440_588 + 200_000)])
        let bytes = HandBuilt.single(e, HandBuilt.dataPage(value, count: 1), rows: 1)
        let error = #expect(throws: ParquetError.self) { try ParquetFileReader(bytes: bytes).readRowGroup(0) }
        #expect(error?.description.contains("INT96") == true)
        let us = try ParquetFileReader(bytes: bytes, options: .init(int96Unit: .us)).readRowGroup(0).columns[0]
        #expect(us.type == .timestamp(.us))
        #expect(us.value(0, as: Int64.self) == 200_000 * 86_400_000_000 + 1_000_000)
    }

    @Test func malformedPagesGiveErrors() throws {
        let e = SchemaElement(name: "v", type: .int32, repetition: .required)
        let cases: [(String, [UInt8], Int, String)] = [
            ("too many values", HandBuilt.dataPage(HandBuilt.le([Int32(1), 2, 3]), count: 3), 2, "remain"),
            ("too few bytes", HandBuilt.dataPage(HandBuilt.le([Int32(1)]), count: 2), 2, "PLAIN page"),
            ("missing pages", HandBuilt.dataPage(HandBuilt.le([Int32(1)]), count: 1), 2, "ends after 1 of 2 rows"),
            ("unknown encoding", HandBuilt.dataPage(HandBuilt.le([Int32(1)]), count: 1, encoding: Encoding(rawValue: 42)), 1, "Encoding(42)"),
            ("dictionary without dictionary page", HandBuilt.dataPage([1, 2, 0], count: 1, encoding: .rleDictionary), 1, "without a dictionary page"),
        ]
        for (name, chunk, rows, message) in cases {
            let error = #expect(throws: ParquetError.self) { try ParquetFileReader(bytes: HandBuilt.single(e, chunk, rows: rows), name: name).readRowGroup(0) }
            #expect(error?.description.contains(message) == true, "\(name): \(String(describing: error))")
            #expect(error?.column == "v")
            #expect(error?.file == name)
        }
    }
}
