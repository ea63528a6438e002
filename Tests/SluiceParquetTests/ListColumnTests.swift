import SluiceCore
import Testing
@testable import SluiceParquet

/// Pages of repeated leaves built by hand, so that every level case is exact: null lists, empty
/// lists, null elements, and a list that a page boundary cuts in two.
enum ListPages {
    /// An uncompressed v1 data page of a repeated leaf: repetition levels, definition levels
    /// (each with its 4-byte length), then the PLAIN values of the entries at the maximum level.
    static func v1(_ values: [UInt8], rep: [UInt32], def: [UInt32], maxDef: Int) -> [UInt8] {
        var body: [UInt8] = []
        for (levels, width) in [(rep, 1), (def, BitUnpacking.bitWidth(of: UInt64(maxDef)))] {
            let rle = rleEncode(levels, bitWidth: width)
            withUnsafeBytes(of: UInt32(rle.count).littleEndian) { body += $0 }
            body += rle
        }
        return HandBuilt.v1Page(body + values, count: rep.count)
    }

    /// The same as a v2 data page (levels without length prefixes, sizes in the header).
    static func v2(_ values: [UInt8], rep: [UInt32], def: [UInt32], maxDef: Int) -> [UInt8] {
        let r = rleEncode(rep, bitWidth: 1), d = rleEncode(def, bitWidth: BitUnpacking.bitWidth(of: UInt64(maxDef)))
        let body = r + d + values
        var h = PageHeader()
        h.type = .dataPageV2
        h.uncompressedPageSize = Int32(body.count)
        h.compressedPageSize = Int32(body.count)
        var v = DataPageHeaderV2()
        v.numValues = Int32(rep.count)
        v.numRows = Int32(rep.filter { $0 == 0 }.count)
        v.numNulls = Int32(def.filter { $0 != UInt32(maxDef) }.count)
        v.repetitionLevelsByteLength = Int32(r.count)
        v.definitionLevelsByteLength = Int32(d.count)
        v.isCompressed = false
        h.dataPageHeaderV2 = v
        return h.serialized() + body
    }

    /// The standard 3-level layout: `optional group name (LIST) { repeated group list { optional T element } }`.
    static func standard(_ name: String, _ type: PhysicalType, logical: LogicalType? = nil, list: Repetition = .optional, element: Repetition = .optional) -> [SchemaElement] {
        [
            SchemaElement(name: name, repetition: list, numChildren: 1, convertedType: .list),
            SchemaElement(name: "list", repetition: .repeated, numChildren: 1),
            SchemaElement(name: "element", type: type, repetition: element, logicalType: logical),
        ]
    }

    static func file(_ fields: [SchemaElement], leaf: [String], _ type: PhysicalType, pages: [UInt8], rows: Int, entries: Int) -> [UInt8] {
        HandBuilt.file(
            schema: [SchemaElement(name: "schema", numChildren: 1)] + fields, leaves: [(leaf, type)], chunks: [pages],
            rows: rows, values: [entries])
    }

    static func texts(_ bytes: [UInt8]) throws -> [String?] {
        let col = try ParquetFileReader(bytes: bytes, name: "list.parquet").readRowGroup(0).columns[0]
        #expect(col.type == .string)
        return (0..<col.count).map { col.string(at: $0) }
    }
}

@Suite struct ListColumnTests {
    /// Rows: [1, null, 3], null, [], [null], [4, 5] — every definition level of an optional list
    /// of optional int32 (0 null list, 1 empty, 2 null element, 3 value).
    static let rep: [UInt32] = [0, 1, 1, 0, 0, 0, 0, 1]
    static let def: [UInt32] = [3, 2, 3, 0, 1, 2, 3, 3]
    static let expected: [String?] = ["[1,null,3]", nil, "[]", "[null]", "[4,5]"]

    @Test func levelsAssembleIntoJSONLists() throws {
        let page = ListPages.v1(HandBuilt.le([Int32(1), 3, 4, 5]), rep: Self.rep, def: Self.def, maxDef: 3)
        let bytes = ListPages.file(ListPages.standard("xs", .int32), leaf: ["xs", "list", "element"], .int32, pages: page, rows: 5, entries: 8)
        #expect(try ListPages.texts(bytes) == Self.expected)
        let col = try ParquetFileReader(bytes: bytes).readRowGroup(0).columns[0]
        #expect(col.nullCount == 1)
        #expect(col.isNull(1) && col.isValid(2))
    }

    @Test func aListCutByAPageBoundaryJoinsUp() throws {
        // Page 1 ends inside row 0's list [1, null, 3]; page 2 continues it with repetition level 1.
        let first = ListPages.v1(HandBuilt.le([Int32(1)]), rep: [0, 1], def: [3, 2], maxDef: 3)
        let second = ListPages.v1(HandBuilt.le([Int32(3), 4, 5]), rep: Array(Self.rep[2...]), def: Array(Self.def[2...]), maxDef: 3)
        let bytes = ListPages.file(ListPages.standard("xs", .int32), leaf: ["xs", "list", "element"], .int32, pages: first + second, rows: 5, entries: 8)
        #expect(try ListPages.texts(bytes) == Self.expected)
    }

    @Test func rowBoundariesFollowRepetitionLevelZeroAcrossV2Pages() throws {
        // v2 pages start at rows: [1, null, 3], null | [], [null], [4, 5].
        let first = ListPages.v2(HandBuilt.le([Int32(1), 3]), rep: Array(Self.rep[..<4]), def: Array(Self.def[..<4]), maxDef: 3)
        let second = ListPages.v2(HandBuilt.le([Int32(4), 5]), rep: Array(Self.rep[4...]), def: Array(Self.def[4...]), maxDef: 3)
        let bytes = ListPages.file(ListPages.standard("xs", .int32), leaf: ["xs", "list", "element"], .int32, pages: first + second, rows: 5, entries: 8)
        #expect(try ListPages.texts(bytes) == Self.expected)
    }

    @Test func requiredListsAndElementsShiftTheLevels() throws {
        // required list of required int64: definition 0 is an empty list, 1 a value; no nulls.
        let fields = ListPages.standard("xs", .int64, list: .required, element: .required)
        let page = ListPages.v1(HandBuilt.le([Int64(-7), Int64.max]), rep: [0, 0, 1], def: [0, 1, 1], maxDef: 1)
        let bytes = ListPages.file(fields, leaf: ["xs", "list", "element"], .int64, pages: page, rows: 2, entries: 3)
        #expect(try ListPages.texts(bytes) == ["[]", "[-7,9223372036854775807]"])
    }

    @Test func legacyTwoLevelAndBareRepeatedFields() throws {
        // optional group xs (LIST) { repeated int32 element }: 0 null, 1 empty, 2 value.
        let twoLevel = [
            SchemaElement(name: "xs", repetition: .optional, numChildren: 1, convertedType: .list),
            SchemaElement(name: "element", type: .int32, repetition: .repeated),
        ]
        let page = ListPages.v1(HandBuilt.le([Int32(1), 2]), rep: [0, 1, 0, 0], def: [2, 2, 0, 1], maxDef: 2)
        let bytes = ListPages.file(twoLevel, leaf: ["xs", "element"], .int32, pages: page, rows: 3, entries: 4)
        #expect(try ListPages.texts(bytes) == ["[1,2]", nil, "[]"])
        // A bare repeated field is a list of required elements that is never null: 0 empty, 1 value.
        let bare = [SchemaElement(name: "xs", type: .byteArray, repetition: .repeated, logicalType: .string)]
        let strings = HandBuilt.byteArrays([Array("a\"b".utf8), Array("\\\n".utf8), Array("é".utf8)])
        let page2 = ListPages.v1(strings, rep: [0, 1, 0, 0], def: [1, 1, 0, 1], maxDef: 1)
        let bareBytes = ListPages.file(bare, leaf: ["xs"], .byteArray, pages: page2, rows: 3, entries: 4)
        #expect(try ListPages.texts(bareBytes) == ["[\"a\\\"b\",\"\\\\\\n\"]", "[]", "[\"é\"]"])
        let reader = try ParquetFileReader(bytes: bareBytes)
        #expect(reader.schema.fields.map(\.type) == [.string])
        #expect(reader.listElementTypes == [.string])
    }

    @Test func elementsFormatAsJSON() throws {
        // Doubles in shortest round-trip form, NaN and infinity as null.
        let doubles = ListPages.v1(HandBuilt.le([0.1, 3.0, -2.5e-300, Double.nan, -Double.infinity].map(\.bitPattern)),
            rep: [0, 1, 1, 1, 1], def: [3, 3, 3, 3, 3], maxDef: 3)
        let d = ListPages.file(ListPages.standard("xs", .double), leaf: ["xs", "list", "element"], .double, pages: doubles, rows: 1, entries: 5)
        #expect(try ListPages.texts(d) == ["[0.1,3,-2.5e-300,null,null]"])
        // Dates and timestamps as quoted ISO-8601 text, booleans bare.
        let dates = ListPages.v1(HandBuilt.le([Int32(0), 19_753]), rep: [0, 1], def: [3, 3], maxDef: 3)
        let dt = ListPages.file(ListPages.standard("xs", .int32, logical: .date), leaf: ["xs", "list", "element"], .int32, pages: dates, rows: 1, entries: 2)
        #expect(try ListPages.texts(dt) == ["[\"1970-01-01\",\"2024-01-31\"]"])
        let stamps = ListPages.v1(HandBuilt.le([Int64(1_500)]), rep: [0], def: [3], maxDef: 3)
        let ts = ListPages.file(ListPages.standard("xs", .int64, logical: .timestamp(isAdjustedToUTC: true, unit: .millis)),
            leaf: ["xs", "list", "element"], .int64, pages: stamps, rows: 1, entries: 1)
        #expect(try ListPages.texts(ts) == ["[\"1970-01-01T00:00:01.5Z\"]"])
        let bools = ListPages.v1([0b101], rep: [0, 1, 1, 1], def: [3, 3, 2, 3], maxDef: 3)
        let b = ListPages.file(ListPages.standard("xs", .boolean), leaf: ["xs", "list", "element"], .boolean, pages: bools, rows: 1, entries: 4)
        #expect(try ListPages.texts(b) == ["[true,false,null,true]"])
    }

    /// pyarrow's files (Fixtures/make_fixtures.py `write_list_fixtures`): 300 rows in row groups of
    /// 120 over pages of 256 bytes, dictionary v1 and plain v2, read back to the exact text.
    @Test(arguments: ["pyarrow/lists_v1_dict.parquet", "pyarrow/lists_v2_plain.parquet"])
    func pyarrowListsReadExactly(file: String) throws {
        func ints(_ i: Int) -> String? {
            i % 7 == 3 ? nil : "[" + (0..<(i % 6)).map { k in (i + k) % 5 == 2 ? "null" : String(i * 10 + k) }.joined(separator: ",") + "]"
        }
        func words(_ i: Int) -> String? {
            i % 11 == 4 ? nil : "[" + (0..<(i % 4)).map { k in ["\"a\"", "\"bb\"", "null", "\"é\\\"q\""][(i + k) % 4] }.joined(separator: ",") + "]"
        }
        let reader = try ParquetFileReader(path: Fixtures.path(file))
        #expect(reader.rowGroupCount == 3)
        var row = 0
        for g in 0..<reader.rowGroupCount {
            let batch = try reader.readRowGroup(g, columns: ["ws", "xs"])
            for i in 0..<batch.count {
                #expect(batch.columns[1].string(at: i) == ints(row + i), "xs row \(row + i)")
                #expect(batch.columns[0].string(at: i) == words(row + i), "ws row \(row + i)")
            }
            row += batch.count
        }
        #expect(row == 300)
    }

    @Test func corruptLevelsAreErrorsNotCrashes() throws {
        let fields = ListPages.standard("xs", .int32)
        let leaf = ["xs", "list", "element"]
        // The chunk starts by continuing a list.
        let continued = ListPages.v1(HandBuilt.le([Int32(1)]), rep: [1], def: [3], maxDef: 3)
        #expect(throws: ParquetError.self) { try ListPages.texts(ListPages.file(fields, leaf: leaf, .int32, pages: continued, rows: 1, entries: 1)) }
        // An element continues a null list.
        let afterNull = ListPages.v1(HandBuilt.le([Int32(1)]), rep: [0, 1], def: [0, 3], maxDef: 3)
        #expect(throws: ParquetError.self) { try ListPages.texts(ListPages.file(fields, leaf: leaf, .int32, pages: afterNull, rows: 1, entries: 2)) }
        // Fewer rows than the row group claims.
        let short = ListPages.v1(HandBuilt.le([Int32(1), 2]), rep: [0, 1], def: [3, 3], maxDef: 3)
        let error = #expect(throws: ParquetError.self) { try ListPages.texts(ListPages.file(fields, leaf: leaf, .int32, pages: short, rows: 2, entries: 2)) }
        #expect(error?.column == "xs.list.element")
    }

    @Test func otherNestedShapesStayUnsupported() throws {
        func kind(_ fields: [SchemaElement]) throws -> String? {
            try ParquetSchema([SchemaElement(name: "schema", numChildren: 1)] + fields).fields[0].nestedKind
        }
        // A repeated group named "array" holds a one-field struct (backward-compatibility rule 3).
        #expect(try kind([
            SchemaElement(name: "xs", repetition: .optional, numChildren: 1, convertedType: .list),
            SchemaElement(name: "array", repetition: .repeated, numChildren: 1),
            SchemaElement(name: "v", type: .int32, repetition: .required),
        ]) == "list of structs")
        #expect(try kind([
            SchemaElement(name: "xs", repetition: .optional, numChildren: 1, convertedType: .list),
            SchemaElement(name: "list", repetition: .repeated, numChildren: 1),
            SchemaElement(name: "element", repetition: .optional, numChildren: 1, convertedType: .list),
            SchemaElement(name: "list", repetition: .repeated, numChildren: 1),
            SchemaElement(name: "element", type: .int32, repetition: .optional),
        ]) == "list of lists")
        #expect(try kind([
            SchemaElement(name: "m", repetition: .optional, numChildren: 1, convertedType: .map),
            SchemaElement(name: "key_value", repetition: .repeated, numChildren: 2),
            SchemaElement(name: "key", type: .int32, repetition: .required),
            SchemaElement(name: "value", type: .int32, repetition: .optional),
        ]) == "map")
        let list = try ParquetSchema([SchemaElement(name: "schema", numChildren: 1)] + ListPages.standard("xs", .int32)).fields[0]
        #expect(list.nestedKind == nil && list.list == ParquetListLayout(emptyLevel: 1) && !list.isFlat)
    }
}
