import SluiceCore

/// A batch of rows decoded from a split, with the rows rejected while reading it.
public struct CSVChunk: Sendable {
    /// The good rows; `batch.origin` names the file and holds each row's 1-based start line.
    public var batch: RecordBatch
    /// Rows that could not be decoded (stage `parse`; rule `field_count`, `type`, `utf8` or `quote`).
    public var rejects: [RejectedRow]

    public init(batch: RecordBatch, rejects: [RejectedRow]) {
        self.batch = batch
        self.rejects = rejects
    }
}

/// Parses one split into batches of typed columns.
///
/// Records are read into a reused block buffer. Runs of simple records (no quoted fields) go
/// through `CSVFusedRecordParser`, which parses each field where it stands; any other record
/// (quotes, empty lines, errors) is scanned into a field index by `CSVRecordCursor` and parsed
/// field by field. Either way values go straight into the column sinks, and a row with a bad value
/// is rolled back from every sink and rejected. With `options.projection`, only the projected
/// columns are parsed and returned. Not thread-safe: one task reads a split at a time.
public final class CSVSplitReader {
    private let split: CSVSplit
    /// The file's schema, which records are checked against.
    private let schema: Schema
    /// The schema of the batches: the projected fields.
    private let outputSchema: Schema
    private let options: CSVOptions
    private let cursor: CSVRecordCursor
    /// One sink per projected column, then one for the line numbers.
    private let sinks: UnsafeMutablePointer<_UnsafeColumnSink>
    /// The schema index of each sink's column.
    private let sinkColumns: UnsafeMutablePointer<Int>
    private let nulls: CSVNullMatcher
    private let scratch = CSVScratch()
    private let fused: CSVFusedRecordParser
    /// Fields per record.
    private let columnCount: Int
    /// Sinks holding values (the projected columns).
    private let outputCount: Int
    @exclusivity(unchecked) private var finished = false
    /// Whether runs of simple records go through the fused parser; tests turn it off to compare
    /// the fused parser with the general path.
    var fusedParsing = true

    /// Cuts a batch early when it has consumed this many input bytes, keeping string offsets
    /// (Int32) and batch memory in range whatever `batchRows` says.
    static let maxBatchBytes: Int64 = 256 << 20

    /// Opens the split's file. Throws `SluiceError.io` when it is missing or unreadable, or has
    /// changed (size or mtime) since the split was planned, and `SluiceError.invalidArgument`
    /// when `options.projection` is not ascending indices into `schema`.
    public convenience init(split: CSVSplit, schema: Schema, options: CSVOptions) throws(SluiceError) {
        try self.init(split: split, schema: schema, options: options, blockSize: nil)
    }

    /// `blockSize` overrides the read buffer's size, so that tests can put record and buffer
    /// boundaries anywhere.
    init(split: CSVSplit, schema: Schema, options: CSVOptions, blockSize requestedBlockSize: Int?) throws(SluiceError) {
        try options.validate()
        let projection = options.projection ?? Array(0..<schema.count)
        for (k, j) in projection.enumerated() {
            guard j >= 0, j < schema.count else {
                throw .invalidArgument("CSV projection index \(j) is out of range for a schema of \(schema.count) fields")
            }
            guard k == 0 || projection[k - 1] < j else {
                throw .invalidArgument("CSV projection must be strictly ascending, got \(projection)")
            }
        }
        let file = try CSVFile(path: split.path)
        guard file.size == split.fileSize, file.modified == split.modified else {
            throw .io(path: split.path, message: "file changed since its splits were planned (size or mtime differ)")
        }
        let gzip = try file.isGzip(options.compression)
        let source: CSVByteSource
        let atFileStart: Bool
        var blockSize: Int
        let estimatedRows: Int
        if gzip {
            source = try CSVByteSource(gzipFile: file)
            atFileStart = true
            blockSize = 4 << 20
            estimatedRows = 16_384
        } else {
            source = CSVByteSource(file: file, start: split.start, end: split.end)
            // Only a split that starts at byte 0 can hold a BOM or the header; planned first splits
            // start past them, but a hand-made whole-file split may not.
            atFileStart = split.start == 0
            // 1 MiB: the block is parsed right after `pread` copies it, mostly from the core's
            // cache; 4 MiB measured 3% slower (and 2.5 MB more memory) on a full parse.
            blockSize = Int(min(max(split.length + 1, 64 << 10), 1 << 20))
            estimatedRows = Int(min(split.length / 16, 65_536))
        }
        if let requestedBlockSize { blockSize = requestedBlockSize }
        self.split = split
        self.schema = schema
        self.options = options
        self.cursor = CSVRecordCursor(
            source: source, path: split.path,
            scanner: CSVRecordScanner(delimiter: options.delimiter, quote: options.quote),
            firstLine: atFileStart ? 1 : split.firstLine, blockSize: blockSize, skipBOM: atFileStart)
        let capacity = min(options.batchRows, max(1024, estimatedRows))
        outputSchema = Schema(projection.map { schema[$0] })
        outputCount = projection.count
        columnCount = schema.count
        sinks = .allocate(capacity: outputCount + 1)
        sinkColumns = .allocate(capacity: max(outputCount, 1))
        for (k, j) in projection.enumerated() {
            (sinks + k).initialize(to: _UnsafeColumnSink(schema[j].type, rows: capacity))
            sinkColumns[k] = j
        }
        (sinks + outputCount).initialize(to: _UnsafeColumnSink(.int64, rows: capacity))
        nulls = CSVNullMatcher(options.nullValues)
        fused = CSVFusedRecordParser(
            schema: schema, projection: projection, options: options, nulls: nulls, sinks: sinks)
        if atFileStart && options.header {
            _ = try cursor.next()
        }
    }

    deinit {
        sinks.deinitialize(count: outputCount + 1)
        sinks.deallocate()
        sinkColumns.deallocate()
    }

    /// Input bytes read from the file so far (compressed bytes for gzip), for progress.
    public var bytesRead: Int64 { cursor.bytesRead }

    /// The next batch (up to `batchRows` rows) with the rows rejected while reading it; nil at
    /// the end of the split. With `onError: .fail` a bad row throws `SluiceError.data`.
    public func next() throws(SluiceError) -> CSVChunk? {
        var rejects: [RejectedRow] = []
        var rows = 0
        // A batch that hit the byte limit with nothing in it (a long run of empty lines) is not
        // the end: keep going until there is something to return or the split is done.
        while rows == 0 && rejects.isEmpty && !finished {
            try fill(rows: &rows, rejects: &rejects)
        }
        if rows == 0 && rejects.isEmpty { return nil }
        let columns = (0..<outputCount).map { sinks[$0].finish() }
        let batch = RecordBatch(
            schema: outputSchema, columns: columns, count: rows,
            origin: RowOrigin(source: split.path, lines: sinks[outputCount].finish()))
        return CSVChunk(batch: batch, rejects: rejects)
    }

    /// Reads records into the sinks until the batch is full (rows and rejects both count, so a
    /// file of bad rows cannot pile up rejects unbounded), its byte limit is reached, or the split ends.
    ///
    /// Alternates between the fused parser, over as many records of the buffer as it can take,
    /// and the general path for one record: the one the fused parser stopped at, or the first
    /// after a refill.
    private func fill(rows: inout Int, rejects: inout [RejectedRow]) throws(SluiceError) {
        try cursor.start()
        let batchStart = cursor.consumedOffset
        let fields = cursor.fields
        let batchRows = options.batchRows
        while rows + rejects.count < batchRows, cursor.consumedOffset - batchStart < Self.maxBatchBytes {
            let window = cursor.fastWindow
            if fusedParsing && window.to > window.from {
                let done = fused.run(
                    window.base, from: window.from, to: window.to, firstLine: cursor.line,
                    maxRows: batchRows - rows - rejects.count)
                cursor.advance(to: done.next, records: done.rows)
                rows += done.rows
                if rows + rejects.count >= batchRows { return }
            }
            guard try cursor.next() else {
                finished = true
                return
            }
            if cursor.recordUnterminated {
                try reject(
                    rule: "quote", column: fields.count - 1,
                    reason: "unterminated quoted field: the input ends inside quotes", into: &rejects)
                continue
            }
            if fields.count != columnCount {
                try reject(
                    rule: "field_count", column: nil,
                    reason: "expected \(columnCount) fields, found \(fields.count)", into: &rejects)
                continue
            }
            if let failure = appendRecord() {
                try rejectValue(column: failure.column, failure.kind, into: &rejects)
                continue
            }
            sinks[outputCount].append(Int64(cursor.recordLine))
            rows += 1
        }
    }

    /// Parses the projected fields of the current record into the sinks; on failure, rolls back
    /// the fields appended so far and says which schema column failed.
    private func appendRecord() -> (column: Int, kind: CSVFieldFailure)? {
        let fields = cursor.fields
        let base = UnsafePointer(cursor.buffer)
        let starts = fields.starts
        let ends = fields.ends
        let kinds = fields.kinds
        for k in 0..<outputCount {
            let j = sinkColumns[k]
            var p = base + starts[j]
            var n = ends[j] - starts[j]
            let kind = kinds[j]
            if kind == .escaped {
                (p, n) = scratch.unescape(p, n, quote: options.quote)
            }
            if let failure = sinks[k].appendText(p, n, kind, nulls: nulls) {
                for r in 0..<k { sinks[r].removeLast() }
                return (j, failure)
            }
        }
        return nil
    }

    // MARK: Rejects

    private func rejectValue(column j: Int, _ failure: CSVFieldFailure, into rejects: inout [RejectedRow])
        throws(SluiceError)
    {
        switch failure {
        case .type:
            let text = Self.abbreviated(cursor.fieldText(j))
            try reject(rule: "type", column: j, reason: "'\(text)' is not a valid \(schema[j].type)", into: &rejects)
        case .utf8:
            try reject(rule: "utf8", column: j, reason: "invalid UTF-8 in a \(schema[j].type) field", into: &rejects)
        }
    }

    /// Records the current record as rejected, or throws under `.fail`.
    private func reject(rule: String, column: Int?, reason: String, into rejects: inout [RejectedRow])
        throws(SluiceError)
    {
        let name = column.flatMap { $0 >= 0 && $0 < columnCount ? schema[$0].name : nil }
        if options.onError == .fail {
            finished = true
            throw .data(file: split.path, line: cursor.recordLine, column: name, message: reason)
        }
        let found = cursor.fields.count
        var values: [(String, String?)] = []
        values.reserveCapacity(max(found, columnCount))
        for k in 0..<max(found, columnCount) {
            let key = k < columnCount ? schema[k].name : "_extra_\(k - columnCount + 1)"
            values.append((key, k < found ? cursor.fieldText(k) : nil))
        }
        rejects.append(
            RejectedRow(
                file: split.path, line: cursor.recordLine, stage: "parse", column: name, rule: rule, reason: reason,
                values: values))
    }

    static func abbreviated(_ s: String) -> String {
        s.count <= 200 ? s : String(s.prefix(200)) + "…"
    }
}

/// A reused byte buffer for fields that need unescaping before they can be parsed.
final class CSVScratch {
    private var bytes: UnsafeMutablePointer<UInt8>
    private var capacity: Int

    init(capacity: Int = 256) {
        self.capacity = capacity
        bytes = .allocate(capacity: capacity)
    }

    deinit { bytes.deallocate() }

    /// The text of an `.escaped` field, valid until the next call.
    func unescape(_ raw: UnsafePointer<UInt8>, _ count: Int, quote: UInt8) -> (UnsafePointer<UInt8>, Int) {
        if count > capacity {
            bytes.deallocate()
            capacity = max(count, capacity * 2)
            bytes = .allocate(capacity: capacity)
        }
        let n = CSVRecordScanner.unescape(raw, count: count, quote: quote, into: bytes)
        return (UnsafePointer(bytes), n)
    }
}
