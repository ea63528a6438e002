/// `DataPageHeader` (v1): levels and values share one compressed body.
public struct DataPageHeader: Hashable, Sendable {
    public var numValues: Int32 = 0
    public var encoding: Encoding = .plain
    public var definitionLevelEncoding: Encoding = .rle
    public var repetitionLevelEncoding: Encoding = .rle
    public var statistics: Statistics?

    public init() {}
}

/// `DataPageHeaderV2`: levels stay uncompressed in front of the (optionally compressed) values.
public struct DataPageHeaderV2: Hashable, Sendable {
    public var numValues: Int32 = 0
    public var numNulls: Int32 = 0
    public var numRows: Int32 = 0
    public var encoding: Encoding = .plain
    public var definitionLevelsByteLength: Int32 = 0
    public var repetitionLevelsByteLength: Int32 = 0
    public var isCompressed: Bool = true
    public var statistics: Statistics?

    public init() {}
}

/// `DictionaryPageHeader`.
public struct DictionaryPageHeader: Hashable, Sendable {
    public var numValues: Int32 = 0
    public var encoding: Encoding = .plain
    public var isSorted: Bool?

    public init() {}
}

/// `PageHeader`: precedes every page of a column chunk.
public struct PageHeader: Hashable, Sendable {
    public var type: PageType = .dataPage
    public var uncompressedPageSize: Int32 = 0
    public var compressedPageSize: Int32 = 0
    /// CRC-32 of the page bytes as stored (after compression), when the writer computed one.
    public var crc: UInt32?
    public var dataPageHeader: DataPageHeader?
    public var dictionaryPageHeader: DictionaryPageHeader?
    public var dataPageHeaderV2: DataPageHeaderV2?

    public init() {}

    /// Parses a page header starting at `r.position`, leaving `r` just past it.
    public init(thrift r: inout ThriftCompactReader) throws(ParquetError) {
        var h = PageHeader()
        try r.readStruct { (r: inout ThriftCompactReader, id, _) throws(ParquetError) -> Bool in
            switch id {
            case 1: h.type = PageType(rawValue: try r.readI32())
            case 2: h.uncompressedPageSize = try r.readI32()
            case 3: h.compressedPageSize = try r.readI32()
            case 4: h.crc = UInt32(bitPattern: try r.readI32())
            case 5:
                var d = DataPageHeader()
                try r.readStruct { (r: inout ThriftCompactReader, id, _) throws(ParquetError) -> Bool in
                    switch id {
                    case 1: d.numValues = try r.readI32()
                    case 2: d.encoding = Encoding(rawValue: try r.readI32())
                    case 3: d.definitionLevelEncoding = Encoding(rawValue: try r.readI32())
                    case 4: d.repetitionLevelEncoding = Encoding(rawValue: try r.readI32())
                    case 5: d.statistics = try Statistics(thrift: &r)
                    default: return false
                    }
                    return true
                }
                h.dataPageHeader = d
            case 7:
                var d = DictionaryPageHeader()
                try r.readStruct { (r: inout ThriftCompactReader, id, _) throws(ParquetError) -> Bool in
                    switch id {
                    case 1: d.numValues = try r.readI32()
                    case 2: d.encoding = Encoding(rawValue: try r.readI32())
                    case 3: d.isSorted = try r.readBool()
                    default: return false
                    }
                    return true
                }
                h.dictionaryPageHeader = d
            case 8:
                var d = DataPageHeaderV2()
                try r.readStruct { (r: inout ThriftCompactReader, id, _) throws(ParquetError) -> Bool in
                    switch id {
                    case 1: d.numValues = try r.readI32()
                    case 2: d.numNulls = try r.readI32()
                    case 3: d.numRows = try r.readI32()
                    case 4: d.encoding = Encoding(rawValue: try r.readI32())
                    case 5: d.definitionLevelsByteLength = try r.readI32()
                    case 6: d.repetitionLevelsByteLength = try r.readI32()
                    case 7: d.isCompressed = try r.readBool()
                    case 8: d.statistics = try Statistics(thrift: &r)
                    default: return false
                    }
                    return true
                }
                h.dataPageHeaderV2 = d
            default: return false
            }
            return true
        }
        self = h
    }

    /// The Thrift compact bytes of this header.
    public func serialized() -> [UInt8] {
        var w = ThriftCompactWriter()
        w.writeStruct { w in
            w.field(1, i32: type.rawValue)
            w.field(2, i32: uncompressedPageSize)
            w.field(3, i32: compressedPageSize)
            if let c = crc { w.field(4, i32: Int32(bitPattern: c)) }
            if let d = dataPageHeader {
                w.field(5) { w in
                    w.field(1, i32: d.numValues)
                    w.field(2, i32: d.encoding.rawValue)
                    w.field(3, i32: d.definitionLevelEncoding.rawValue)
                    w.field(4, i32: d.repetitionLevelEncoding.rawValue)
                    if let s = d.statistics { w.field(5) { w in s.write(to: &w) } }
                }
            }
            if let d = dictionaryPageHeader {
                w.field(7) { w in
                    w.field(1, i32: d.numValues)
                    w.field(2, i32: d.encoding.rawValue)
                    if let s = d.isSorted { w.field(3, bool: s) }
                }
            }
            if let d = dataPageHeaderV2 {
                w.field(8) { w in
                    w.field(1, i32: d.numValues)
                    w.field(2, i32: d.numNulls)
                    w.field(3, i32: d.numRows)
                    w.field(4, i32: d.encoding.rawValue)
                    w.field(5, i32: d.definitionLevelsByteLength)
                    w.field(6, i32: d.repetitionLevelsByteLength)
                    w.field(7, bool: d.isCompressed)
                    if let s = d.statistics { w.field(8) { w in s.write(to: &w) } }
                }
            }
        }
        return w.bytes
    }
}
