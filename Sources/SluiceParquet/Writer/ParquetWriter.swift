#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import SluiceCore

/// Writes `RecordBatch`es as a Parquet file: rows are buffered until a row group is full (by
/// `rowGroupRows`), then each column is encoded into pages and appended; `close()` writes the footer.
///
/// Type mapping: bool → BOOLEAN; int32 → INT32; int64 → INT64; float32 → FLOAT; float64 → DOUBLE;
/// string and dictionary → BYTE_ARRAY STRING (dictionary-encoded unless disabled); date → INT32
/// DATE; timestamp(ms|us|ns) → INT64 TIMESTAMP(MILLIS|MICROS|NANOS, UTC); timestamp(s) → INT64
/// TIMESTAMP(MILLIS) with values ×1000, since Parquet has no seconds unit.
public final class ParquetWriter {
    public let path: String
    public let schema: Schema
    public let options: ParquetWriteOptions
    private let fd: Int32
    private let ownsDescriptor: Bool
    private var offset = 0
    private var pending: [RecordBatch] = []
    private var pendingRows = 0
    private var rowGroups: [RowGroup] = []
    private var totalRows = 0
    private var closed = false

    /// Creates (or truncates) `path` and writes the leading magic bytes.
    public convenience init(path: String, schema: Schema, options: ParquetWriteOptions = .init()) throws(ParquetError) {
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw ParquetError(file: path, "cannot create: \(String(cString: strerror(errno)))") }
        try self.init(fileDescriptor: fd, name: path, schema: schema, options: options, ownsDescriptor: true)
    }

    /// Writes to an open descriptor positioned at its start; `ownsDescriptor` closes it in `close()`.
    public init(fileDescriptor: Int32, name: String, schema: Schema, options: ParquetWriteOptions = .init(), ownsDescriptor: Bool = false) throws(ParquetError) {
        self.fd = fileDescriptor
        self.path = name
        self.schema = schema
        self.options = options
        self.ownsDescriptor = ownsDescriptor
        guard options.rowGroupRows > 0, options.pageBytes > 0, options.dataPageVersion == 1 || options.dataPageVersion == 2 else {
            throw ParquetError(file: name, "invalid options: rowGroupRows and pageBytes must be positive, dataPageVersion 1 or 2")
        }
        for c in options.requiredColumns where schema.index(of: c) == nil {
            throw ParquetError(file: name, column: c, "requiredColumns names a column the schema does not have")
        }
        try writeAll(Parquet.magic)
    }

    deinit {
        if ownsDescriptor && !closed { _ = posixClose(fd) }
    }

    /// Buffers `batch`; full row groups are encoded and written as they fill.
    public func write(_ batch: RecordBatch) throws(ParquetError) {
        guard !closed else { throw ParquetError(file: path, "write after close") }
        guard batch.schema == schema else {
            throw ParquetError(file: path, "batch schema (\(batch.schema)) differs from the file schema (\(schema))")
        }
        var start = 0
        while start < batch.count {
            let n = Swift.min(batch.count - start, options.rowGroupRows - pendingRows)
            pending.append(start == 0 && n == batch.count ? batch : batch.slice(start, n))
            pendingRows += n
            start += n
            if pendingRows == options.rowGroupRows { try flushRowGroup() }
        }
    }

    /// Bytes written to the file so far (buffered rows not included): what a sink rolling files by
    /// size compares with its limit.
    public var bytesWritten: Int { offset }

    /// Rows buffered for the row group being filled.
    public var bufferedRows: Int { pendingRows }

    /// Rows written or buffered so far.
    public var rowCount: Int { totalRows + pendingRows }

    /// Ends the current row group now (if it has rows), before it reaches `rowGroupRows`.
    public func finishRowGroup() throws(ParquetError) {
        guard !closed else { throw ParquetError(file: path, "write after close") }
        if pendingRows > 0 { try flushRowGroup() }
    }

    /// Writes any buffered rows as a final row group, then the footer; closes the file if owned.
    @discardableResult
    public func close() throws(ParquetError) -> FileMetaData {
        guard !closed else { throw ParquetError(file: path, "closed twice") }
        if pendingRows > 0 { try flushRowGroup() }
        let meta = fileMetaData()
        let footer = meta.serialized()
        try writeAll(footer)
        try writeAll(withUnsafeBytes(of: UInt32(footer.count).littleEndian) { Array($0) })
        try writeAll(Parquet.magic)
        closed = true
        if ownsDescriptor {
            guard posixClose(fd) == 0 else { throw ParquetError(file: path, "close failed: \(String(cString: strerror(errno)))") }
        }
        return meta
    }

    private func flushRowGroup() throws(ParquetError) {
        var group = RowGroup()
        group.numRows = Int64(pendingRows)
        group.fileOffset = Int64(offset)
        group.ordinal = Int16(truncatingIfNeeded: rowGroups.count)
        var compressed: Int64 = 0, uncompressed: Int64 = 0
        for (c, field) in schema.fields.enumerated() {
            let writer = ColumnChunkWriter(
                name: field.name, type: field.type, required: options.requiredColumns.contains(field.name), options: options)
            var chunk: EncodedChunk
            do {
                chunk = try writer.encode(pending.map { $0.columns[c] })
            } catch {
                throw error.located(file: path, column: field.name)
            }
            let start = Int64(offset)
            chunk.meta.dataPageOffset += start
            if let d = chunk.meta.dictionaryPageOffset { chunk.meta.dictionaryPageOffset = d + start }
            if let head = chunk.head { try writeAll(head.bytes) }
            try writeAll(chunk.pages.bytes)
            var cc = ColumnChunk()
            cc.fileOffset = start
            cc.metaData = chunk.meta
            group.columns.append(cc)
            compressed += chunk.meta.totalCompressedSize
            uncompressed += chunk.meta.totalUncompressedSize
        }
        group.totalByteSize = uncompressed
        group.totalCompressedSize = compressed
        rowGroups.append(group)
        totalRows += pendingRows
        pending.removeAll()
        pendingRows = 0
    }

    private func fileMetaData() -> FileMetaData {
        var m = FileMetaData()
        m.version = 2
        var elements = [SchemaElement(name: "schema", numChildren: Int32(schema.count))]
        for f in schema.fields {
            elements.append(Self.schemaElement(f, required: options.requiredColumns.contains(f.name)))
        }
        m.schema = elements
        m.numRows = Int64(totalRows)
        m.rowGroups = rowGroups
        m.createdBy = "parquet-sluice version 0.1.0"
        if !options.keyValueMetadata.isEmpty {
            m.keyValueMetadata = options.keyValueMetadata.sorted { $0.key < $1.key }.map { KeyValue(key: $0.key, value: $0.value) }
        }
        m.columnOrders = Array(repeating: true, count: schema.count)
        return m
    }

    static func physicalType(of type: DataType) -> PhysicalType {
        switch type {
        case .bool: .boolean
        case .int32, .date: .int32
        case .int64, .timestamp: .int64
        case .float32: .float
        case .float64: .double
        case .string, .dictionary: .byteArray
        }
    }

    static func schemaElement(_ f: Field, required: Bool) -> SchemaElement {
        var e = SchemaElement(name: f.name, type: physicalType(of: f.type), repetition: required ? .required : .optional)
        switch f.type {
        case .string, .dictionary:
            e.logicalType = .string
            e.convertedType = .utf8
        case .date:
            e.logicalType = .date
            e.convertedType = .date
        case .timestamp(let u):
            switch u {
            case .s, .ms:
                e.logicalType = .timestamp(isAdjustedToUTC: true, unit: .millis)
                e.convertedType = .timestampMillis
            case .us:
                e.logicalType = .timestamp(isAdjustedToUTC: true, unit: .micros)
                e.convertedType = .timestampMicros
            case .ns:
                e.logicalType = .timestamp(isAdjustedToUTC: true, unit: .nanos)
            }
        default:
            break
        }
        return e
    }

    private func writeAll(_ bytes: [UInt8]) throws(ParquetError) {
        try typedThrows { try bytes.withUnsafeBytes { b in try writeAll(b) } }
    }

    private func writeAll(_ bytes: UnsafeRawBufferPointer) throws(ParquetError) {
        let failure: Int32? = { (b: UnsafeRawBufferPointer) -> Int32? in
            var done = 0
            while done < b.count {
                let n = posixWrite(fd, b.baseAddress.unsafelyUnwrapped + done, b.count - done)
                if n < 0 {
                    if errno == EINTR { continue }
                    return errno
                }
                done += n
            }
            return nil
        }(bytes)
        if let e = failure { throw ParquetError(file: path, "write failed: \(String(cString: strerror(e)))") }
        offset += bytes.count
    }
}

// File-scope wrappers: inside `ParquetWriter`, `close` and `write` name its own methods.
private func posixClose(_ fd: Int32) -> Int32 { close(fd) }
private func posixWrite(_ fd: Int32, _ p: UnsafeRawPointer, _ n: Int) -> Int { write(fd, p, n) }
