import SluiceCore

/// Folder names of a hive-partitioned dataset: `key=value/` segments, written and read the way
/// Hive, Spark and pyarrow (`partitioning="hive"`, URI segment encoding) do, so that every one of
/// them reads back the values Sluice wrote.
public enum HivePath {
    /// The segment value of a null (and, as in Hive, of an empty string).
    public static let nullValue = "__HIVE_DEFAULT_PARTITION__"

    /// Percent-encodes every byte outside RFC 3986's unreserved set (`A-Z a-z 0-9 - . _ ~`).
    ///
    /// Implementation note: this is exactly what Arrow's `UriEscape` leaves alone, so pyarrow's
    /// `UriUnescape` restores the value byte for byte; escaping more than Hive does (which leaves
    /// spaces and most punctuation) is harmless because every reader unescapes `%XX` in general.
    public static func escape(_ value: String) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(value.utf8.count)
        let hex = Array("0123456789ABCDEF".utf8)
        for b in value.utf8 {
            if isUnreserved(b) {
                out.append(b)
            } else {
                out += [UInt8(ascii: "%"), hex[Int(b >> 4)], hex[Int(b & 15)]]
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// Decodes `%XX` escapes; a `%` not followed by two hex digits stays as it is.
    public static func unescape(_ segment: Substring) -> String {
        let bytes = Array(segment.utf8)
        guard bytes.contains(UInt8(ascii: "%")) else { return String(segment) }
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count)
        var i = 0
        while i < bytes.count {
            if bytes[i] == UInt8(ascii: "%"), i + 2 < bytes.count,
                let h = hexValue(bytes[i + 1]), let l = hexValue(bytes[i + 2])
            {
                out.append(h << 4 | l)
                i += 3
            } else {
                out.append(bytes[i])
                i += 1
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// `key=value` of one folder name, or nil when it is not one.
    public static func parseSegment(_ name: String) -> (key: String, value: String?)? {
        guard let eq = name.firstIndex(of: "="), eq != name.startIndex else { return nil }
        let key = unescape(name[..<eq])
        let raw = name[name.index(after: eq)...]
        let value = raw == Substring(nullValue) ? nil : unescape(raw)
        return (key, value)
    }

    /// The text of row `row` of `column` as a folder value (unescaped), nil for null.
    ///
    /// Integers in decimal, booleans `true`/`false`, floats in their shortest round-trip form,
    /// dates `YYYY-MM-DD`, timestamps in ISO 8601, strings as they are.
    public static func text(of column: Column, at row: Int) -> String? {
        guard column.isValid(row) else { return nil }
        switch column.type {
        case .bool: return column.bool(at: row) ? "true" : "false"
        case .int32: return String(column.value(row, as: Int32.self))
        case .int64: return String(column.value(row, as: Int64.self))
        case .float32: return ShortestDecimal.string(Double(column.value(row, as: Float.self)))
        case .float64: return ShortestDecimal.string(column.value(row, as: Double.self))
        case .string, .dictionary: return String(decoding: column.stringBytes(at: row), as: UTF8.self)
        case .date: return CivilTime.formatDate(days: column.value(row, as: Int32.self))
        case .timestamp(let unit): return CivilTime.formatTimestamp(column.value(row, as: Int64.self), unit: unit)
        }
    }

    /// `key=value` for a value from `text(of:at:)`.
    public static func segment(key: String, value: String?) -> String {
        guard let v = value, !v.isEmpty else { return escape(key) + "=" + nullValue }
        return escape(key) + "=" + escape(v)
    }

    @inline(__always) static func isUnreserved(_ b: UInt8) -> Bool {
        (b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x5A) || (b >= 0x61 && b <= 0x7A)
            || b == UInt8(ascii: "-") || b == UInt8(ascii: ".") || b == UInt8(ascii: "_") || b == UInt8(ascii: "~")
    }

    @inline(__always) static func hexValue(_ b: UInt8) -> UInt8? {
        switch b {
        case 0x30...0x39: b - 0x30
        case 0x41...0x46: b - 0x41 + 10
        case 0x61...0x66: b - 0x61 + 10
        default: nil
        }
    }
}
