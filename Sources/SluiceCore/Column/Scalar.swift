/// A single value, boxed. Used at the edges (printing, statistics, literals, tests), never per
/// value inside a kernel.
public enum Scalar: Sendable, Hashable, CustomStringConvertible {
    case null
    case bool(Bool)
    case int(Int64)
    case double(Double)
    case string(String)
    case date(Int32)
    case timestamp(Int64, TimeUnit)

    public var isNull: Bool { if case .null = self { return true } else { return false } }

    public var description: String {
        switch self {
        case .null: "null"
        case .bool(let b): b ? "true" : "false"
        case .int(let v): String(v)
        case .double(let v): formatDouble(v)
        case .string(let s): s
        case .date(let d): CivilTime.formatDate(days: d)
        case .timestamp(let v, let u): CivilTime.formatTimestamp(v, unit: u)
        }
    }

    /// The numeric value as a Double, for statistics and comparisons in tests.
    public var doubleValue: Double? {
        switch self {
        case .int(let v): Double(v)
        case .double(let v): v
        case .date(let d): Double(d)
        case .timestamp(let v, _): Double(v)
        case .bool(let b): b ? 1 : 0
        default: nil
        }
    }
}

/// Shortest round-trip text of a Double (what Swift's `description` gives), with integral
/// values printed without a trailing `.0` when they are exactly representable, as CSV writers do.
public func formatDouble(_ v: Double) -> String {
    if v.isNaN { return "NaN" }
    if v.isInfinite { return v < 0 ? "-inf" : "inf" }
    if v == v.rounded(), abs(v) < 1e15 {
        return String(Int64(v))
    }
    return "\(v)"
}

extension Column {
    /// The value at `i`, boxed.
    public func scalar(at i: Int) -> Scalar {
        guard isValid(i) else { return .null }
        switch type {
        case .bool: return .bool(bool(at: i))
        case .int32: return .int(Int64(value(i, as: Int32.self)))
        case .int64: return .int(value(i, as: Int64.self))
        case .float32: return .double(Double(value(i, as: Float.self)))
        case .float64: return .double(value(i, as: Double.self))
        case .string, .dictionary: return .string(String(decoding: stringBytes(at: i), as: UTF8.self))
        case .date: return .date(value(i, as: Int32.self))
        case .timestamp(let u): return .timestamp(value(i, as: Int64.self), u)
        }
    }

    /// Builds a column of `type` from boxed values; a value of the wrong kind becomes null.
    public static func make(_ type: DataType, _ scalars: [Scalar]) -> Column {
        let b = ColumnBuilder(type, capacity: scalars.count)
        for s in scalars { b.append(s) }
        return b.finish()
    }
}
