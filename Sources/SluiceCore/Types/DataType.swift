/// The unit of a timestamp: seconds, milliseconds, microseconds or nanoseconds since the Unix epoch, UTC.
public enum TimeUnit: String, Sendable, Hashable, CaseIterable {
    case s, ms, us, ns

    /// How many of this unit make one second.
    @inlinable public var perSecond: Int64 {
        switch self {
        case .s: 1
        case .ms: 1_000
        case .us: 1_000_000
        case .ns: 1_000_000_000
        }
    }
}

/// The logical type of a column. Spelled the same everywhere: in pipeline files, `--schema`, and reports.
public enum DataType: Sendable, Hashable, CustomStringConvertible {
    case bool
    case int32
    case int64
    case float32
    case float64
    /// UTF-8 strings: Int32 offsets plus bytes (Arrow's `utf8`).
    case string
    /// Low-cardinality strings: Int32 indices into a string dictionary (Arrow's `dictionary<int32, utf8>`).
    case dictionary
    /// Days since 1970-01-01 as Int32 (Arrow's `date32`).
    case date
    /// Int64 count of `TimeUnit` since the epoch, UTC.
    case timestamp(TimeUnit)

    public var description: String {
        switch self {
        case .bool: "bool"
        case .int32: "int32"
        case .int64: "int64"
        case .float32: "float32"
        case .float64: "float64"
        case .string: "string"
        case .dictionary: "dictionary"
        case .date: "date"
        case .timestamp(let unit): unit == .us ? "timestamp" : "timestamp(\(unit.rawValue))"
        }
    }

    /// Bytes per value in the values buffer; `nil` for bit-packed booleans.
    @inlinable public var byteWidth: Int? {
        switch self {
        case .bool: nil
        case .int32, .float32, .date, .dictionary: 4
        case .int64, .float64, .timestamp: 8
        case .string: 4  // offsets
        }
    }

    public var isNumeric: Bool {
        switch self {
        case .int32, .int64, .float32, .float64: true
        default: false
        }
    }

    public var isInteger: Bool { self == .int32 || self == .int64 }
    public var isFloatingPoint: Bool { self == .float32 || self == .float64 }
    public var isStringLike: Bool { self == .string || self == .dictionary }

    /// Every spelling `init(parsing:)` accepts, for error messages.
    public static let spellings = [
        "bool", "int32", "int64", "float32", "float64", "string", "dictionary", "date",
        "timestamp", "timestamp(s)", "timestamp(ms)", "timestamp(us)", "timestamp(ns)",
    ]

    /// Parses a type name as written in a pipeline file or `--schema`. Accepts common aliases
    /// (`int`, `bigint`, `double`, `text`, `boolean`, `dict`) so that a schema copied from SQL works.
    public init?(parsing text: String) {
        let t = text.trimmingSpaces().lowercased()
        switch t {
        case "bool", "boolean": self = .bool
        case "int32", "int", "integer", "int4": self = .int32
        case "int64", "bigint", "long", "int8": self = .int64
        case "float32", "float", "real", "float4": self = .float32
        case "float64", "double", "float8": self = .float64
        case "string", "text", "utf8", "varchar", "str": self = .string
        case "dictionary", "dict", "category", "string(dict)", "string(dictionary)": self = .dictionary
        case "date", "date32": self = .date
        case "timestamp", "datetime": self = .timestamp(.us)
        default:
            guard t.hasPrefix("timestamp("), t.hasSuffix(")") else { return nil }
            let inner = t.dropFirst("timestamp(".count).dropLast()
            guard let unit = TimeUnit(rawValue: String(inner).trimmingSpaces()) else { return nil }
            self = .timestamp(unit)
        }
    }
}

extension String {
    /// Trims ASCII spaces and tabs; avoids pulling Foundation into the core.
    public func trimmingSpaces() -> String {
        var s = Substring(self)
        while let f = s.first, f == " " || f == "\t" || f == "\n" || f == "\r" { s = s.dropFirst() }
        while let l = s.last, l == " " || l == "\t" || l == "\n" || l == "\r" { s = s.dropLast() }
        return String(s)
    }
}
