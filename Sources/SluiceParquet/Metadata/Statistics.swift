/// `Statistics` of a column chunk or page, with min/max still PLAIN-encoded bytes as stored.
/// `ColumnStatistics` (Reader/) decodes them into typed values.
public struct Statistics: Hashable, Sendable {
    /// Deprecated signed-order bounds written by old writers.
    public var max: [UInt8]?
    public var min: [UInt8]?
    public var nullCount: Int64?
    public var distinctCount: Int64?
    public var maxValue: [UInt8]?
    public var minValue: [UInt8]?
    public var isMaxValueExact: Bool?
    public var isMinValueExact: Bool?

    public init() {}

    init(thrift r: inout ThriftCompactReader) throws(ParquetError) {
        var s = Statistics()
        try r.readStruct { (r: inout ThriftCompactReader, id, _) throws(ParquetError) -> Bool in
            switch id {
            case 1: s.max = try r.readBinary()
            case 2: s.min = try r.readBinary()
            case 3: s.nullCount = try r.readI64()
            case 4: s.distinctCount = try r.readI64()
            case 5: s.maxValue = try r.readBinary()
            case 6: s.minValue = try r.readBinary()
            case 7: s.isMaxValueExact = try r.readBool()
            case 8: s.isMinValueExact = try r.readBool()
            default: return false
            }
            return true
        }
        self = s
    }

    func write(to w: inout ThriftCompactWriter) {
        if let v = max { w.field(1, binary: v) }
        if let v = min { w.field(2, binary: v) }
        if let v = nullCount { w.field(3, i64: v) }
        if let v = distinctCount { w.field(4, i64: v) }
        if let v = maxValue { w.field(5, binary: v) }
        if let v = minValue { w.field(6, binary: v) }
        if let v = isMaxValueExact { w.field(7, bool: v) }
        if let v = isMinValueExact { w.field(8, bool: v) }
    }
}

/// `KeyValue`: application metadata stored in the footer.
public struct KeyValue: Hashable, Sendable {
    public var key: String
    public var value: String?

    public init(key: String, value: String?) {
        self.key = key
        self.value = value
    }

    init(thrift r: inout ThriftCompactReader) throws(ParquetError) {
        var kv = KeyValue(key: "", value: nil)
        try r.readStruct { (r: inout ThriftCompactReader, id, _) throws(ParquetError) -> Bool in
            switch id {
            case 1: kv.key = try r.readString()
            case 2: kv.value = try r.readString()
            default: return false
            }
            return true
        }
        self = kv
    }

    func write(to w: inout ThriftCompactWriter) {
        w.field(1, string: key)
        if let v = value { w.field(2, string: v) }
    }
}
