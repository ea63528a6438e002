/// The type nibble of a Thrift compact-protocol field header or list element.
public enum ThriftType: UInt8, Sendable {
    case stop = 0
    case boolTrue = 1
    case boolFalse = 2
    case byte = 3
    case i16 = 4
    case i32 = 5
    case i64 = 6
    case double = 7
    case binary = 8
    case list = 9
    case set = 10
    case map = 11
    case structure = 12
}

/// Reads the Thrift compact protocol from a borrowed byte buffer.
///
/// Implementation note: bounds are checked on every read, because the footer and page headers are
/// untrusted input; a truncated or garbage buffer throws instead of reading past the end. Nesting
/// depth is capped so that a hostile file cannot recurse the skipper off the stack.
public struct ThriftCompactReader {
    public let bytes: UnsafeRawBufferPointer
    public private(set) var position: Int
    private var lastFieldID: [Int16] = []
    private var currentFieldID: Int16 = 0
    /// The value of a bool field, carried in its header's type nibble.
    private var pendingBool: Bool?
    /// The wire type of the value about to be read (a field's or a list element's), so that a
    /// known field id carrying an unexpected type is reported instead of misread.
    private var valueType: ThriftType?
    private static let maxDepth = 64

    public init(_ bytes: UnsafeRawBufferPointer, position: Int = 0) {
        self.bytes = bytes
        self.position = position
    }

    @inline(__always) public mutating func readByte() throws(ParquetError) -> UInt8 {
        guard position < bytes.count else { throw corrupt("thrift: unexpected end of data at byte \(position)") }
        let b = bytes[position]
        position += 1
        return b
    }

    public mutating func readVarint() throws(ParquetError) -> UInt64 {
        var result: UInt64 = 0
        var shift: UInt64 = 0
        while true {
            let b = try readByte()
            if shift >= 64 { throw corrupt("thrift: varint longer than 10 bytes at byte \(position)") }
            result |= UInt64(b & 0x7f) << shift
            if b & 0x80 == 0 { return result }
            shift += 7
        }
    }

    public mutating func readZigZag() throws(ParquetError) -> Int64 {
        let v = try readVarint()
        return Int64(bitPattern: (v >> 1) ^ (0 &- (v & 1)))
    }

    private func expect(_ types: ThriftType...) throws(ParquetError) {
        if let t = valueType, !types.contains(t) {
            throw corrupt("thrift: field has type \(t), expected \(types[0]) at byte \(position)")
        }
    }

    public mutating func readI32() throws(ParquetError) -> Int32 {
        try expect(.i32, .i16, .byte)
        let v = try readZigZag()
        guard let x = Int32(exactly: v) else { throw corrupt("thrift: i32 value \(v) out of range") }
        return x
    }

    public mutating func readI16() throws(ParquetError) -> Int16 {
        try expect(.i16, .i32)
        let v = try readZigZag()
        guard let x = Int16(exactly: v) else { throw corrupt("thrift: i16 value \(v) out of range") }
        return x
    }

    public mutating func readI64() throws(ParquetError) -> Int64 {
        try expect(.i64, .i32, .i16)
        return try readZigZag()
    }

    public mutating func readDouble() throws(ParquetError) -> Double {
        guard position + 8 <= bytes.count else { throw corrupt("thrift: truncated double") }
        let bits = bytes.loadUnaligned(fromByteOffset: position, as: UInt64.self)
        position += 8
        return Double(bitPattern: UInt64(littleEndian: bits))
    }

    /// The bytes of a binary or string field, borrowed from the buffer.
    public mutating func readBinarySlice() throws(ParquetError) -> UnsafeRawBufferPointer {
        try expect(.binary)
        let n = try readVarint()
        guard n <= UInt64(bytes.count - position) else {
            throw corrupt("thrift: binary of \(n) bytes runs past the end (\(bytes.count - position) left)")
        }
        let start = position
        position += Int(n)
        return UnsafeRawBufferPointer(rebasing: bytes[start..<position])
    }

    public mutating func readBinary() throws(ParquetError) -> [UInt8] { Array(try readBinarySlice()) }

    public mutating func readString() throws(ParquetError) -> String {
        String(decoding: try readBinarySlice(), as: UTF8.self)
    }

    /// A bool: from the pending field header when read as a struct field, else from a byte (list element).
    public mutating func readBool() throws(ParquetError) -> Bool {
        if let b = pendingBool {
            pendingBool = nil
            return b
        }
        try expect(.boolTrue, .boolFalse)
        return try readByte() == 1
    }

    public mutating func structBegin() throws(ParquetError) {
        try expect(.structure)
        guard lastFieldID.count < Self.maxDepth else { throw corrupt("thrift: structs nested too deeply") }
        lastFieldID.append(currentFieldID)
        currentFieldID = 0
    }

    public mutating func structEnd() {
        valueType = nil
        currentFieldID = lastFieldID.popLast() ?? 0
    }

    /// The next field's id and type, or nil at the struct's stop byte.
    public mutating func readFieldHeader() throws(ParquetError) -> (id: Int16, type: ThriftType)? {
        let b = try readByte()
        if b == 0 { return nil }
        guard let t = ThriftType(rawValue: b & 0x0f) else { throw corrupt("thrift: unknown field type \(b & 0x0f)") }
        let delta = Int16(b >> 4)
        if delta != 0 {
            currentFieldID &+= delta
        } else {
            currentFieldID = try readI16()
        }
        valueType = t
        switch t {
        case .boolTrue: pendingBool = true
        case .boolFalse: pendingBool = false
        default: pendingBool = nil
        }
        return (currentFieldID, t)
    }

    /// A list or set header: element type and count.
    public mutating func readListHeader() throws(ParquetError) -> (type: ThriftType, count: Int) {
        let b = try readByte()
        guard let t = ThriftType(rawValue: b & 0x0f) else { throw corrupt("thrift: unknown list element type \(b & 0x0f)") }
        var n = Int(b >> 4)
        if n == 15 {
            let v = try readVarint()
            // Every element takes at least one byte, except bools which still take one in lists.
            guard v <= UInt64(bytes.count - position) else { throw corrupt("thrift: list of \(v) elements exceeds the data") }
            n = Int(v)
        }
        valueType = t
        return (t, n)
    }

    /// Skips a value of type `type`, so that fields added to the format after this reader was written are ignored.
    public mutating func skip(_ type: ThriftType) throws(ParquetError) {
        try skip(type, depth: 0)
    }

    private mutating func skip(_ type: ThriftType, depth: Int) throws(ParquetError) {
        guard depth < Self.maxDepth else { throw corrupt("thrift: values nested too deeply") }
        switch type {
        case .stop: return
        case .boolTrue, .boolFalse:
            // In a struct the value was in the header; as a list element it is a byte.
            if pendingBool != nil { pendingBool = nil } else { _ = try readByte() }
        case .byte: _ = try readByte()
        case .i16, .i32, .i64: _ = try readVarint()
        case .double: _ = try readDouble()
        case .binary: valueType = nil; _ = try readBinarySlice()
        case .list, .set:
            let (t, n) = try readListHeader()
            for _ in 0..<n { try skip(t, depth: depth + 1) }
        case .map:
            let n = try readVarint()
            guard n <= UInt64(bytes.count - position) else { throw corrupt("thrift: map of \(n) entries exceeds the data") }
            if n == 0 { return }
            let kv = try readByte()
            guard let kt = ThriftType(rawValue: kv >> 4), let vt = ThriftType(rawValue: kv & 0x0f) else {
                throw corrupt("thrift: unknown map types")
            }
            for _ in 0..<n {
                try skip(kt, depth: depth + 1)
                try skip(vt, depth: depth + 1)
            }
        case .structure:
            valueType = nil
            try structBegin()
            while let (_, t) = try readFieldHeader() { try skip(t, depth: depth + 1) }
            structEnd()
        }
    }

    /// Reads a struct field by field, handing each to `body`; `body` returns false for fields it
    /// does not know, which are then skipped.
    public mutating func readStruct(
        _ body: (inout ThriftCompactReader, Int16, ThriftType) throws(ParquetError) -> Bool
    ) throws(ParquetError) {
        try structBegin()
        while let (id, t) = try readFieldHeader() {
            if try !body(&self, id, t) { try skip(t) }
        }
        structEnd()
    }

    /// Reads a list whose elements are read by `element`.
    public mutating func readList<T>(
        _ element: (inout ThriftCompactReader) throws(ParquetError) -> T
    ) throws(ParquetError) -> [T] {
        let (_, n) = try readListHeader()
        var out: [T] = []
        out.reserveCapacity(n)
        for _ in 0..<n { out.append(try element(&self)) }
        return out
    }
}
