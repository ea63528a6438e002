import SluiceCore

/// Turns record batches into rows of PostgreSQL's binary COPY format: per row a 16-bit field
/// count, per field a 32-bit length (-1 for null) and the value in the type's binary form,
/// big-endian. The server skips text parsing entirely (measured here: 20M telecom rows in 15.6 s
/// from a binary file against 32-35 s from CSV or text).
///
/// Binary values must match the column's type exactly, so this encoder is used only when every
/// output column lands in a column of its natural type (`supports`); otherwise the text format is.
public struct CopyBinaryEncoder: Sendable {
    public let schema: Schema

    public init(schema: Schema) {
        self.schema = schema
    }

    /// The stream header: signature, flags, header-extension length.
    public static let header: [UInt8] = Array("PGCOPY\n".utf8) + [0xFF, 0x0D, 0x0A, 0x00, 0, 0, 0, 0, 0, 0, 0, 0]
    /// The stream trailer: a field count of -1.
    public static let trailer: [UInt8] = [0xFF, 0xFF]

    /// Whether every field can be sent in binary into a column of the given catalog type.
    public static func supports(_ schema: Schema, columnTypes: [String: String]) -> Bool {
        schema.fields.allSatisfy { f in
            guard let t = columnTypes[f.name] else { return false }
            switch f.type {
            case .bool: return t == "boolean"
            case .int32: return t == "integer"
            case .int64: return t == "bigint"
            case .float32: return t == "real"
            case .float64: return t == "double precision"
            case .string, .dictionary: return t == "text"
            case .date: return t == "date"
            case .timestamp(let u):
                // Nanoseconds would need rounding that the text path leaves to the server.
                return u != .ns && (t == "timestamp with time zone" || t == "timestamp without time zone")
            }
        }
    }

    /// The rows of `batch` as plain bytes, for handing across modules that do not use NIO
    /// (written a column at a time by `CopyBinaryKernel`).
    public func encodeBytes(_ batch: RecordBatch) -> [UInt8] {
        CopyBinaryKernel.encode(batch)
    }
}
