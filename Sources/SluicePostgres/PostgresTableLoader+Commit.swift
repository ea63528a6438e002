import NIOCore
import SluiceCore

/// A split's commit: the end of its COPY, the mode's statement (possibly before the split's
/// turn, see `PostgresMergeOrder`), the ledger row and COMMIT, with the retry after a lost
/// connection.
extension PostgresTableLoader {
    /// What `commit` found.
    public enum CommitOutcome: Sendable, Equatable {
        case committed
        /// The same bytes with the same content were committed before under another identity
        /// of the file (it was touched or copied): nothing was written.
        case alreadyCommitted(splitID: String)
    }

    /// Ends the split's COPY, moves the rows per mode, records `entry` in the ledger, and commits,
    /// all in one transaction. `currentSources` are the identities of the current input files
    /// (replace mode keeps rows those wrote earlier in this load).
    ///
    /// A lost connection (server restart, terminated backend, network) is retried with backoff:
    /// on a new connection the ledger tells whether the COMMIT got through; if not, the split is
    /// replayed and committed again.
    ///
    /// `gate`, when given, is awaited once the split's rows are all in the transaction and before
    /// the ledger row and COMMIT: a sink that loads several splits at once on several
    /// connections passes "the split before this one committed", so that splits commit in
    /// order. If it throws, the split is not committed and that error is thrown, without a
    /// retry. With `order` set as well, a keyed mode's statement may run before the gate (see
    /// `PostgresMergeOrder`); otherwise it runs after it.
    public func commit(
        _ entry: PostgresLedgerEntry, target: String, currentSources: [String],
        after gate: (@Sendable () async throws(SluiceError) -> Void)? = nil
    ) async throws(SluiceError) -> CommitOutcome {
        var attempt = 0
        // The gate is awaited once: a retry after a lost connection does not ask again.
        let gateTask: Task<Void, any Error>? = gate.map { g in Task { try await g() } }
        var gateFailure: SluiceError?
        func passGate() async throws(SluiceError) {
            guard let gateTask else { return }
            do {
                try await gateTask.value
            } catch {
                let e = error as? SluiceError ?? .sink("\(error)")
                gateFailure = e
                throw e
            }
        }
        // The first split in flight has no gate, yet its merge must still give way to later
        // splits holding its keys.
        let early = order.map { (o, index) in EarlyMerge(order: o, index: index, gate: gateTask) }
        while true {
            do throws(SluiceError) {
                let outcome = try await commitOnce(entry, target: target, currentSources: currentSources, gate: passGate, early: early)
                sent.removeAll()
                route = .undecided
                return outcome
            } catch {
                attempt += 1
                if let e = gateFailure { throw e }
                guard connectionLost else { throw error }
                guard attempt <= retries else { throw gaveUp(error) }
                // Only two ways on: the ledger shows the COMMIT got through, or the split is
                // replayed into a new transaction. Trying the COMMIT again without the replay
                // (say, because the server was still starting when we asked) would record the
                // split without its rows.
                while true {
                    await disconnect()
                    try await backoff(attempt)
                    do {
                        if try await isCommitted(splitID: entry.splitID) {
                            sent.removeAll()
                            pending.clear()
                            route = .undecided
                            return .committed
                        }
                        try await replay()
                        reconnects += 1
                        break
                    } catch {
                        attempt += 1
                        guard connectionLost else { throw error }
                        guard attempt <= retries else { throw gaveUp(error) }
                    }
                }
            }
        }
    }

    /// A split's part in early merges (see `PostgresMergeOrder`).
    struct EarlyMerge {
        let order: PostgresMergeOrder
        /// The split's place in commit order.
        let index: Int
        /// Ends when the split before this one committed; nil for the first split.
        let gate: Task<Void, any Error>?

        /// After early work (begun at `workStarted`, at yield epoch `since`): true when the
        /// split's turn came, false when it must undo that work and redo it in turn.
        func awaitTurn(since: Int, workStarted: ContinuousClock.Instant) async -> Bool {
            guard let gate else { return true }
            let limit = PostgresMergeOrder.turnLimit(worked: ContinuousClock.now - workStarted)
            return await order.wait(for: gate, index: index, since: since, limit: limit)
        }
    }

    func commitOnce(
        _ entry: PostgresLedgerEntry, target: String, currentSources: [String], gate: () async throws(SluiceError) -> Void,
        early: EarlyMerge?
    ) async throws(SluiceError) -> CommitOutcome {
        // The split's rows that were sent must be in this transaction's COPY; a COMMIT without
        // them would record the split as loaded with its rows missing.
        guard sent.isEmpty || copy != nil || directFailure != nil else {
            throw .sink("\(label): split \(entry.splitID) lost its COPY before COMMIT; nothing was committed")
        }
        try await begin(copying: pending.readableBytes > 0)
        let s = try await connection()
        try await flush()
        try await endCopy()
        // Whether another split in flight wanted the same keys: then this one merges in turn.
        var contended = directFailure == "55P03"
        if directFailure != nil { try await stageAfterDirect(s, yield: contended) }
        // Rows copied straight into the table are merged already, unless a split before this
        // one needs their keys first.
        var merged = false
        if route == .direct {
            merged = true
            if let e = early { merged = await e.awaitTurn(since: directSince, workStarted: directStarted) }
            if !merged {
                contended = true
                try await stageAfterDirect(s, yield: false)
            } else if order != nil {
                try await s.execute("SET LOCAL lock_timeout TO DEFAULT", context: "loading split \(entry.splitID)")
            }
        }
        // A split without rows (say, an aggregate with no groups) never made the staging table.
        let merge = entry.rows > 0 && !merged ? statements.merge : nil
        let mergeContext = "moving the rows of \(entry.file) into \(options.table) (\(options.mode.rawValue))"
        // DISTINCT ON sorts the whole split: in memory, not in temp files.
        if merge != nil, options.mode != .replace { try await s.execute("SET LOCAL work_mem = '256MB'", context: "sizing the merge") }
        if let e = early, !contended, let merge, options.mode == .insertIgnore || options.mode == .upsert {
            let since = e.order.epoch
            let started = ContinuousClock.now
            if try await tryMerge(s, merge, e.order, context: mergeContext) {
                merged = await e.awaitTurn(since: since, workStarted: started)
                if !merged { try await s.execute("ROLLBACK TO SAVEPOINT sluice_merge", context: "yielding to an earlier split") }
            } else {
                e.order.requestYield(after: e.index)
            }
        }
        try await gate()
        // Waiting at the gate, the connection sat idle in its transaction and may have died
        // meanwhile (a terminated backend): a statement sent on it then was seen to get no answer
        // until the 120 s deadline, so a closed connection goes straight to the retry.
        if s.isClosed {
            copyLost = true
            throw .sink("\(label): the connection closed while split \(entry.splitID) waited for the split before it")
        }
        if options.mode == .append {
            let earlier = try await s.rows(
                statements.overlappingLedger,
                [.text(pipeline), .text(entry.file), .int(entry.byteStart), .int(entry.byteEnd), .text(entry.splitID)],
                context: "reading \(statements.ledger)")
            if let e = earlier.first {
                let same = earlier.count == 1 && Int64(e[1] ?? "") == entry.byteStart && Int64(e[2] ?? "") == entry.byteEnd
                    && e[3] == entry.checksum && Int(e[4] ?? "") == entry.rows
                await rollback()
                if same {
                    try await record(entry, target: target)
                    return .alreadyCommitted(splitID: e[0] ?? "")
                }
                throw .sink(
                    "\(entry.file) changed after bytes \(e[1] ?? "?")-\(e[2] ?? "?") of it were loaded into \(options.table) "
                        + "(split \(e[0] ?? "?"), \(e[4] ?? "?") rows, checksum \(e[3] ?? "?"), committed \(e[5] ?? "?")); "
                        + "now bytes \(entry.byteStart)-\(entry.byteEnd) hold \(entry.rows) rows with checksum \(entry.checksum). "
                        + "Loading them would duplicate or mix rows, so nothing was written: restore the file, or use --full-refresh")
            }
        }
        if !merged, let merge {
            let sources = PostgresValue.textArray(currentSources)
            if options.mode == .replace {
                try await s.rows(statements.replaceDelete, [.text(pipeline), .text(target), sources], context: "replacing partitions of \(options.table)")
            }
            if let e = early {
                // Later splits may hold keys of this one in their early merges: they yield. A
                // lock that no yield frees (another client's open transaction) fails the split
                // after the statement limit, as a blocked statement would.
                let until = ContinuousClock.now + PostgresSession.statementLimit
                while !(try await tryMerge(s, merge, e.order, context: mergeContext)) {
                    guard ContinuousClock.now < until else {
                        throw .sink(
                            "\(label): \(mergeContext): waited \(PostgresSession.statementLimit) for a lock on keys of this split "
                                + "held by another transaction (pg_locks shows which)")
                    }
                    e.order.requestYield(after: e.index)
                }
            } else {
                try await s.rows(merge, context: mergeContext)
            }
            if options.mode == .replace {
                let r = statements.replaceRecord
                try await s.rows(r[0], [.text(pipeline), .text(target), sources], context: "recording partitions")
                try await s.rows(r[1], [.text(pipeline), .text(target), .text(entry.source)], context: "recording partitions")
            }
        }
        try await s.rows(statements.insertLedger, ledgerValues(entry, target: target), context: "recording the split in \(statements.ledger)")
        try await s.execute("COMMIT", context: "committing split \(entry.splitID)")
        inTransaction = false
        return .committed
    }

    /// Ends the split's COPY (a direct one may end stopped on a key: `directFailure`).
    func endCopy() async throws(SluiceError) {
        if copy != nil, binary { try await sendOnce(ByteBuffer(bytes: CopyBinaryEncoder.trailer)) }
        guard let c = copy else { return }
        copy = nil
        do {
            try await c.finish()
        } catch {
            if keyStopped(error) { return }
            throw copyError(error)
        }
    }

    /// Undoes the split's direct COPY and sends its rows again, into the stage. `yield`: the
    /// COPY waited too long on another split's key, and the splits after this one give way.
    func stageAfterDirect(_ s: PostgresSession, yield: Bool) async throws(SluiceError) {
        try await s.execute("ROLLBACK TO SAVEPOINT sluice_copy", context: "loading the split through the staging table")
        if directFailure != nil { stagedAfterFallback = 8 }
        if yield, let (o, index) = order { o.requestYield(after: index) }
        directFailure = nil
        route = .staged
        let chunks = sent
        try await begin(copying: true)
        for c in chunks { try await sendOnce(c) }
        try await endCopy()
    }

    /// Runs `merge` in the savepoint `sluice_merge` with `order`'s lock timeout. False, with
    /// the savepoint rolled back, when it waited that long for a lock (another split's key).
    func tryMerge(_ s: PostgresSession, _ merge: String, _ order: PostgresMergeOrder, context: String) async throws(SluiceError) -> Bool {
        try await s.execute("SAVEPOINT sluice_merge", context: context)
        try await s.execute("SET LOCAL lock_timeout = '\(order.lockTimeoutMilliseconds)ms'", context: context)
        do {
            try await s.rows(merge, context: context)
        } catch {
            // 55P03 lock_not_available: the lock timeout.
            guard s.lastSQLState == "55P03", !s.isClosed else { throw error }
            try await s.execute("ROLLBACK TO SAVEPOINT sluice_merge", context: context)
            return false
        }
        try await s.execute("SET LOCAL lock_timeout TO DEFAULT", context: context)
        return true
    }
}
