import SluiceCore

/// What a commit leaves behind so that a later run can tell exactly where the last one stopped:
/// a sequence number (the order of commits) and the committed length of every append-only file
/// (the output file of a file sink, the dead-letter file).
public struct Checkpoint: Sendable, Equatable {
    public var sequence: Int64
    public var offsets: [String: Int64]

    public init(sequence: Int64, offsets: [String: Int64]) {
        self.sequence = sequence
        self.offsets = offsets
    }

    /// `name=offset;name=offset`, stored in ledgers.
    public var encoded: String {
        offsets.keys.sorted().map { "\($0)=\(offsets[$0] ?? 0)" }.joined(separator: ";")
    }

    public init(sequence: Int64, encoded: String) {
        var o: [String: Int64] = [:]
        for part in encoded.split(separator: ";") {
            let kv = part.split(separator: "=", maxSplits: 1)
            if kv.count == 2, let v = Int64(kv[1]) { o[String(kv[0])] = v }
        }
        self.init(sequence: sequence, offsets: o)
    }

    /// The later of two checkpoints.
    public static func latest(_ a: Checkpoint?, _ b: Checkpoint?) -> Checkpoint? {
        guard let a else { return b }
        guard let b else { return a }
        return a.sequence >= b.sequence ? a : b
    }
}

/// A split that a sink is committing: its id, what it holds, and the checkpoint to store with it.
public struct SplitCommit: Sendable {
    public var pipeline: String
    public var splitID: String
    public var file: String
    public var rows: Int
    public var checkpoint: Checkpoint
    /// The file's identity when the split was read (`path#size-mtime`), and the split's bytes in it.
    public var source: String = ""
    public var byteStart: Int64 = 0
    public var byteEnd: Int64 = 0

    public init(pipeline: String, splitID: String, file: String, rows: Int, checkpoint: Checkpoint) {
        self.pipeline = pipeline
        self.splitID = splitID
        self.file = file
        self.rows = rows
        self.checkpoint = checkpoint
    }
}

/// Where batches end up. A sink receives the batches of one split, then `commit`, which must make
/// the split's rows durable together with its ledger entry, or not at all.
///
/// A sink with its own ledger may return from `commit` once the split is handed off (the
/// PostgreSQL sink with several connections), if its splits still commit in order and a later
/// `awaitCommits` throws when one of them failed: the engine calls it before it treats the
/// splits of a `process` as done, so such a failure fails the run.
///
/// Sinks are driven by one task at a time (the runner's commit loop), in split order. The
/// methods are `async` because database sinks talk to a server; a sink that does local I/O
/// simply implements them synchronously.
public protocol Sink: AnyObject {
    /// Prepares the destination for rows of `schema`. `recovering` is the last checkpoint of an
    /// earlier run (append-only outputs are cut back to it); `fullRefresh` starts over.
    func open(schema: Schema, pipeline: String, recovering: Checkpoint?, fullRefresh: Bool) async throws(SluiceError)
    /// Splits whose commit this sink recorded atomically with their rows (its own ledger).
    func committedSplits(pipeline: String) async throws(SluiceError) -> [String: Checkpoint]
    func write(_ batch: RecordBatch) async throws(SluiceError)
    /// Flushes and returns the committed lengths of the sink's append-only files, to be put in
    /// the checkpoint of the commit that follows.
    func prepareCommit() async throws(SluiceError) -> [String: Int64]
    func commit(_ split: SplitCommit) async throws(SluiceError)
    /// Waits until every split whose `commit` returned is durable; throws the first failure.
    func awaitCommits() async throws(SluiceError)
    /// Drops whatever was written since the last commit.
    func rollback() async
    func close() async throws(SluiceError)
    /// A short description for progress and reports, e.g. `sqlite out/t.sqlite#telecom`.
    var label: String { get }
    /// Formatting the sink lets the workers do, in parallel, before batches reach the commit
    /// loop; nil when the sink takes batches as they are. Available after `open`.
    var encoder: (any BatchEncoder)? { get }
    /// Appends bytes made by `encoder`.
    func write(encoded: EncodedBatch) async throws(SluiceError)
}

/// Turns a batch into the bytes a sink appends (CSV, JSON lines, COPY text), on a worker.
public protocol BatchEncoder: Sendable {
    func encode(_ batch: RecordBatch) throws(SluiceError) -> EncodedBatch
}

/// A batch already formatted by a `BatchEncoder`.
public struct EncodedBatch: Sendable {
    public var bytes: [UInt8]
    public var rows: Int
    /// Where the rows came from, for errors that name a row (kept by sinks that report them).
    public var origin: RowOrigin?

    public init(bytes: [UInt8], rows: Int, origin: RowOrigin? = nil) {
        self.bytes = bytes
        self.rows = rows
        self.origin = origin
    }
}

extension Sink {
    public var encoder: (any BatchEncoder)? { nil }

    /// Sinks whose `commit` returns when the split is durable have nothing to wait for.
    public func awaitCommits() async throws(SluiceError) {}

    public func write(encoded: EncodedBatch) async throws(SluiceError) {
        throw SluiceError.sink("\(label) does not take pre-encoded batches")
    }
}
