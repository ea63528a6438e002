/// `FileMetaData`: the footer of a Parquet file.
public struct FileMetaData: Hashable, Sendable {
    public var version: Int32 = 1
    public var schema: [SchemaElement] = []
    public var numRows: Int64 = 0
    public var rowGroups: [RowGroup] = []
    public var keyValueMetadata: [KeyValue]?
    public var createdBy: String?
    /// One entry per leaf column; `true` where the entry is TYPE_ORDER (the only order defined so far),
    /// which is what makes `min_value`/`max_value` trustworthy.
    public var columnOrders: [Bool]?

    public init() {}

    /// Parses a footer from its Thrift compact bytes.
    public init(thrift bytes: UnsafeRawBufferPointer) throws(ParquetError) {
        var r = ThriftCompactReader(bytes)
        var m = FileMetaData()
        try r.readStruct { (r: inout ThriftCompactReader, id, _) throws(ParquetError) -> Bool in
            switch id {
            case 1: m.version = try r.readI32()
            case 2: m.schema = try r.readList { (r: inout ThriftCompactReader) throws(ParquetError) in try SchemaElement(thrift: &r) }
            case 3: m.numRows = try r.readI64()
            case 4: m.rowGroups = try r.readList { (r: inout ThriftCompactReader) throws(ParquetError) in try RowGroup(thrift: &r) }
            case 5: m.keyValueMetadata = try r.readList { (r: inout ThriftCompactReader) throws(ParquetError) in try KeyValue(thrift: &r) }
            case 6: m.createdBy = try r.readString()
            case 7:
                m.columnOrders = try r.readList { (r: inout ThriftCompactReader) throws(ParquetError) -> Bool in
                    var typeOrder = false
                    try r.readStruct { (r: inout ThriftCompactReader, id, t) throws(ParquetError) -> Bool in
                        if id == 1 { typeOrder = true }
                        try r.skip(t)
                        return true
                    }
                    return typeOrder
                }
            default: return false
            }
            return true
        }
        self = m
    }

    /// The Thrift compact bytes of this footer.
    public func serialized() -> [UInt8] {
        var w = ThriftCompactWriter()
        w.writeStruct { w in
            w.field(1, i32: version)
            w.field(2, structs: schema) { w, e in e.write(to: &w) }
            w.field(3, i64: numRows)
            w.field(4, structs: rowGroups) { w, g in g.write(to: &w) }
            if let kv = keyValueMetadata { w.field(5, structs: kv) { w, e in e.write(to: &w) } }
            if let c = createdBy { w.field(6, string: c) }
            if let orders = columnOrders {
                w.field(7, structs: orders) { w, typeOrder in
                    if typeOrder { w.field(1) { _ in } }
                }
            }
        }
        return w.bytes
    }
}
