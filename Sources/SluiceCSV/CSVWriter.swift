#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import SluiceCore

/// Writes record batches as CSV or TSV to a file descriptor (which it does not close).
///
/// A field is quoted only when it must be: when it contains the delimiter, a quote, CR or LF, or
/// starts or ends with a space; quotes inside are doubled. One addition so that reading the output
/// back gives the same values: an empty string is written as `""`, because an empty field reads
/// back as null. Nulls are empty fields. Floats are the shortest text that round-trips (Swift's
/// `description`), integral ones without `.0`; dates are `YYYY-MM-DD`; timestamps ISO-8601 with `Z`.
/// Output is buffered: call `flush()` when done.
public final class CSVWriter {
    private let fd: Int32
    private let schema: Schema
    private let delimiter: UInt8
    // One writer belongs to one task (it is not Sendable), so the output buffer's state skips the
    // dynamic exclusivity checks that would otherwise run per byte written.
    @exclusivity(unchecked) private var headerPending: Bool
    @exclusivity(unchecked) private var out: UnsafeMutablePointer<UInt8>
    @exclusivity(unchecked) private var capacity = 1 << 20
    @exclusivity(unchecked) private var length = 0

    private static let quote = UInt8(ascii: "\"")
    private static let lf = UInt8(ascii: "\n")

    /// A writer of `schema`'s columns to `fileDescriptor`; with `header`, the column names come first.
    public init(fileDescriptor: Int32, schema: Schema, delimiter: UInt8 = UInt8(ascii: ","), header: Bool = true) {
        self.fd = fileDescriptor
        self.schema = schema
        self.delimiter = delimiter
        self.headerPending = header
        out = .allocate(capacity: capacity)
    }

    /// A writer that formats into memory only, through `encode(_:)` (no header, no descriptor):
    /// the form workers use to format batches in parallel before one task appends the bytes.
    public convenience init(encoding schema: Schema, delimiter: UInt8 = UInt8(ascii: ",")) {
        self.init(fileDescriptor: -1, schema: schema, delimiter: delimiter, header: false)
    }

    deinit { out.deallocate() }

    /// The batch's rows formatted as CSV (no header), as bytes.
    public func encode(_ batch: RecordBatch) throws(SluiceError) -> [UInt8] {
        try formatRows(batch, drainEvery: false)
        let bytes = [UInt8](UnsafeBufferPointer(start: out, count: length))
        length = 0
        return bytes
    }

    /// The header line (column names) as bytes.
    public func headerBytes() -> [UInt8] {
        let saved = length
        headerPending = true
        try? writeHeaderIfPending()
        let bytes = [UInt8](UnsafeBufferPointer(start: out + saved, count: length - saved))
        length = saved
        return bytes
    }

    /// Appends the batch's rows (and the header before the first batch). The batch must have the
    /// writer's column types in the writer's order.
    public func write(_ batch: RecordBatch) throws(SluiceError) {
        try writeHeaderIfPending()
        try formatRows(batch, drainEvery: true)
    }

    private func formatRows(_ batch: RecordBatch, drainEvery: Bool) throws(SluiceError) {
        guard batch.schema.count == schema.count,
            zip(batch.schema.fields, schema.fields).allSatisfy({ $0.type == $1.type })
        else {
            throw .invalidArgument("CSV writer for (\(schema)) was given a batch of (\(batch.schema))")
        }
        let columns = batch.columns
        let single = columns.count == 1
        for row in 0..<batch.count {
            for (j, column) in columns.enumerated() {
                if j > 0 { put(delimiter) }
                appendValue(column, row, onlyColumn: single)
            }
            put(Self.lf)
            if drainEvery && length >= capacity / 2 { try drain() }
        }
    }

    /// Writes out everything buffered (and the header, when no batch came).
    public func flush() throws(SluiceError) {
        try writeHeaderIfPending()
        try drain()
    }

    private func writeHeaderIfPending() throws(SluiceError) {
        guard headerPending else { return }
        headerPending = false
        for (j, field) in schema.fields.enumerated() {
            if j > 0 { put(delimiter) }
            var name = field.name
            name.withUTF8 { appendText(UnsafeRawBufferPointer($0)) }
        }
        put(Self.lf)
    }

    private func appendValue(_ column: Column, _ row: Int, onlyColumn: Bool) {
        guard column.isValid(row) else {
            // In a one-column file an empty field is an empty line, which readers skip; `""` reads
            // back as null for every non-string type.
            if onlyColumn && !column.type.isStringLike { appendBytes("\"\"") }
            return
        }
        switch column.type {
        case .bool: appendBytes(column.bool(at: row) ? "true" : "false")
        case .int32: appendInteger(Int64(column.value(row, as: Int32.self)))
        case .int64: appendInteger(column.value(row, as: Int64.self))
        case .float32: appendString(CSVWriter.format(column.value(row, as: Float.self)))
        case .float64: appendString(CSVWriter.format(column.value(row, as: Double.self)))
        case .string, .dictionary: appendText(column.stringBytes(at: row))
        case .date: appendDate(Int(column.value(row, as: Int32.self)))
        case .timestamp(let unit): appendTimestamp(column.value(row, as: Int64.self), unit: unit)
        }
    }

    // MARK: Formatting

    /// Shortest round-trip text. An integral value below 10^17 is written as an integer: it is
    /// exactly an Int64, and the exact decimal of a Double always reads back as that Double.
    static func format(_ v: Double) -> String {
        if v.isNaN { return "nan" }
        if v.isInfinite { return v < 0 ? "-inf" : "inf" }
        if v == v.rounded(.towardZero), abs(v) < 1e17 {
            return v == 0 && v.sign == .minus ? "-0" : String(Int64(v))
        }
        return v.description
    }

    static func format(_ v: Float) -> String {
        if v.isNaN { return "nan" }
        if v.isInfinite { return v < 0 ? "-inf" : "inf" }
        if v == v.rounded(.towardZero), abs(v) < 1e17 {
            return v == 0 && v.sign == .minus ? "-0" : String(Int64(v))
        }
        return v.description
    }

    // MARK: Output buffer

    @inline(__always) private func reserve(_ n: Int) {
        guard length + n > capacity else { return }
        var cap = capacity * 2
        while cap < length + n { cap *= 2 }
        let bigger = UnsafeMutablePointer<UInt8>.allocate(capacity: cap)
        bigger.update(from: out, count: length)
        out.deallocate()
        out = bigger
        capacity = cap
    }

    @inline(__always) private func put(_ b: UInt8) {
        reserve(1)
        out[length] = b
        length += 1
    }

    private func appendBytes(_ s: StaticString) {
        reserve(s.utf8CodeUnitCount)
        (out + length).update(from: s.utf8Start, count: s.utf8CodeUnitCount)
        length += s.utf8CodeUnitCount
    }

    private func appendString(_ s: String) {
        var s = s
        s.withUTF8 { u in
            reserve(u.count)
            if let src = u.baseAddress { (out + length).update(from: src, count: u.count) }
            length += u.count
        }
    }

    private func appendInteger(_ v: Int64) {
        reserve(20)
        var digits: (UInt64, UInt64, UInt64) = (0, 0, 0)  // 24 bytes of scratch, no allocation
        var magnitude = v.magnitude
        if v < 0 { put(UInt8(ascii: "-")) }
        withUnsafeMutableBytes(of: &digits) { tmp in
            var k = 0
            repeat {
                tmp[k] = UInt8(48 + magnitude % 10)
                magnitude /= 10
                k += 1
            } while magnitude > 0
            while k > 0 {
                k -= 1
                out[length] = tmp[k]
                length += 1
            }
        }
    }

    /// Dates and timestamps through the shared ISO-8601 formatter (`CivilTime.writeTimestamp`).
    private func appendDate(_ days: Int) {
        reserve(CivilTime.maxFormattedLength)
        length += CivilTime.writeDate(days: days, to: out + length)
    }

    private func appendTimestamp(_ v: Int64, unit: TimeUnit) {
        reserve(CivilTime.maxFormattedLength)
        length += CivilTime.writeTimestamp(v, unit: unit, to: out + length)
    }

    /// `value` (non-negative) in exactly `width` digits, zero-padded.
    private func appendDigits(_ value: Int, width: Int) {
        reserve(width)
        var v = value
        var k = width
        while k > 0 {
            k -= 1
            out[length + k] = UInt8(48 + v % 10)
            v /= 10
        }
        length += width
    }

    /// A text field, quoted only when it has to be.
    private func appendText(_ bytes: UnsafeRawBufferPointer) {
        let n = bytes.count
        var needsQuotes = n == 0 || bytes[0] == 0x20 || bytes[n - 1] == 0x20
        if !needsQuotes {
            for b in bytes where b == delimiter || b == Self.quote || b == Self.lf || b == UInt8(ascii: "\r") {
                needsQuotes = true
                break
            }
        }
        if !needsQuotes {
            reserve(n)
            if let src = bytes.baseAddress { (out + length).update(from: src.assumingMemoryBound(to: UInt8.self), count: n) }
            length += n
            return
        }
        reserve(2 * n + 2)
        out[length] = Self.quote
        length += 1
        for b in bytes {
            if b == Self.quote {
                out[length] = Self.quote
                length += 1
            }
            out[length] = b
            length += 1
        }
        out[length] = Self.quote
        length += 1
    }

    private func drain() throws(SluiceError) {
        var done = 0
        while done < length {
            let n = systemWrite(fd, out + done, length - done)
            if n > 0 {
                done += n
            } else if n < 0 && errno != EINTR {
                length = 0
                throw .io(path: "file descriptor \(fd)", message: "write failed: \(errnoText())")
            }
        }
        length = 0
    }
}

/// `write(2)`; a free function because `CSVWriter.write(_:)` hides the C name inside the class.
@inline(__always) private func systemWrite(_ fd: Int32, _ p: UnsafeRawPointer, _ n: Int) -> Int {
    #if canImport(Glibc)
    Glibc.write(fd, p, n)
    #else
    Darwin.write(fd, p, n)
    #endif
}
