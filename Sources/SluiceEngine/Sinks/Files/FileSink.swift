import SluiceCSV
import SluiceCore
import Synchronization

/// Writes one CSV, TSV or JSONL file, append-only. Rows are formatted into bytes by the sink's
/// encoder (on the workers, in parallel), and the sink only appends them. A commit flushes and
/// fsyncs, and the file's length goes into the checkpoint; a resumed run first cuts the file back
/// to the last committed length, so rows are neither lost nor repeated.
public final class FileSink: Sink, @unchecked Sendable {
    public enum Format: Sendable { case csv(delimiter: UInt8, header: Bool), jsonl }

    let path: String
    let format: Format
    var file: AppendFile?
    var rowEncoder: (any BatchEncoder)?
    static let offsetKey = "output"

    public init(path: String, format: Format) {
        self.path = path
        self.format = format
    }

    public var label: String {
        switch format {
        case .csv(let d, _): "\(d == 9 ? "tsv" : "csv") \(path)"
        case .jsonl: "jsonl \(path)"
        }
    }

    public func open(schema: Schema, pipeline: String, recovering: Checkpoint?, fullRefresh: Bool) throws(SluiceError) {
        let keep = fullRefresh ? 0 : (recovering?.offsets[FileSink.offsetKey] ?? 0)
        let f = try AppendFile(path: path, committedLength: keep)
        file = f
        switch format {
        case let .csv(delimiter, header):
            rowEncoder = CSVBatchEncoder(schema: schema, delimiter: delimiter)
            if header && f.length == 0 {
                CSVWriter(encoding: schema, delimiter: delimiter).headerBytes().withUnsafeBytes { f.append($0) }
            }
        case .jsonl:
            rowEncoder = JSONLWriter(schema: schema)
        }
    }

    public func committedSplits(pipeline: String) throws(SluiceError) -> [String: Checkpoint] { [:] }

    public var encoder: (any BatchEncoder)? { rowEncoder }

    public func write(encoded: EncodedBatch) throws(SluiceError) {
        guard let f = file else { throw SluiceError.sink("\(label): write before open") }
        encoded.bytes.withUnsafeBytes { f.append($0) }
        if f.buffered > 4 << 20 { try f.flush() }
    }

    public func write(_ batch: RecordBatch) throws(SluiceError) {
        guard let e = rowEncoder else { throw SluiceError.sink("\(label): write before open") }
        try write(encoded: try e.encode(batch))
    }

    public func prepareCommit() throws(SluiceError) -> [String: Int64] {
        guard let f = file else { return [:] }
        try f.flush(sync: true)
        return [FileSink.offsetKey: f.length]
    }

    public func commit(_ split: SplitCommit) throws(SluiceError) {}

    public func rollback() {
        // The bytes past the last commit are cut off when the file is next opened.
    }

    public func close() throws(SluiceError) {
        try file?.flush()
        file = nil
    }
}

/// CSV formatting for workers: each batch is formatted by an in-memory writer that no other
/// worker uses meanwhile, taken from a pool and given back after.
///
/// Implementation note: a writer per batch would allocate its buffers afresh every time, and a
/// 65,536-row batch regrows the output buffer from 1 MiB past 4 MiB, copying it at each step and
/// faulting in new pages; pooled writers keep theirs (about a tenth of a CSV to CSV conversion).
final class CSVBatchEncoder: BatchEncoder {
    let schema: Schema
    let delimiter: UInt8
    private let idle = Mutex<[PooledWriter]>([])

    init(schema: Schema, delimiter: UInt8) {
        self.schema = schema
        self.delimiter = delimiter
    }

    func encode(_ batch: RecordBatch) throws(SluiceError) -> EncodedBatch {
        let writer = idle.withLock { $0.popLast() }?.writer ?? CSVWriter(encoding: schema, delimiter: delimiter)
        let bytes = try writer.encode(batch)
        // Only a writer that finished its batch goes back: one that threw may hold a partial one.
        idle.withLock { $0.append(PooledWriter(writer: writer)) }
        return EncodedBatch(bytes: bytes, rows: batch.count)
    }

    /// A writer between batches: owned by the pool, then by the one worker that took it.
    private struct PooledWriter: @unchecked Sendable {
        let writer: CSVWriter
    }
}
