import SluiceCore
import SluicePostgres

/// What the commit loop hands an upload: the split's rows, then its commit.
enum PostgresUploadInput: Sendable {
    case rows(EncodedBatch)
    case commit(SplitCommit)
}

/// One split on its way into the table over one of the sink's connections. A task of its own
/// streams the rows the commit loop queues, then ends the COPY and commits (ledger row
/// included), so the commit loop can go on with the next split on another connection while
/// this one's server backend is still busy: that overlap is where `connections: N` gains.
///
/// The queue is not bounded: it holds at most the rest of one split, and the loader keeps a
/// split's COPY chunks until its commit anyway (for a replay after a lost connection), so a
/// bound would not lower the peak.
final class PostgresSplitUpload: Sendable {
    /// The sink's connection this split uses.
    let lane: Int
    let input: AsyncStream<PostgresUploadInput>.Continuation
    let task: Task<Void, any Error>

    /// Starts the upload on `loader`. `previous` is the upload of the split before this one
    /// (on another connection, when there are several); this split commits only after it did,
    /// so the ledger always holds a prefix of the splits in commit order (see `PostgresSink`).
    ///
    /// `order` (with this split's place in commit order) lets keyed modes merge before the
    /// gate, at the same time as the splits around it (see `PostgresMergeOrder`).
    init(
        lane: Int, loader: PostgresTableLoader, target: String, currentSources: [String], after previous: Task<Void, any Error>?,
        order: (PostgresMergeOrder, index: Int)?
    ) {
        self.lane = lane
        let (stream, input) = AsyncStream<PostgresUploadInput>.makeStream()
        self.input = input
        var gate: (@Sendable () async throws(SluiceError) -> Void)?
        if let p = previous {
            gate = { () async throws(SluiceError) in
                do { try await p.value } catch { throw SluiceError.sink("not committed because the split before it failed") }
            }
        }
        let after = gate
        task = Task {
            let rows = PostgresSplitRows()
            loader.locate = { rows.origin(ofCopyLine: $0) }
            loader.order = order
            do {
                for await item in stream {
                    switch item {
                    case .rows(let batch):
                        rows.add(batch)
                        try await loader.write(bytes: batch.bytes)
                    case .commit(let split):
                        _ = try await loader.commit(rows.ledgerEntry(split), target: target, currentSources: currentSources, after: after)
                        return
                    }
                }
            } catch {
                // Rows queued after a failure are refused, so the sink learns of it at once.
                input.finish()
                await loader.rollback()
                throw error
            }
            // The stream ended without a commit (or the upload was cancelled): roll back.
            await loader.rollback()
            throw SluiceError.cancelled
        }
    }

    /// Queues rows; false when the upload already failed (its `outcome` says why).
    func send(_ batch: EncodedBatch) -> Bool {
        if case .terminated = input.yield(.rows(batch)) { return false }
        return true
    }

    /// Queues the commit; false when the upload already failed.
    func commit(_ split: SplitCommit) -> Bool {
        defer { input.finish() }
        if case .terminated = input.yield(.commit(split)) { return false }
        return true
    }

    /// Waits until the split committed, or throws why it did not.
    func outcome() async throws(SluiceError) {
        do {
            try await task.value
        } catch let e as SluiceError {
            throw e
        } catch {
            throw .sink("\(error)")
        }
    }

    /// Abandons a split that was not handed off for commit: its transaction is rolled back.
    func cancel() async {
        input.finish()
        task.cancel()
        _ = try? await task.value
    }
}

/// What an upload learns from a split's rows as they pass: the checksum for the ledger and
/// where each row came from (for errors that name a row). Used by the upload's task only.
final class PostgresSplitRows: @unchecked Sendable {
    var checksum = SplitChecksum()
    /// The origins of the split's rows, by the split-relative index of their first row.
    var origins: [(firstRow: Int, origin: RowOrigin)] = []
    var count = 0

    func add(_ batch: EncodedBatch) {
        batch.bytes.withUnsafeBytes { checksum.update($0) }
        if let o = batch.origin { origins.append((count, o)) }
        count += batch.rows
    }

    /// `file:line` of the row on 1-based line `line` of the split's COPY stream.
    func origin(ofCopyLine line: Int) -> String? {
        let row = line - 1
        guard let k = origins.lastIndex(where: { $0.firstRow <= row }) else { return nil }
        let (first, o) = origins[k]
        if let l = o.line(row - first) { return "\(o.source):\(l)" }
        return o.source
    }

    func ledgerEntry(_ split: SplitCommit) -> PostgresLedgerEntry {
        PostgresLedgerEntry(
            splitID: split.splitID, file: split.file, source: split.source, byteStart: split.byteStart, byteEnd: split.byteEnd,
            checksum: checksum.hex, rows: split.rows, sequence: split.checkpoint.sequence, checkpoint: split.checkpoint.encoded)
    }
}
