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
/// back as null. Nulls are empty fields. Floats are the shortest text that round-trips
/// (`ShortestDecimal`), integral ones without `.0`; dates are `YYYY-MM-DD`; timestamps ISO-8601 with `Z`.
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

    private static let lf = UInt8(ascii: "\n")
    /// Rows formatted per column before they are interleaved: small enough that every column's
    /// text stays in cache.
    private static let runRows = 2048
    /// One per column, reused from batch to batch.
    private let texts: [CSVFieldTexts]

    /// A writer of `schema`'s columns to `fileDescriptor`; with `header`, the column names come first.
    public init(fileDescriptor: Int32, schema: Schema, delimiter: UInt8 = UInt8(ascii: ","), header: Bool = true) {
        self.fd = fileDescriptor
        self.schema = schema
        self.delimiter = delimiter
        self.headerPending = header
        self.texts = schema.fields.map { _ in CSVFieldTexts() }
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
        let k = columns.count
        guard k > 0 else { return }
        var start = 0
        while start < batch.count {
            let m = Swift.min(Self.runRows, batch.count - start)
            var total = 0
            for j in 0..<k {
                texts[j].format(columns[j], rows: start, count: m, delimiter: delimiter, onlyColumn: k == 1)
                total += Int(texts[j].ends[m])
            }
            reserve(total + m * k + CSVFieldTexts.slack)
            length += interleave(rows: m)
            start += m
            if drainEvery && length >= capacity / 2 { try drain() }
        }
    }

    /// Copies the formatted fields of `rows` rows into lines at the end of the output.
    private func interleave(rows m: Int) -> Int {
        let k = texts.count
        return withUnsafeTemporaryAllocation(of: UnsafePointer<UInt8>.self, capacity: k) { bytes in
            withUnsafeTemporaryAllocation(of: UnsafePointer<Int32>.self, capacity: k) { ends in
                for j in 0..<k {
                    bytes[j] = UnsafePointer(texts[j].bytes)
                    ends[j] = UnsafePointer(texts[j].ends)
                }
                let delimiter = self.delimiter
                var p = out + length
                for r in 0..<m {
                    for j in 0..<k {
                        let s = Int(ends[j][r])
                        let n = Int(ends[j][r + 1]) - s
                        Self.copyFields(from: bytes[j] + s, to: p, count: n)
                        p += n
                        p.pointee = delimiter
                        p += 1
                    }
                    p[-1] = Self.lf
                }
                return p - (out + length)
            }
        }
    }

    /// Copies `count` bytes 16 at a time; source and destination have `CSVFieldTexts.slack`
    /// (32) bytes of room past the end, so the last word may run over.
    ///
    /// Implementation note: the first 32 bytes are copied whatever `count` is, so that fields
    /// of up to 32 bytes (every number) cost no branch on their length, which varies from
    /// row to row and would mispredict.
    @inline(__always)
    private static func copyFields(from src: UnsafePointer<UInt8>, to dst: UnsafeMutablePointer<UInt8>, count: Int) {
        let source = UnsafeRawPointer(src)
        let target = UnsafeMutableRawPointer(dst)
        target.storeBytes(of: source.loadUnaligned(as: SIMD16<UInt8>.self), as: SIMD16<UInt8>.self)
        target.storeBytes(
            of: source.loadUnaligned(fromByteOffset: 16, as: SIMD16<UInt8>.self), toByteOffset: 16, as: SIMD16<UInt8>.self)
        var i = 32
        while i < count {
            let word = UnsafeRawPointer(src + i).loadUnaligned(as: SIMD16<UInt8>.self)
            UnsafeMutableRawPointer(dst + i).storeBytes(of: word, as: SIMD16<UInt8>.self)
            i += 16
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
            name.withUTF8 { u in
                reserve(2 * u.count + 2)
                length += CSVFieldTexts.quoted(UnsafeRawBufferPointer(u), delimiter: delimiter, to: out + length)
            }
        }
        put(Self.lf)
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
