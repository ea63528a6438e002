import SluiceCore

/// One unit of work a source planned: a byte range of a CSV file, a Parquet row group, a window
/// of an API query. Splits are what workers take, what the sink commits, and what the ledger
/// remembers: a re-run skips every split whose `id` is committed.
public struct SourceSplit: Sendable {
    /// Stable across runs for the same input, different when the input changed
    /// (e.g. `path@mtime#0-1048576`, `eia:PJM:2024-01-01T00:00:00Z/2024-03-01T00:00:00Z`).
    public var id: String
    /// What the split reads, for the ledger and error messages: a file path, or a URL template.
    public var path: String
    /// The content identity the ledger records (`path#size-mtime` for files).
    public var source: String
    /// The bytes of `path` the split covers, when it is a byte range of a file.
    public var range: FileRange?
    /// What progress counts for this split (bytes for files; 0 when unknown).
    public var plannedBytes: Int64 = 0
    /// The source's own number for the split (its position in the file, the row group, the
    /// window), handed back to `reader(for:)`.
    public var index: Int

    public init(id: String, path: String, source: String, index: Int, range: FileRange? = nil) {
        self.id = id
        self.path = path
        self.source = source
        self.index = index
        self.range = range
        self.plannedBytes = range.map { $0.end - $0.start } ?? 0
    }
}

/// A byte range of a file as it was when planned.
public struct FileRange: Sendable, Hashable {
    public var start: Int64
    public var end: Int64
    /// The 1-based line the range starts on (text formats), for row locations in errors.
    public var firstLine: Int
    public var fileSize: Int64
    /// Nanoseconds since the epoch.
    public var modified: Int64

    public init(start: Int64, end: Int64, firstLine: Int, fileSize: Int64, modified: Int64) {
        self.start = start
        self.end = end
        self.firstLine = firstLine
        self.fileSize = fileSize
        self.modified = modified
    }
}

/// The splits of one input unit (a file, an API series): when all of them are committed, the unit
/// is recorded complete, so that a later run skips it without planning it again.
public struct SourceUnit: Sendable {
    /// A file path, or a name for a non-file unit.
    public var path: String
    /// Size and modification time for files; nil for units that have no file identity.
    public var identity: (size: Int64, modified: Int64)?
    public var splits: [SourceSplit]

    public init(path: String, identity: (size: Int64, modified: Int64)?, splits: [SourceSplit]) {
        self.path = path
        self.identity = identity
        self.splits = splits
    }
}

extension PipelineSource {
    public func plan(resuming committed: Set<String>) throws(SluiceError) -> [SourceUnit] { try plan() }
}

/// What a split reader hands over: good rows (with `origin` naming file and lines where the
/// format has them) and the rows it could not decode.
public struct SourceChunk: Sendable {
    public var batch: RecordBatch
    public var rejects: [RejectedRow]

    public init(batch: RecordBatch, rejects: [RejectedRow] = []) {
        self.batch = batch
        self.rejects = rejects
    }
}

/// Reads one split, batch by batch, on one worker.
public protocol SplitReader: AnyObject {
    /// The next batch, or nil at the end of the split.
    func next() async throws(SluiceError) -> SourceChunk?
    /// Input bytes consumed so far (for progress and throughput).
    var bytesRead: Int64 { get }
}

/// A source the pipeline runner drives: it knows its schema, can read fewer columns, plans its
/// work as units of splits, and opens a reader per split. One contract for files, row groups
/// and API windows, so that resume, parallelism and progress work the same for all of them.
public protocol PipelineSource: Sendable {
    /// Every column the source can produce.
    var schema: Schema { get }
    /// The columns actually produced, after `projected(to:)`.
    var readSchema: Schema { get }
    /// The inputs, for reports and the aggregate's synthetic split (file paths, or a URL).
    var inputs: [String] { get }
    /// The same source producing only `columns`; columns it does not know are ignored
    /// (the planner passes what the transforms need).
    func projected(to columns: Set<String>) throws(SluiceError) -> any PipelineSource
    /// The work, in order. Called once per run, after the state store is open.
    func plan() throws(SluiceError) -> [SourceUnit]
    /// The work given the split ids committed before: a source whose splits are cut from a range
    /// that can grow (an API's time windows) keeps the committed ones and cuts new ones around
    /// them. The default is `plan()`.
    func plan(resuming committed: Set<String>) throws(SluiceError) -> [SourceUnit]
    /// A reader for one planned split.
    func reader(for split: SourceSplit, batchRows: Int) throws(SluiceError) -> any SplitReader
}
