/// Writes the Thrift compact protocol into a growing byte array.
public struct ThriftCompactWriter {
    public private(set) var bytes: [UInt8] = []
    private var lastFieldID: [Int16] = []
    private var currentFieldID: Int16 = 0

    public init() {
        bytes.reserveCapacity(256)
    }

    public mutating func writeVarint(_ v: UInt64) {
        var v = v
        while v >= 0x80 {
            bytes.append(UInt8(truncatingIfNeeded: v) | 0x80)
            v >>= 7
        }
        bytes.append(UInt8(v))
    }

    public mutating func writeByte(_ b: UInt8) {
        bytes.append(b)
    }

    public mutating func writeZigZag(_ v: Int64) {
        writeVarint(UInt64(bitPattern: (v << 1) ^ (v >> 63)))
    }

    public mutating func structBegin() {
        lastFieldID.append(currentFieldID)
        currentFieldID = 0
    }

    public mutating func structEnd() {
        bytes.append(0)
        currentFieldID = lastFieldID.popLast() ?? 0
    }

    /// A field header, using the short delta form when the id grows by 1...15.
    public mutating func fieldHeader(_ id: Int16, _ type: ThriftType) {
        let delta = Int(id) - Int(currentFieldID)
        if delta > 0 && delta <= 15 {
            bytes.append(UInt8(delta) << 4 | type.rawValue)
        } else {
            bytes.append(type.rawValue)
            writeZigZag(Int64(id))
        }
        currentFieldID = id
    }

    public mutating func field(_ id: Int16, i32 v: Int32) {
        fieldHeader(id, .i32)
        writeZigZag(Int64(v))
    }

    public mutating func field(_ id: Int16, i16 v: Int16) {
        fieldHeader(id, .i16)
        writeZigZag(Int64(v))
    }

    public mutating func field(_ id: Int16, i64 v: Int64) {
        fieldHeader(id, .i64)
        writeZigZag(v)
    }

    public mutating func field(_ id: Int16, bool v: Bool) {
        fieldHeader(id, v ? .boolTrue : .boolFalse)
    }

    public mutating func field(_ id: Int16, double v: Double) {
        fieldHeader(id, .double)
        withUnsafeBytes(of: v.bitPattern.littleEndian) { bytes.append(contentsOf: $0) }
    }

    public mutating func field(_ id: Int16, binary v: [UInt8]) {
        fieldHeader(id, .binary)
        writeBinary(v)
    }

    public mutating func field(_ id: Int16, string v: String) {
        field(id, binary: Array(v.utf8))
    }

    public mutating func writeBinary(_ v: [UInt8]) {
        writeVarint(UInt64(v.count))
        bytes.append(contentsOf: v)
    }

    public mutating func listHeader(_ type: ThriftType, count: Int) {
        if count < 15 {
            bytes.append(UInt8(count) << 4 | type.rawValue)
        } else {
            bytes.append(0xf0 | type.rawValue)
            writeVarint(UInt64(count))
        }
    }

    /// A struct-valued field written by `body`.
    public mutating func field(_ id: Int16, struct body: (inout ThriftCompactWriter) -> Void) {
        fieldHeader(id, .structure)
        structBegin()
        body(&self)
        structEnd()
    }

    /// A list-of-structs field.
    public mutating func field<T>(_ id: Int16, structs list: [T], _ body: (inout ThriftCompactWriter, T) -> Void) {
        fieldHeader(id, .list)
        listHeader(.structure, count: list.count)
        for e in list {
            structBegin()
            body(&self, e)
            structEnd()
        }
    }

    public mutating func field(_ id: Int16, i32List list: [Int32]) {
        fieldHeader(id, .list)
        listHeader(.i32, count: list.count)
        for v in list { writeZigZag(Int64(v)) }
    }

    public mutating func field(_ id: Int16, stringList list: [String]) {
        fieldHeader(id, .list)
        listHeader(.binary, count: list.count)
        for s in list { writeBinary(Array(s.utf8)) }
    }

    /// Writes a whole top-level struct.
    public mutating func writeStruct(_ body: (inout ThriftCompactWriter) -> Void) {
        structBegin()
        body(&self)
        structEnd()
    }
}
