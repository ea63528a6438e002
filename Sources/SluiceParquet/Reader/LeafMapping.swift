import SluiceCore

/// How the physical values of a leaf become the values of a SluiceCore column.
///
/// The mapping (documented for users in the reader's doc comment):
/// - BOOLEAN → bool; FLOAT → float32; DOUBLE → float64.
/// - INT32 → int32 (INT(8|16|32, signed), UINT_8/UINT_16 too); INT32 UINT_32 → int64 (widened);
///   INT32 DATE → date; INT32 TIME(MILLIS) → int32 (milliseconds of the day).
/// - INT64 → int64 (also TIME(MICROS|NANOS) as a count of the day); INT64 UINT_64 → int64, and a value
///   above Int64.max is an error (no unsigned 64-bit type in the core).
/// - INT64 TIMESTAMP(MILLIS|MICROS|NANOS) (and legacy TIMESTAMP_MILLIS/MICROS) → timestamp(ms|us|ns).
/// - INT96 → timestamp(ns) by default (Impala/Spark legacy timestamps), overflow is an error.
/// - DECIMAL(p, s) on INT32, INT64, FIXED_LEN_BYTE_ARRAY or BYTE_ARRAY → float64 when p ≤ 15
///   (the nearest double, which round-trips the decimal text); → string holding the exact decimal
///   text (e.g. "-12345678901234567.89") when p > 15. The core has no decimal type yet.
/// - FLOAT16 (FIXED_LEN_BYTE_ARRAY(2)) → float32 (exact).
/// - BYTE_ARRAY (STRING, ENUM, JSON, BSON or unannotated binary) and other FIXED_LEN_BYTE_ARRAY →
///   string holding the raw bytes; BYTE_ARRAY becomes `.dictionary` instead when every row group
///   stores the chunk dictionary-encoded (the usual case for low-cardinality strings).
enum LeafConversion: Hashable, Sendable {
    case identity
    case uint32ToInt64
    case uint64ToInt64
    case int96(TimeUnit)
    case decimalToDouble(scale: Int)
    case decimalToString(scale: Int)
    case float16
    case bytes
}

/// A leaf's physical type, its output type and the conversion between them.
struct LeafPlan: Sendable, Hashable {
    let physical: PhysicalType
    /// Bytes per physical value for fixed-width types; 0 for BYTE_ARRAY, 0 for BOOLEAN.
    let width: Int
    let output: DataType
    let conversion: LeafConversion

    /// Decides the plan for a leaf; `dictionaryStrings` says whether byte arrays become `.dictionary`.
    static func make(_ leaf: ParquetLeaf, dictionaryStrings: Bool, int96Unit: TimeUnit) throws(ParquetError) -> LeafPlan {
        let e = leaf.element
        let phys = leaf.physicalType
        let logical = e.logicalType
        let conv = e.convertedType
        let stringType: DataType = dictionaryStrings ? .dictionary : .string
        func decimalPlan(width: Int) -> LeafPlan {
            var scale = Int(e.scale ?? 0), precision = Int(e.precision ?? 38)
            if case let .decimal(s, p) = logical { scale = Int(s); precision = Int(p) }
            if precision <= 15 { return LeafPlan(physical: phys, width: width, output: .float64, conversion: .decimalToDouble(scale: scale)) }
            return LeafPlan(physical: phys, width: width, output: .string, conversion: .decimalToString(scale: scale))
        }
        var isDecimal = conv == .decimal
        if case .decimal = logical { isDecimal = true }
        switch phys {
        case .boolean:
            return LeafPlan(physical: phys, width: 0, output: .bool, conversion: .identity)
        case .int32:
            if isDecimal { return decimalPlan(width: 4) }
            if logical == .date || conv == .date { return LeafPlan(physical: phys, width: 4, output: .date, conversion: .identity) }
            if case let .integer(bits, signed) = logical, !signed, bits == 32 {
                return LeafPlan(physical: phys, width: 4, output: .int64, conversion: .uint32ToInt64)
            }
            if conv == .uint32 { return LeafPlan(physical: phys, width: 4, output: .int64, conversion: .uint32ToInt64) }
            return LeafPlan(physical: phys, width: 4, output: .int32, conversion: .identity)
        case .int64:
            if isDecimal { return decimalPlan(width: 8) }
            if case let .timestamp(_, unit) = logical {
                let u: TimeUnit = unit == .millis ? .ms : unit == .micros ? .us : .ns
                return LeafPlan(physical: phys, width: 8, output: .timestamp(u), conversion: .identity)
            }
            if conv == .timestampMillis { return LeafPlan(physical: phys, width: 8, output: .timestamp(.ms), conversion: .identity) }
            if conv == .timestampMicros { return LeafPlan(physical: phys, width: 8, output: .timestamp(.us), conversion: .identity) }
            if case let .integer(_, signed) = logical, !signed {
                return LeafPlan(physical: phys, width: 8, output: .int64, conversion: .uint64ToInt64)
            }
            if conv == .uint64 { return LeafPlan(physical: phys, width: 8, output: .int64, conversion: .uint64ToInt64) }
            return LeafPlan(physical: phys, width: 8, output: .int64, conversion: .identity)
        case .int96:
            return LeafPlan(physical: phys, width: 12, output: .timestamp(int96Unit), conversion: .int96(int96Unit))
        case .float:
            return LeafPlan(physical: phys, width: 4, output: .float32, conversion: .identity)
        case .double:
            return LeafPlan(physical: phys, width: 8, output: .float64, conversion: .identity)
        case .byteArray:
            if isDecimal { return decimalPlan(width: 0) }
            return LeafPlan(physical: phys, width: 0, output: stringType, conversion: .bytes)
        case .fixedLenByteArray:
            let w = Int(e.typeLength ?? 0)
            guard w > 0, w <= 1 << 20 else { throw corrupt("FIXED_LEN_BYTE_ARRAY has invalid length \(w)") }
            if isDecimal {
                guard w <= 16 else { throw corrupt("DECIMAL stored in \(w) bytes exceeds 16 bytes") }
                return decimalPlan(width: w)
            }
            if logical == .float16 {
                guard w == 2 else { throw corrupt("FLOAT16 must be stored in 2 bytes, not \(w)") }
                return LeafPlan(physical: phys, width: 2, output: .float32, conversion: .float16)
            }
            return LeafPlan(physical: phys, width: w, output: .string, conversion: .bytes)
        default:
            throw corrupt("unknown physical type \(phys)")
        }
    }
}
