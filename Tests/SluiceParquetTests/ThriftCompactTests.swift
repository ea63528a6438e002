import Testing
@testable import SluiceParquet

@Suite struct ThriftCompactTests {
    private func read<T>(_ bytes: [UInt8], _ body: (inout ThriftCompactReader) throws(ParquetError) -> T) throws -> T {
        try bytes.withUnsafeBytes { b in
            var r = ThriftCompactReader(b)
            return try body(&r)
        }
    }

    @Test func varintsAndZigZagRoundTrip() throws {
        let values: [Int64] = [0, 1, -1, 63, -64, 64, 300, -300, Int64(Int32.max), Int64(Int32.min), .max, .min]
        var w = ThriftCompactWriter()
        for v in values { w.writeZigZag(v) }
        let decoded = try read(w.bytes) { (r) throws(ParquetError) -> [Int64] in
            var out: [Int64] = []
            for _ in values { out.append(try r.readZigZag()) }
            return out
        }
        #expect(decoded == values)
        // Known encodings: zigzag(-1) = 1, zigzag(1) = 2, 300 → zigzag 600 = 0xd8 0x04.
        var k = ThriftCompactWriter()
        k.writeZigZag(-1); k.writeZigZag(1); k.writeZigZag(300)
        #expect(k.bytes == [0x01, 0x02, 0xd8, 0x04])
    }

    @Test func fieldHeadersUseDeltasAndLongForm() throws {
        var w = ThriftCompactWriter()
        w.writeStruct { w in
            w.field(1, i32: 7)      // delta 1
            w.field(16, i32: 8)     // delta 15: still short
            w.field(40, i32: 9)     // delta 24: long form
            w.field(2, i32: 10)     // going back: long form
            w.field(3, bool: true)  // value in the type nibble
            w.field(4, bool: false)
        }
        #expect(Array(w.bytes.prefix(2)) == [0x15, 0x0e])
        #expect(w.bytes[2] == 0xf5)
        #expect(w.bytes[4] == 0x05 && w.bytes[5] == 80)  // type i32, zigzag(40) = 80
        var seen: [(Int16, Int32?, Bool?)] = []
        try read(w.bytes) { (r) throws(ParquetError) in
            try r.readStruct { (r: inout ThriftCompactReader, id, t) throws(ParquetError) -> Bool in
                if t == .i32 { seen.append((id, try r.readI32(), nil)) } else { seen.append((id, nil, try r.readBool())) }
                return true
            }
        }
        #expect(seen.map(\.0) == [1, 16, 40, 2, 3, 4])
        #expect(seen.map(\.1) == [7, 8, 9, 10, nil, nil])
        #expect(seen.map(\.2) == [nil, nil, nil, nil, true, false])
    }

    @Test func unknownFieldsOfEveryTypeAreSkipped() throws {
        // A KeyValue with extra fields a future format version might add, between and after the known ones.
        var w = ThriftCompactWriter()
        w.writeStruct { w in
            w.field(1, string: "key")
            w.field(3, double: 2.5)
            w.field(4, bool: true)
            w.field(5) { w in
                w.field(1, i64: -5)
                w.field(2, structs: [1, 2]) { w, v in w.field(1, i32: Int32(v)) }
            }
            w.fieldHeader(6, .map)
            w.writeVarint(2)
            w.writeByte(0x85)  // binary keys, i32 values
            w.writeBinary([1]); w.writeZigZag(1)
            w.writeBinary([2]); w.writeZigZag(2)
            w.fieldHeader(7, .list)
            w.listHeader(.boolTrue, count: 3)
            w.writeByte(1); w.writeByte(0); w.writeByte(1)
            w.fieldHeader(8, .byte)
            w.writeByte(9)
            w.field(9, i16: -3)
            w.field(2, string: "value")
        }
        let kv = try read(w.bytes) { (r) throws(ParquetError) in try KeyValue(thrift: &r) }
        #expect(kv == KeyValue(key: "key", value: "value"))
    }

    @Test func fileMetaDataRoundTrips() throws {
        var m = FileMetaData()
        m.version = 2
        m.schema = [
            SchemaElement(name: "schema", numChildren: 2),
            SchemaElement(name: "ts", type: .int64, repetition: .optional, convertedType: .timestampMicros,
                          logicalType: .timestamp(isAdjustedToUTC: true, unit: .micros)),
            SchemaElement(name: "price", type: .fixedLenByteArray, typeLength: 9, repetition: .required,
                          convertedType: .decimal, scale: 2, precision: 20, fieldID: 7,
                          logicalType: .decimal(scale: 2, precision: 20)),
        ]
        m.numRows = 1234
        var meta = ColumnMetaData()
        meta.type = .int64
        meta.encodings = [.plain, .rle, .rleDictionary]
        meta.pathInSchema = ["ts"]
        meta.codec = .zstd
        meta.numValues = 1234
        meta.totalCompressedSize = 99
        meta.totalUncompressedSize = 120
        meta.dataPageOffset = 40
        meta.dictionaryPageOffset = 4
        var stats = Statistics()
        stats.nullCount = 3
        stats.minValue = [1, 0, 0, 0, 0, 0, 0, 0]
        stats.maxValue = [9, 0, 0, 0, 0, 0, 0, 0]
        stats.isMaxValueExact = true
        meta.statistics = stats
        var chunk = ColumnChunk()
        chunk.fileOffset = 4
        chunk.metaData = meta
        var group = RowGroup()
        group.columns = [chunk, chunk]
        group.numRows = 1234
        group.totalByteSize = 240
        group.ordinal = 0
        m.rowGroups = [group]
        m.keyValueMetadata = [KeyValue(key: "a", value: "b"), KeyValue(key: "novalue", value: nil)]
        m.createdBy = "test"
        m.columnOrders = [true, true]
        let bytes = m.serialized()
        let back = try bytes.withUnsafeBytes { b in try FileMetaData(thrift: b) }
        #expect(back == m)
    }

    @Test func logicalTypesRoundTrip() throws {
        let all: [LogicalType] = [
            .string, .map, .list, .enumType, .decimal(scale: 3, precision: 9), .date,
            .time(isAdjustedToUTC: false, unit: .millis), .timestamp(isAdjustedToUTC: true, unit: .nanos),
            .integer(bitWidth: 8, isSigned: false), .integer(bitWidth: 64, isSigned: true),
            .unknown, .json, .bson, .uuid, .float16, .other(16),
        ]
        for t in all {
            var w = ThriftCompactWriter()
            w.writeStruct { w in t.write(to: &w) }
            let back = try read(w.bytes) { (r) throws(ParquetError) in try LogicalType(thrift: &r) }
            #expect(back == t)
        }
    }

    @Test func pageHeadersRoundTrip() throws {
        var h = PageHeader()
        h.type = .dataPageV2
        h.uncompressedPageSize = 1000
        h.compressedPageSize = 400
        h.crc = 0xdead_beef
        var v2 = DataPageHeaderV2()
        v2.numValues = 100; v2.numNulls = 4; v2.numRows = 100; v2.encoding = .deltaBinaryPacked
        v2.definitionLevelsByteLength = 6; v2.isCompressed = false
        h.dataPageHeaderV2 = v2
        var d = PageHeader()
        d.type = .dictionaryPage
        var dh = DictionaryPageHeader()
        dh.numValues = 12; dh.isSorted = true
        d.dictionaryPageHeader = dh
        var v1 = PageHeader()
        var dp = DataPageHeader()
        dp.numValues = 77; dp.encoding = .rleDictionary
        v1.dataPageHeader = dp
        for header in [h, d, v1] {
            let bytes = header.serialized() + [0xAA]  // trailing page byte must not be consumed
            let (back, pos) = try read(bytes) { (r) throws(ParquetError) in (try PageHeader(thrift: &r), r.position) }
            #expect(back == header)
            #expect(pos == bytes.count - 1)
        }
    }

    @Test func knownFieldWithWrongWireTypeThrows() {
        // FileMetaData field 1 (version, i32) sent as a binary.
        var w = ThriftCompactWriter()
        w.writeStruct { w in w.field(1, string: "not a number") }
        #expect(throws: ParquetError.self) {
            try w.bytes.withUnsafeBytes { b in _ = try FileMetaData(thrift: b) }
        }
    }

    @Test func truncatedAndHostileInputThrows() {
        var m = FileMetaData()
        m.schema = [SchemaElement(name: "schema", numChildren: 0)]
        m.createdBy = "a fairly long created_by string"
        let bytes = m.serialized()
        for cut in [1, 3, bytes.count / 2, bytes.count - 1] {
            #expect(throws: ParquetError.self) {
                try Array(bytes.prefix(cut)).withUnsafeBytes { b in _ = try FileMetaData(thrift: b) }
            }
        }
        // A binary length far past the end, and structs nested past the depth limit.
        #expect(throws: ParquetError.self) {
            try ([0x68, 0xff, 0xff, 0xff, 0x0f] as [UInt8]).withUnsafeBytes { b in _ = try FileMetaData(thrift: b) }
        }
        // Unknown field 100 holding structs nested 500 deep: the skipper must stop, not recurse.
        let deep: [UInt8] = [0x0c, 0xc8, 0x01] + [UInt8](repeating: 0x1c, count: 500)
        #expect(throws: ParquetError.self) {
            try deep.withUnsafeBytes { b in _ = try FileMetaData(thrift: b) }
        }
    }
}
