/// `SchemaElement`: one node of the schema tree, stored depth-first with the root first.
public struct SchemaElement: Hashable, Sendable {
    public var type: PhysicalType?
    public var typeLength: Int32?
    public var repetition: Repetition?
    public var name: String
    public var numChildren: Int32?
    public var convertedType: ConvertedType?
    public var scale: Int32?
    public var precision: Int32?
    public var fieldID: Int32?
    public var logicalType: LogicalType?

    public init(
        name: String, type: PhysicalType? = nil, typeLength: Int32? = nil, repetition: Repetition? = nil,
        numChildren: Int32? = nil, convertedType: ConvertedType? = nil, scale: Int32? = nil,
        precision: Int32? = nil, fieldID: Int32? = nil, logicalType: LogicalType? = nil
    ) {
        self.name = name
        self.type = type
        self.typeLength = typeLength
        self.repetition = repetition
        self.numChildren = numChildren
        self.convertedType = convertedType
        self.scale = scale
        self.precision = precision
        self.fieldID = fieldID
        self.logicalType = logicalType
    }

    init(thrift r: inout ThriftCompactReader) throws(ParquetError) {
        var e = SchemaElement(name: "")
        try r.readStruct { (r: inout ThriftCompactReader, id, _) throws(ParquetError) -> Bool in
            switch id {
            case 1: e.type = PhysicalType(rawValue: try r.readI32())
            case 2: e.typeLength = try r.readI32()
            case 3: e.repetition = Repetition(rawValue: try r.readI32())
            case 4: e.name = try r.readString()
            case 5: e.numChildren = try r.readI32()
            case 6: e.convertedType = ConvertedType(rawValue: try r.readI32())
            case 7: e.scale = try r.readI32()
            case 8: e.precision = try r.readI32()
            case 9: e.fieldID = try r.readI32()
            case 10: e.logicalType = try LogicalType(thrift: &r)
            default: return false
            }
            return true
        }
        self = e
    }

    func write(to w: inout ThriftCompactWriter) {
        if let v = type { w.field(1, i32: v.rawValue) }
        if let v = typeLength { w.field(2, i32: v) }
        if let v = repetition { w.field(3, i32: v.rawValue) }
        w.field(4, string: name)
        if let v = numChildren { w.field(5, i32: v) }
        if let v = convertedType { w.field(6, i32: v.rawValue) }
        if let v = scale { w.field(7, i32: v) }
        if let v = precision { w.field(8, i32: v) }
        if let v = fieldID { w.field(9, i32: v) }
        if let v = logicalType { w.field(10) { w in v.write(to: &w) } }
    }
}
