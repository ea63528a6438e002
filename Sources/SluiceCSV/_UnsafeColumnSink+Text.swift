import SluiceCore

/// Why a field's text could not become a value of its column.
enum CSVFieldFailure {
    case type
    case utf8
}

/// What the general path makes of a field of a non-string column.
enum CSVScalarText {
    case null
    /// The value's bits: an Int64 or Int32 (sign-extended) bit pattern, a Double or Float bit
    /// pattern, 0 or 1 for a bool.
    case value(UInt64)
    case invalid
}

extension _UnsafeColumnSink {
    /// Parses one field's text (quotes already removed) into this column: the general path
    /// every type and every spelling can take. On failure nothing is appended.
    ///
    /// Unquoted fields equal to a null spelling are null; for non-string types so are empty
    /// and blank fields and null spellings padded with spaces. Numbers and dates tolerate spaces
    /// and tabs around them.
    @inline(__always)
    mutating func appendText(
        _ text: UnsafePointer<UInt8>, _ length: Int, _ kind: CSVFieldKind, nulls: CSVNullMatcher
    ) -> CSVFieldFailure? {
        switch self.kind {
        case .string:
            if kind == .plain && nulls.matches(text, length) {
                appendNull()
                return nil
            }
            guard CSVValueParser.isValidUTF8(text, length) else { return .utf8 }
            appendBytes(text, length)
            return nil
        case .dictionary:
            if kind == .plain && nulls.matches(text, length) {
                appendNull()
                return nil
            }
            guard CSVValueParser.isValidUTF8(text, length) else { return .utf8 }
            appendDictionary(text, length)
            return nil
        default:
            break
        }
        switch Self.scalar(self.kind, unit: unit, text, length, kind, nulls: nulls) {
        case .null:
            appendNull()
        case .invalid:
            return .type
        case .value(let bits):
            switch self.kind {
            case .int32, .date: append(Int32(truncatingIfNeeded: bits))
            case .int64, .timestamp: append(Int64(bitPattern: bits))
            case .float64: append(Double(bitPattern: bits))
            case .float32: append(Float(bitPattern: UInt32(truncatingIfNeeded: bits)))
            case .bool: appendBool(bits != 0)
            case .string, .dictionary: break
            }
        }
        return nil
    }

    /// The general reading of a field of a non-string column of `kind`.
    static func scalar(
        _ kind: Kind, unit: TimeUnit, _ text: UnsafePointer<UInt8>, _ length: Int, _ fieldKind: CSVFieldKind,
        nulls: CSVNullMatcher
    ) -> CSVScalarText {
        if fieldKind == .plain && nulls.matches(text, length) { return .null }
        var p = text
        var n = length
        CSVValueParser.trim(&p, &n)
        // Empty, quoted empty, blank, or a null spelling padded with spaces: null for every
        // non-string type.
        if n == 0 || (fieldKind == .plain && n != length && nulls.matches(p, n)) { return .null }
        switch kind {
        case .int32:
            guard let v = CSVValueParser.int32(p, n) else { return .invalid }
            return .value(UInt64(bitPattern: Int64(v)))
        case .int64:
            guard let v = CSVValueParser.int64(p, n) else { return .invalid }
            return .value(UInt64(bitPattern: v))
        case .float64:
            guard let v = CSVValueParser.float64(p, n) else { return .invalid }
            return .value(v.bitPattern)
        case .float32:
            guard let v = CSVValueParser.float32(p, n) else { return .invalid }
            return .value(UInt64(v.bitPattern))
        case .bool:
            guard let v = CSVValueParser.bool(p, n) else { return .invalid }
            return .value(v ? 1 : 0)
        case .date:
            guard let v = CSVValueParser.date(p, n) else { return .invalid }
            return .value(UInt64(bitPattern: Int64(v)))
        case .timestamp:
            guard let v = CSVValueParser.timestamp(p, n, unit: unit) else { return .invalid }
            return .value(UInt64(bitPattern: v))
        case .string, .dictionary:
            return .invalid
        }
    }
}
