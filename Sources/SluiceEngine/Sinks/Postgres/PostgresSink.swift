import SluiceCore
import SluicePostgres

/// Writes rows into a PostgreSQL table with COPY, one transaction per split that also inserts
/// the split's row into `sluice_ledger`, so a crash at any instant leaves each split either
/// wholly loaded (and recorded) or absent; a re-run loads only what is missing.
///
/// Rows are formatted on the workers (`encoder`): binary COPY when every column has its
/// natural type in the table, text otherwise; the commit loop only queues the bytes. See
/// `PostgresTableLoader` for the per-mode SQL and the retry on a lost connection.
///
/// With `connections: N` (N > 1) up to N splits are in flight, each on a connection of its own
/// (`PostgresSplitUpload`): `commit` hands the split over and returns, and the next split goes
/// to the next connection, which is reused only once its previous split's outcome is known.
/// Splits still commit in order: each waits, inside its transaction with all its rows sent,
/// for the split before it to commit, and fails if that one failed. So the ledger always holds
/// a prefix of the run's splits, which is what recovery assumes of it: the checkpoint with the
/// highest sequence is the last commit (the dead-letter file is cut back to its offset), and a
/// file whose last split is in the ledger has all its splits there. `awaitCommits` (called by
/// the engine at the end of every `process`) surfaces a failure that came after its `commit`
/// returned, naming the split, so such a run fails; the ledger then lacks that split and every
/// later one, and the next run loads them. In the keyed modes the splits in flight merge at
/// once, before their turn to commit (`PostgresMergeOrder` keeps that free of deadlocks).
public final class PostgresSink: Sink, @unchecked Sendable {
    let config: PostgresSinkConfig
    /// The pipeline's input files: their identities tell replace mode which rows belong to this load.
    let inputs: [String]
    /// One loader (one connection) per lane; the first is the one `open` prepared.
    var loaders: [PostgresTableLoader] = []
    var rowEncoder: PostgresBatchEncoder?
    var currentSources: [String] = []
    /// The split being written, not yet handed off.
    var current: PostgresSplitUpload?
    /// Splits handed off whose outcome was not awaited yet, in commit order.
    var handedOff: [(upload: PostgresSplitUpload, splitID: String)] = []
    /// The last split handed off: the next one commits after it.
    var previous: Task<Void, any Error>?
    var nextLane = 0
    /// Lets splits in flight merge at the same time (keyed modes, several connections).
    let mergeOrder = PostgresMergeOrder()
    /// The place in commit order of the next split.
    var nextIndex = 0

    public init(_ config: PostgresSinkConfig, inputs: [String]) {
        self.config = config
        self.inputs = inputs
    }

    public var label: String { "postgres \(config.connection)#\(config.table)" }

    var connections: Int { config.connectionCount }

    func loader(pipeline: String) -> PostgresTableLoader {
        if let l = loaders.first { return l }
        let l = PostgresTableLoader(
            settings: config.connection,
            options: PostgresLoadOptions(
                table: config.table, mode: config.mode, key: config.key, partitionKeys: config.partitionKeys, create: config.create,
                format: config.format),
            pipeline: pipeline)
        loaders = [l]
        return l
    }

    /// The loader of lane `k`; lanes after the first are made on first use.
    func loader(lane k: Int) throws(SluiceError) -> PostgresTableLoader {
        guard let first = loaders.first else { throw SluiceError.sink("\(label): write before open") }
        while loaders.count <= k { loaders.append(first.sibling()) }
        return loaders[k]
    }

    public func open(schema: Schema, pipeline: String, recovering: Checkpoint?, fullRefresh: Bool) async throws(SluiceError) {
        let l = loader(pipeline: pipeline)
        try await l.open(schema: schema, fullRefresh: fullRefresh)
        rowEncoder = l.binary ? .binary(CopyBinaryEncoder(schema: schema)) : .text(CopyTextEncoder(schema: schema))
        currentSources = inputs.compactMap { f in FileIdentity.of(f).map { "\(f)#\($0.size)-\($0.modified)" } }
    }

    public func committedSplits(pipeline: String) async throws(SluiceError) -> [String: Checkpoint] {
        var out: [String: Checkpoint] = [:]
        for e in try await loader(pipeline: pipeline).committed() {
            out[e.splitID] = Checkpoint(sequence: e.sequence, encoded: e.checkpoint)
        }
        return out
    }

    public var encoder: (any BatchEncoder)? { rowEncoder }

    public func write(_ batch: RecordBatch) async throws(SluiceError) {
        guard let e = rowEncoder else { throw SluiceError.sink("\(label): write before open") }
        try await write(encoded: try e.encode(batch))
    }

    public func write(encoded: EncodedBatch) async throws(SluiceError) {
        let u = try await upload()
        if !u.send(encoded) { try await failed(u) }
    }

    /// The current split's upload, started on the next lane once that lane's previous split
    /// has its outcome.
    func upload() async throws(SluiceError) -> PostgresSplitUpload {
        if let u = current { return u }
        if handedOff.count >= connections { try await awaitOldest() }
        let u = PostgresSplitUpload(
            lane: nextLane, loader: try loader(lane: nextLane), target: config.table.description, currentSources: currentSources,
            after: previous, order: connections > 1 ? (mergeOrder, nextIndex) : nil)
        nextIndex += 1
        current = u
        return u
    }

    /// An upload that refused input failed: throws why (it rolled back already).
    func failed(_ u: PostgresSplitUpload) async throws(SluiceError) {
        current = nil
        try await u.outcome()
        throw SluiceError.sink("\(label): the split's upload ended early")
    }

    public func prepareCommit() async throws(SluiceError) -> [String: Int64] { [:] }

    public func commit(_ split: SplitCommit) async throws(SluiceError) {
        guard !loaders.isEmpty else { throw SluiceError.sink("\(label): commit before open") }
        let u = try await upload()
        if !u.commit(split) { try await failed(u) }
        current = nil
        nextLane = (nextLane + 1) % connections
        if connections == 1 {
            // One connection: the commit is awaited here, so the next split needs no gate.
            try await u.outcome()
        } else {
            previous = u.task
            handedOff.append((u, split.splitID))
        }
    }

    /// Waits for the oldest split handed off; its failure names it.
    func awaitOldest() async throws(SluiceError) {
        guard !handedOff.isEmpty else { return }
        let (u, id) = handedOff.removeFirst()
        do {
            try await u.outcome()
        } catch {
            throw SluiceError.sink("split \(id) was not committed: \(error.description)")
        }
    }

    public func awaitCommits() async throws(SluiceError) {
        while !handedOff.isEmpty { try await awaitOldest() }
    }

    public func rollback() async {
        await current?.cancel()
        current = nil
    }

    /// Rolls back the split being written and waits for those handed off (their failures
    /// were reported by `awaitCommits`, or the run is failing already).
    public func close() async throws(SluiceError) {
        await rollback()
        for (u, _) in handedOff { try? await u.outcome() }
        handedOff.removeAll()
        previous = nil
        for l in loaders { await l.close() }
        loaders.removeAll()
    }
}

/// COPY formatting (text or binary) for workers.
enum PostgresBatchEncoder: BatchEncoder {
    case text(CopyTextEncoder)
    case binary(CopyBinaryEncoder)

    func encode(_ batch: RecordBatch) throws(SluiceError) -> EncodedBatch {
        let bytes: [UInt8] =
            switch self {
            case .text(let e): e.encodeBytes(batch)
            case .binary(let e): e.encodeBytes(batch)
            }
        return EncodedBatch(bytes: bytes, rows: batch.count, origin: batch.origin)
    }
}
