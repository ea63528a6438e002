import NIOCore
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

    /// Microseconds and days between the Unix epoch and PostgreSQL's (2000-01-01).
    static let epochShiftMicros: Int64 = 946_684_800_000_000
    static let epochShiftDays: Int32 = 10_957

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

    /// Appends every row of `batch`, a row at a time: the reference `CopyBinaryKernel` is
    /// tested against.
    public func encode(_ batch: RecordBatch, into out: inout ByteBuffer) {
        let n = batch.count
        guard n > 0 else { return }
        var estimate = n * (2 + 12 * batch.columns.count)
        for c in batch.columns where c.type == .string { estimate += Int(c.data?.length ?? 0) }
        out.reserveCapacity(out.writerIndex + estimate)
        let fields = Int16(truncatingIfNeeded: batch.columns.count)
        withExtendedLifetime(batch) {
            let cols = batch.columns
            for row in 0..<n {
                out.writeInteger(fields, endianness: .big)
                for c in cols {
                    guard c.isValid(row) else {
                        out.writeInteger(Int32(-1), endianness: .big)
                        continue
                    }
                    switch c.type {
                    case .bool:
                        out.writeInteger(Int32(1), endianness: .big)
                        out.writeInteger(UInt8(c.bool(at: row) ? 1 : 0))
                    case .int32:
                        out.writeInteger(Int32(4), endianness: .big)
                        out.writeInteger(c.value(row, as: Int32.self), endianness: .big)
                    case .int64:
                        out.writeInteger(Int32(8), endianness: .big)
                        out.writeInteger(c.value(row, as: Int64.self), endianness: .big)
                    case .float32:
                        out.writeInteger(Int32(4), endianness: .big)
                        out.writeInteger(c.value(row, as: Float.self).bitPattern, endianness: .big)
                    case .float64:
                        out.writeInteger(Int32(8), endianness: .big)
                        out.writeInteger(c.value(row, as: Double.self).bitPattern, endianness: .big)
                    case .string, .dictionary:
                        let bytes = c.stringBytes(at: row)
                        out.writeInteger(Int32(truncatingIfNeeded: bytes.count), endianness: .big)
                        out.writeBytes(bytes)
                    case .date:
                        out.writeInteger(Int32(4), endianness: .big)
                        out.writeInteger(c.value(row, as: Int32.self) &- Self.epochShiftDays, endianness: .big)
                    case .timestamp(let unit):
                        let v = c.value(row, as: Int64.self)
                        let micros: Int64
                        switch unit {
                        case .s: micros = v &* 1_000_000
                        case .ms: micros = v &* 1_000
                        case .us: micros = v
                        case .ns: micros = v / 1_000
                        }
                        out.writeInteger(Int32(8), endianness: .big)
                        out.writeInteger(micros &- Self.epochShiftMicros, endianness: .big)
                    }
                }
            }
        }
    }
}
