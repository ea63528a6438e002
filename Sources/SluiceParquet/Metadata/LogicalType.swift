/// `LogicalType`: the annotation that gives a physical type its meaning (a Thrift union).
public enum LogicalType: Hashable, Sendable {
    public enum Unit: Hashable, Sendable { case millis, micros, nanos }

    case string
    case map
    case list
    case enumType
    case decimal(scale: Int32, precision: Int32)
    case date
    case time(isAdjustedToUTC: Bool, unit: Unit)
    case timestamp(isAdjustedToUTC: Bool, unit: Unit)
    case integer(bitWidth: Int8, isSigned: Bool)
    case unknown
    case json
    case bson
    case uuid
    case float16
    /// A union member this reader does not know (for example VARIANT or GEOMETRY), by field id.
    case other(Int16)

    init(thrift r: inout ThriftCompactReader) throws(ParquetError) {
        var result: LogicalType = .other(0)
        try r.readStruct { (r: inout ThriftCompactReader, id, t) throws(ParquetError) -> Bool in
            guard t == .structure else { return false }
            switch id {
            case 1: result = .string
            case 2: result = .map
            case 3: result = .list
            case 4: result = .enumType
            case 5:
                var scale: Int32 = 0, precision: Int32 = 0
                try r.readStruct { (r: inout ThriftCompactReader, id, _) throws(ParquetError) -> Bool in
                    switch id {
                    case 1: scale = try r.readI32()
                    case 2: precision = try r.readI32()
                    default: return false
                    }
                    return true
                }
                result = .decimal(scale: scale, precision: precision)
                return true
            case 6: result = .date
            case 7, 8:
                var utc = false, unit = Unit.millis
                try r.readStruct { (r: inout ThriftCompactReader, fid, _) throws(ParquetError) -> Bool in
                    switch fid {
                    case 1: utc = try r.readBool()
                    case 2: unit = try Self.readUnit(&r)
                    default: return false
                    }
                    return true
                }
                result = id == 7 ? .time(isAdjustedToUTC: utc, unit: unit) : .timestamp(isAdjustedToUTC: utc, unit: unit)
                return true
            case 10:
                var width: Int8 = 0, signed = true
                try r.readStruct { (r: inout ThriftCompactReader, fid, _) throws(ParquetError) -> Bool in
                    switch fid {
                    case 1: width = Int8(bitPattern: try r.readByte())
                    case 2: signed = try r.readBool()
                    default: return false
                    }
                    return true
                }
                result = .integer(bitWidth: width, isSigned: signed)
                return true
            case 11: result = .unknown
            case 12: result = .json
            case 13: result = .bson
            case 14: result = .uuid
            case 15: result = .float16
            default: result = .other(id)
            }
            // Members without payload are empty structs.
            try r.skip(.structure)
            return true
        }
        self = result
    }

    private static func readUnit(_ r: inout ThriftCompactReader) throws(ParquetError) -> Unit {
        var unit = Unit.millis
        try r.readStruct { (r: inout ThriftCompactReader, id, t) throws(ParquetError) -> Bool in
            switch id {
            case 1: unit = .millis
            case 2: unit = .micros
            case 3: unit = .nanos
            default: return false
            }
            try r.skip(t)
            return true
        }
        return unit
    }

    func write(to w: inout ThriftCompactWriter) {
        func empty(_ id: Int16, _ w: inout ThriftCompactWriter) { w.field(id) { _ in } }
        func unit(_ u: Unit, _ w: inout ThriftCompactWriter) {
            w.field(2) { w in
                switch u {
                case .millis: w.field(1) { _ in }
                case .micros: w.field(2) { _ in }
                case .nanos: w.field(3) { _ in }
                }
            }
        }
        switch self {
        case .string: empty(1, &w)
        case .map: empty(2, &w)
        case .list: empty(3, &w)
        case .enumType: empty(4, &w)
        case let .decimal(scale, precision):
            w.field(5) { w in
                w.field(1, i32: scale)
                w.field(2, i32: precision)
            }
        case .date: empty(6, &w)
        case let .time(utc, u):
            w.field(7) { w in
                w.field(1, bool: utc)
                unit(u, &w)
            }
        case let .timestamp(utc, u):
            w.field(8) { w in
                w.field(1, bool: utc)
                unit(u, &w)
            }
        case let .integer(bits, signed):
            w.field(10) { w in
                w.fieldHeader(1, .byte)
                w.writeByte(UInt8(bitPattern: bits))
                w.field(2, bool: signed)
            }
        case .unknown: empty(11, &w)
        case .json: empty(12, &w)
        case .bson: empty(13, &w)
        case .uuid: empty(14, &w)
        case .float16: empty(15, &w)
        case .other(let id): empty(id, &w)
        }
    }
}
