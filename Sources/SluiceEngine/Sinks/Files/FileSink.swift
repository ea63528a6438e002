import SluiceCSV
import SluiceCore

/// Writes one CSV, TSV or JSONL file, append-only. A commit flushes and fsyncs, and the file's
/// length goes into the checkpoint; a resumed run first cuts the file back to the last committed
/// length, so rows are neither lost nor repeated.
public final class FileSink: Sink, @unchecked Sendable {
    public enum Format: Sendable { case csv(delimiter: UInt8, header: Bool), jsonl }

    let path: String
    let format: Format
    var file: AppendFile?
    var csv: CSVWriter?
    var jsonl: JSONLWriter?
    var scratch: [UInt8] = []
    var committedLength: Int64 = 0
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
        committedLength = f.length
        switch format {
        case let .csv(delimiter, header):
            csv = CSVWriter(fileDescriptor: f.fileDescriptor, schema: schema, delimiter: delimiter, header: header && f.length == 0)
        case .jsonl:
            jsonl = JSONLWriter(schema: schema)
        }
    }

    public func committedSplits(pipeline: String) throws(SluiceError) -> [String: Checkpoint] { [:] }

    public func write(_ batch: RecordBatch) throws(SluiceError) {
        guard let f = file else { throw SluiceError.sink("\(label): write before open") }
        if let w = csv {
            try w.write(batch)
        } else if let j = jsonl {
            scratch.removeAll(keepingCapacity: true)
            j.format(batch, into: &scratch)
            scratch.withUnsafeBytes { f.append($0) }
            if scratch.count > 1 << 20 { try f.flush() }
        }
    }

    public func prepareCommit() throws(SluiceError) -> [String: Int64] {
        guard let f = file else { return [:] }
        if let w = csv {
            try w.flush()
            f.syncLength()
        }
        try f.flush(sync: true)
        committedLength = f.length
        return [FileSink.offsetKey: f.length]
    }

    public func commit(_ split: SplitCommit) throws(SluiceError) {}

    public func rollback() {
        // The bytes past the last commit are cut off when the file is next opened.
    }

    public func close() throws(SluiceError) {
        if let w = csv { try w.flush() }
        try file?.flush()
        csv = nil
        file = nil
    }
}
