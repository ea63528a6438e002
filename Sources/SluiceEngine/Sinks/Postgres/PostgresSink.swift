import SluiceCore
import SluicePostgres

/// Writes rows into a PostgreSQL table with COPY, one transaction per split that also inserts
/// the split's row into `sluice_ledger`, so a crash at any instant leaves each split either
/// wholly loaded (and recorded) or absent; a re-run loads only what is missing.
///
/// Rows are formatted on the workers (`encoder`): binary COPY when every column has its
/// natural type in the table, text otherwise; the commit loop only streams the bytes. See `PostgresTableLoader` for the per-mode SQL and the retry on a lost connection.
public final class PostgresSink: Sink, @unchecked Sendable {
    let config: PostgresSinkConfig
    /// The pipeline's input files: their identities tell replace mode which rows belong to this load.
    let inputs: [String]
    var loader: PostgresTableLoader?
    var rowEncoder: PostgresBatchEncoder?
    var checksum = SplitChecksum()
    /// The origins of the current split's rows, by the split-relative index of their first row.
    var origins: [(firstRow: Int, origin: RowOrigin)] = []
    var rowsInSplit = 0
    var currentSources: [String] = []

    public init(_ config: PostgresSinkConfig, inputs: [String]) {
        self.config = config
        self.inputs = inputs
    }

    public var label: String { "postgres \(config.connection)#\(config.table)" }

    func loader(pipeline: String) -> PostgresTableLoader {
        if let l = loader { return l }
        let l = PostgresTableLoader(
            settings: config.connection,
            options: PostgresLoadOptions(
                table: config.table, mode: config.mode, key: config.key, partitionKeys: config.partitionKeys, create: config.create,
                format: config.format),
            pipeline: pipeline)
        l.locate = { [unowned self] line in self.origin(ofCopyLine: line) }
        loader = l
        return l
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
        guard let l = loader else { throw SluiceError.sink("\(label): write before open") }
        encoded.bytes.withUnsafeBytes { checksum.update($0) }
        if let o = encoded.origin { origins.append((rowsInSplit, o)) }
        rowsInSplit += encoded.rows
        try await l.write(bytes: encoded.bytes)
    }

    /// `file:line` of the row on 1-based line `line` of the current split's COPY stream.
    func origin(ofCopyLine line: Int) -> String? {
        let row = line - 1
        guard let k = origins.lastIndex(where: { $0.firstRow <= row }) else { return nil }
        let (first, o) = origins[k]
        if let l = o.line(row - first) { return "\(o.source):\(l)" }
        return o.source
    }

    public func prepareCommit() async throws(SluiceError) -> [String: Int64] { [:] }

    public func commit(_ split: SplitCommit) async throws(SluiceError) {
        guard let l = loader else { throw SluiceError.sink("\(label): commit before open") }
        let entry = PostgresLedgerEntry(
            splitID: split.splitID, file: split.file, source: split.source, byteStart: split.byteStart, byteEnd: split.byteEnd,
            checksum: checksum.hex, rows: split.rows, sequence: split.checkpoint.sequence, checkpoint: split.checkpoint.encoded)
        _ = try await l.commit(entry, target: config.table.description, currentSources: currentSources)
        reset()
    }

    func reset() {
        checksum = SplitChecksum()
        origins.removeAll(keepingCapacity: true)
        rowsInSplit = 0
    }

    public func rollback() async {
        await loader?.rollback()
        reset()
    }

    public func close() async throws(SluiceError) {
        await loader?.close()
        loader = nil
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
