/// `ColumnMetaData`: where a column chunk's pages are and how they are encoded.
public struct ColumnMetaData: Hashable, Sendable {
    public var type: PhysicalType = .int32
    public var encodings: [Encoding] = []
    public var pathInSchema: [String] = []
    public var codec: CompressionCodec = .uncompressed
    public var numValues: Int64 = 0
    public var totalUncompressedSize: Int64 = 0
    public var totalCompressedSize: Int64 = 0
    public var keyValueMetadata: [KeyValue]?
    public var dataPageOffset: Int64 = 0
    public var indexPageOffset: Int64?
    public var dictionaryPageOffset: Int64?
    public var statistics: Statistics?
    /// How many pages of each type use each encoding; tells a reader whether a dictionary-encoded
    /// chunk fell back to PLAIN pages.
    public var encodingStats: [PageEncodingStats]?

    public init() {}

    /// Whether every data page of the chunk is dictionary-encoded: from `encodingStats` when the
    /// writer recorded them, else from the encodings list (which cannot tell a fallback apart).
    public var isFullyDictionaryEncoded: Bool {
        if let stats = encodingStats {
            return stats.allSatisfy { ($0.pageType != .dataPage && $0.pageType != .dataPageV2) || $0.encoding.isDictionary || $0.count == 0 }
                && encodings.contains { $0.isDictionary }
        }
        return encodings.contains { $0.isDictionary }
    }

    init(thrift r: inout ThriftCompactReader) throws(ParquetError) {
        var m = ColumnMetaData()
        try r.readStruct { (r: inout ThriftCompactReader, id, _) throws(ParquetError) -> Bool in
            switch id {
            case 1: m.type = PhysicalType(rawValue: try r.readI32())
            case 2: m.encodings = try r.readList { (r: inout ThriftCompactReader) throws(ParquetError) in Encoding(rawValue: try r.readI32()) }
            case 3: m.pathInSchema = try r.readList { (r: inout ThriftCompactReader) throws(ParquetError) in try r.readString() }
            case 4: m.codec = CompressionCodec(rawValue: try r.readI32())
            case 5: m.numValues = try r.readI64()
            case 6: m.totalUncompressedSize = try r.readI64()
            case 7: m.totalCompressedSize = try r.readI64()
            case 8: m.keyValueMetadata = try r.readList { (r: inout ThriftCompactReader) throws(ParquetError) in try KeyValue(thrift: &r) }
            case 9: m.dataPageOffset = try r.readI64()
            case 10: m.indexPageOffset = try r.readI64()
            case 11: m.dictionaryPageOffset = try r.readI64()
            case 12: m.statistics = try Statistics(thrift: &r)
            case 13: m.encodingStats = try r.readList { (r: inout ThriftCompactReader) throws(ParquetError) in try PageEncodingStats(thrift: &r) }
            default: return false
            }
            return true
        }
        self = m
    }

    func write(to w: inout ThriftCompactWriter) {
        w.field(1, i32: type.rawValue)
        w.field(2, i32List: encodings.map(\.rawValue))
        w.field(3, stringList: pathInSchema)
        w.field(4, i32: codec.rawValue)
        w.field(5, i64: numValues)
        w.field(6, i64: totalUncompressedSize)
        w.field(7, i64: totalCompressedSize)
        if let kv = keyValueMetadata { w.field(8, structs: kv) { w, e in e.write(to: &w) } }
        w.field(9, i64: dataPageOffset)
        if let v = indexPageOffset { w.field(10, i64: v) }
        if let v = dictionaryPageOffset { w.field(11, i64: v) }
        if let s = statistics { w.field(12) { w in s.write(to: &w) } }
        if let e = encodingStats {
            w.field(13, structs: e) { w, p in
                w.field(1, i32: p.pageType.rawValue)
                w.field(2, i32: p.encoding.rawValue)
                w.field(3, i32: p.count)
            }
        }
    }
}

/// `PageEncodingStats`: the number of pages of one type with one encoding.
public struct PageEncodingStats: Hashable, Sendable {
    public var pageType: PageType
    public var encoding: Encoding
    public var count: Int32

    public init(pageType: PageType, encoding: Encoding, count: Int32) {
        self.pageType = pageType
        self.encoding = encoding
        self.count = count
    }

    init(thrift r: inout ThriftCompactReader) throws(ParquetError) {
        var p = PageEncodingStats(pageType: .dataPage, encoding: .plain, count: 0)
        try r.readStruct { (r: inout ThriftCompactReader, id, _) throws(ParquetError) -> Bool in
            switch id {
            case 1: p.pageType = PageType(rawValue: try r.readI32())
            case 2: p.encoding = Encoding(rawValue: try r.readI32())
            case 3: p.count = try r.readI32()
            default: return false
            }
            return true
        }
        self = p
    }
}

/// `ColumnChunk`: one column of one row group.
public struct ColumnChunk: Hashable, Sendable {
    /// Set when the chunk lives in another file; this reader does not follow such links.
    public var filePath: String?
    public var fileOffset: Int64 = 0
    public var metaData: ColumnMetaData?

    public init() {}

    init(thrift r: inout ThriftCompactReader) throws(ParquetError) {
        var c = ColumnChunk()
        try r.readStruct { (r: inout ThriftCompactReader, id, _) throws(ParquetError) -> Bool in
            switch id {
            case 1: c.filePath = try r.readString()
            case 2: c.fileOffset = try r.readI64()
            case 3: c.metaData = try ColumnMetaData(thrift: &r)
            default: return false
            }
            return true
        }
        self = c
    }

    func write(to w: inout ThriftCompactWriter) {
        if let p = filePath { w.field(1, string: p) }
        w.field(2, i64: fileOffset)
        if let m = metaData { w.field(3) { w in m.write(to: &w) } }
    }
}

/// `RowGroup`: a horizontal slice of the file, the unit of parallel reading.
public struct RowGroup: Hashable, Sendable {
    public var columns: [ColumnChunk] = []
    public var totalByteSize: Int64 = 0
    public var numRows: Int64 = 0
    public var fileOffset: Int64?
    public var totalCompressedSize: Int64?
    public var ordinal: Int16?

    public init() {}

    init(thrift r: inout ThriftCompactReader) throws(ParquetError) {
        var g = RowGroup()
        try r.readStruct { (r: inout ThriftCompactReader, id, _) throws(ParquetError) -> Bool in
            switch id {
            case 1: g.columns = try r.readList { (r: inout ThriftCompactReader) throws(ParquetError) in try ColumnChunk(thrift: &r) }
            case 2: g.totalByteSize = try r.readI64()
            case 3: g.numRows = try r.readI64()
            case 5: g.fileOffset = try r.readI64()
            case 6: g.totalCompressedSize = try r.readI64()
            case 7: g.ordinal = try r.readI16()
            default: return false
            }
            return true
        }
        self = g
    }

    func write(to w: inout ThriftCompactWriter) {
        w.field(1, structs: columns) { w, c in c.write(to: &w) }
        w.field(2, i64: totalByteSize)
        w.field(3, i64: numRows)
        if let v = fileOffset { w.field(5, i64: v) }
        if let v = totalCompressedSize { w.field(6, i64: v) }
        if let v = ordinal { w.field(7, i16: v) }
    }
}
