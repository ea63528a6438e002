#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import SluiceCore

/// A temporary file of record batches in their in-memory layout, for operators that must set
/// rows aside when their memory budget is reached (aggregation spills) and read them back once.
///
/// Each batch is a length-prefixed record: row count, then per column its type, null count,
/// validity bits, values (and string bytes or dictionary). Columns are written from offset 0, so
/// callers pass compacted columns (`Column.take` gives those). The file is private to one run,
/// so the format carries no version and no checksum.
final class BatchSpillFile {
    let path: String
    let schema: Schema
    private let fd: Int32
    private var buffer: [UInt8] = []
    private(set) var rows = 0
    private(set) var bytesWritten = 0
    /// Bytes buffered before a write: small when many spill files share a small budget.
    private let flushThreshold: Int

    init(path: String, schema: Schema, flushThreshold: Int = 4 << 20) throws(SluiceError) {
        self.flushThreshold = flushThreshold
        let f = open(path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
        guard f >= 0 else { throw SluiceError.io(path: path, message: SystemError("create spill file").message) }
        self.path = path
        self.schema = schema
        fd = f
    }

    deinit {
        close(fd)
        unlink(path)
    }

    func append(_ columns: [Column], rows n: Int) throws(SluiceError) {
        var record: [UInt8] = []
        put(UInt64(n), &record)
        for c in columns {
            precondition(c.offset == 0, "spilled columns must be compacted")
            put(c, &record)
        }
        put(UInt64(record.count), &buffer)
        buffer += record
        rows += n
        if buffer.count >= flushThreshold { try flush() }
    }

    func flush() throws(SluiceError) {
        var done = 0
        while done < buffer.count {
            let n = buffer.withUnsafeBytes { write(fd, $0.baseAddress.unsafelyUnwrapped + done, $0.count - done) }
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else { throw SluiceError.io(path: path, message: SystemError("write spill file").message) }
            done += n
        }
        bytesWritten += buffer.count
        buffer.removeAll(keepingCapacity: true)
    }

    /// Reads the batches back in order, one in memory at a time.
    func forEachBatch(_ body: ([Column], Int) throws(SluiceError) -> Void) throws(SluiceError) {
        try flush()
        var offset = 0
        var header = [UInt8](repeating: 0, count: 8)
        while offset < bytesWritten {
            try read(&header, at: offset)
            let length = Int(header.withUnsafeBytes { $0.loadUnaligned(as: UInt64.self) })
            var record = [UInt8](repeating: 0, count: length)
            try read(&record, at: offset + 8)
            offset += 8 + length
            var reader = SpillReader(bytes: record)
            let n = Int(reader.u64())
            var columns: [Column] = []
            for field in schema.fields { columns.append(try reader.column(field.type, count: n, path: path)) }
            try body(columns, n)
        }
    }

    private func read(_ into: inout [UInt8], at offset: Int) throws(SluiceError) {
        var done = 0
        while done < into.count {
            let n = into.withUnsafeMutableBytes { pread(fd, $0.baseAddress.unsafelyUnwrapped + done, $0.count - done, off_t(offset + done)) }
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else { throw SluiceError.io(path: path, message: "spill file ended early: \(SystemError("read").message)") }
            done += n
        }
    }

    private func put(_ v: UInt64, _ out: inout [UInt8]) {
        withUnsafeBytes(of: v.littleEndian) { out += $0 }
    }

    private func put(_ p: UnsafeRawPointer?, _ n: Int, _ out: inout [UInt8]) {
        put(UInt64(n), &out)
        if n > 0, let p { out += UnsafeRawBufferPointer(start: p, count: n) }
    }

    private func put(_ c: Column, _ out: inout [UInt8]) {
        put(UInt64(c.nullCount), &out)
        put(c.validity.map { UnsafeRawPointer($0.base) }, c.nullCount > 0 ? (c.count + 7) / 8 : 0, &out)
        withExtendedLifetime(c) {
            switch c.type {
            case .bool: put(UnsafeRawPointer(c.values.base), (c.count + 7) / 8, &out)
            case .string:
                put(UnsafeRawPointer(c.values.base), (c.count + 1) * 4, &out)
                let end = Int(c.values.base.load(fromByteOffset: c.count * 4, as: Int32.self))
                put(c.data.map { UnsafeRawPointer($0.base) }, end, &out)
            case .dictionary:
                put(UnsafeRawPointer(c.values.base), c.count * 4, &out)
                let values = c.dictionary?.values ?? Column.make(.string, [])
                put(UInt64(values.count), &out)
                put(values, &out)
            default:
                put(UnsafeRawPointer(c.values.base), c.count * (c.type.byteWidth ?? 0), &out)
            }
        }
    }
}

/// Reads back what `BatchSpillFile` wrote.
private struct SpillReader {
    let bytes: [UInt8]
    var at = 0

    mutating func u64() -> UInt64 {
        let v = bytes.withUnsafeBytes { $0.loadUnaligned(fromByteOffset: at, as: UInt64.self) }
        at += 8
        return UInt64(littleEndian: v)
    }

    mutating func buffer(path: String) throws(SluiceError) -> Buffer {
        let n = Int(u64())
        guard at + n <= bytes.count else { throw SluiceError.io(path: path, message: "spill record is truncated") }
        let b = bytes.withUnsafeBytes { Buffer(copying: UnsafeRawBufferPointer(rebasing: $0[at..<(at + n)])) }
        at += n
        return b
    }

    mutating func column(_ type: DataType, count: Int, path: String) throws(SluiceError) -> Column {
        let nulls = Int(u64())
        let validity = try buffer(path: path)
        let values = try buffer(path: path)
        switch type {
        case .string:
            let data = try buffer(path: path)
            return Column(type: type, count: count, nullCount: nulls, validity: validity, values: values, data: data)
        case .dictionary:
            let size = Int(u64())
            let strings = try column(.string, count: size, path: path)
            return Column(
                type: type, count: count, nullCount: nulls, validity: validity, values: values,
                dictionary: DictionaryValues(strings))
        default:
            return Column(type: type, count: count, nullCount: nulls, validity: validity, values: values)
        }
    }
}
