import NIOCore
import SluiceCore

/// Loads splits into one table, each in one transaction with its ledger row: BEGIN; COPY
/// (into the table for append, into a staging table otherwise); move staged rows per mode;
/// INSERT the ledger row; COMMIT. Driven by one task at a time.
public final class PostgresTableLoader: @unchecked Sendable {
    public let settings: PostgresConnectionSettings
    public let options: PostgresLoadOptions
    public let pipeline: String
    /// CopyData messages are cut at about this size.
    public static let chunkBytes = 256 << 10

    var session: PostgresSession?
    var statements: PostgresLoadStatements
    var columnTypes: [String: String] = [:]
    var schema = Schema([])
    var copy: CopyInStream?
    var inTransaction = false
    var pending = ByteBuffer()
    /// The current split's chunks already sent: replayed on a new connection after a loss.
    var sent: [ByteBuffer] = []
    /// Set when a COPY failed because the connection broke.
    var copyLost = false
    /// Reconnect attempts after a lost connection, and the first pause (doubling, at most 8 s).
    public var retries = 8
    public var firstBackoff: Duration = .milliseconds(250)
    /// Whether a connection was ever established: until then a failure to connect is a wrong
    /// address or password, reported at once rather than retried.
    var everConnected = false
    /// How many times a lost connection was re-established.
    public internal(set) var reconnects = 0
    /// Whether COPY uses the binary format (decided by `open` from the table's column types).
    public private(set) var binary = false
    /// Maps a 1-based line of the current split's COPY stream to `file:line` of its source row.
    public var locate: ((Int) -> String?)?
    /// The current split's place among the sink's splits in flight, when there are several.
    public var order: (PostgresMergeOrder, index: Int)?
    /// How the current split's rows reach the table: straight into it, or through the stage.
    var route = SplitRoute.undecided
    /// The yield epoch and the time when the current direct COPY began (see `PostgresMergeOrder`).
    var directSince = 0
    var directStarted = ContinuousClock.now
    /// Set when the current direct COPY stopped on a key (SQLSTATE 23505, or 55P03 when
    /// another split's transaction held it): the rest of the split is only kept in `sent`,
    /// and the commit loads it all through the stage.
    var directFailure: String?
    /// Splits left to send through the stage before a direct COPY is tried again.
    var stagedAfterFallback = 0
    /// Whether the table declares every key column NOT NULL (a primary key does).
    var keysNotNull = false

    public init(settings: PostgresConnectionSettings, options: PostgresLoadOptions, pipeline: String) {
        self.settings = settings
        self.options = options
        self.pipeline = pipeline
        self.statements = PostgresLoadStatements(table: options.table, columns: [], mode: options.mode, key: options.key, partitionKeys: options.partitionKeys)
    }

    public var label: String { "postgres \(settings)#\(options.table)" }

    /// A loader of the same table on a connection of its own (opened at first use), so that a
    /// sink can load several splits at once. Call it on a loader that was `open`ed: the sibling
    /// takes its table's columns, types and COPY format instead of checking them again.
    public func sibling() -> PostgresTableLoader {
        let l = PostgresTableLoader(settings: settings, options: options, pipeline: pipeline)
        l.statements = statements
        l.columnTypes = columnTypes
        l.schema = schema
        l.binary = binary
        l.keysNotNull = keysNotNull
        l.retries = retries
        l.firstBackoff = firstBackoff
        l.everConnected = everConnected
        return l
    }

    func connection() async throws(SluiceError) -> PostgresSession {
        if let s = session, !s.isClosed { return s }
        let s = try await PostgresSession.connect(settings)
        session = s
        everConnected = true
        return s
    }

    /// Runs `step`, and runs it again on a new connection, after a backoff, whenever the
    /// connection is lost under it (`failure`: it already was). Every step (setting the table up,
    /// reading the ledger, replaying a split) starts a transaction of its own, so a retry starts
    /// from a clean slate. A failure that is not a lost connection is thrown as it is.
    func reconnecting<T>(after failure: SluiceError? = nil, _ step: () async throws(SluiceError) -> T) async throws(SluiceError) -> T {
        var last = failure
        var attempt = 0
        while true {
            if let error = last {
                guard attempt < max(retries, 1) else { throw gaveUp(error) }
                attempt += 1
                await disconnect()
                try await backoff(attempt)
            }
            do {
                let result = try await step()
                if last != nil { reconnects += 1 }
                return result
            } catch {
                guard connectionLost, everConnected else { throw error }
                last = error
            }
        }
    }

    /// The last lost connection's error, once the retries are spent.
    func gaveUp(_ error: SluiceError) -> SluiceError {
        .sink("\(error.description) (gave up after \(retries) reconnect attempts)")
    }

    /// Drops the connection (after it failed); the next call connects again. The split's
    /// data (`sent`, `pending`) is kept for a replay.
    func disconnect() async {
        // The connection is closed right after, which ends the COPY; waiting for a COPY on a
        // dead connection could wait forever.
        copy?.abandon()
        copy = nil
        directFailure = nil
        if route == .direct { route = .undecided }
        inTransaction = false
        copyLost = false
        await session?.close()
        session = nil
    }

    /// Whether the last failure was the connection's, not the statement's.
    var connectionLost: Bool {
        guard let s = session else { return true }
        return s.lost || s.isClosed || copyLost
    }

    func backoff(_ attempt: Int) async throws(SluiceError) {
        var d = firstBackoff
        for _ in 1..<attempt { d = min(d * 2, .seconds(8)) }
        do { try await Task.sleep(for: d) } catch { throw .cancelled }
    }

    /// After a lost connection: reconnects with backoff and replays the split so far into a new
    /// transaction.
    func recover(after error: SluiceError) async throws(SluiceError) {
        try await reconnecting(after: error) { () async throws(SluiceError) in try await replay() }
    }

    /// Starts the split again on the current connection and resends what was sent.
    func replay() async throws(SluiceError) {
        let chunks = sent
        try await begin(copying: !chunks.isEmpty)
        for c in chunks { try await sendOnce(c) }
    }

    /// Makes sure the ledger exists, creates or checks the table, and (full refresh) forgets
    /// this pipeline's splits and empties the table.
    public func open(schema: Schema, fullRefresh: Bool) async throws(SluiceError) {
        self.schema = schema
        statements = PostgresLoadStatements(
            table: options.table, columns: schema.names, mode: options.mode, key: options.key, partitionKeys: options.partitionKeys)
        try await reconnecting { () async throws(SluiceError) in try await setUp(fullRefresh: fullRefresh) }
    }

    /// `open`'s one transaction.
    func setUp(fullRefresh: Bool) async throws(SluiceError) {
        let s = try await connection()
        let t = options.table
        // Several workers may open the same table at once: the checks and the CREATEs below run
        // in one transaction under the lock every DDL of this schema's ledger takes, so exactly one creates it.
        try await s.execute("BEGIN")
        inTransaction = true
        try await s.rows("SELECT pg_advisory_xact_lock(hashtext($1))::text", [.text("sluice:" + statements.ledger.quoted)], context: "locking \(t)")
        for sql in statements.createLedger { try await s.execute(sql, context: "creating \(statements.ledger)") }
        if options.mode == .replace { try await s.execute(statements.createPartitions, context: "creating \(statements.partitions)") }
        if fullRefresh {
            try await s.rows("DELETE FROM \(statements.ledger.quoted) WHERE pipeline = $1", [.text(pipeline)], context: "--full-refresh")
            if options.mode == .replace {
                try await s.rows("DELETE FROM \(statements.partitions.quoted) WHERE pipeline = $1", [.text(pipeline)], context: "--full-refresh")
            }
            try await s.execute(options.create ? "DROP TABLE IF EXISTS \(t.quoted)" : "TRUNCATE \(t.quoted)", context: "--full-refresh of \(t)")
        }
        let existing = try await columns(s)
        if existing.isEmpty {
            guard options.create else {
                throw .sink("table \(t) does not exist in \(settings) (set create: true to create it from the output schema)")
            }
            let key = options.mode == .upsert || options.mode == .insertIgnore ? options.key : []
            try await s.execute(PostgresTableDefinition.createTable(t, schema: schema, primaryKey: key), context: "creating table \(t)")
            if options.mode == .replace {
                let cols = options.partitionKeys.map { PostgresIdentifier($0).quoted }.joined(separator: ", ")
                try await s.execute("CREATE INDEX ON \(t.quoted) (\(cols))", context: "indexing \(t)")
            }
            for f in schema.fields { columnTypes[f.name] = PostgresTableDefinition.sqlType(f.type) }
            keysNotNull = !key.isEmpty
        } else {
            let problems = PostgresTableDefinition.problems(table: t, existing: existing, schema: schema)
            if !problems.isEmpty { throw .sink(problems.joined(separator: "; ")) }
            for c in existing { columnTypes[c.name] = c.type }
            let notNull = Set(existing.filter(\.notNull).map(\.name))
            keysNotNull = !options.key.isEmpty && options.key.allSatisfy { notNull.contains($0) }
            if options.mode == .upsert || options.mode == .insertIgnore { try await checkUniqueKey(s) }
        }
        try await s.execute("COMMIT", context: "creating \(t)")
        inTransaction = false
        let fits = CopyBinaryEncoder.supports(schema, columnTypes: columnTypes)
        switch options.format {
        case .text: binary = false
        // Binary when every column has its natural type: the server parses it faster.
        case .auto: binary = fits
        case .binary:
            guard fits else {
                let odd = schema.fields.filter { !CopyBinaryEncoder.supports(Schema([$0]), columnTypes: columnTypes) }
                throw .sink(
                    "copy_format binary needs every column in its natural type; in \(t): "
                        + odd.map { "\($0.name) is \(columnTypes[$0.name] ?? "missing") for \($0.type)" }.joined(separator: ", "))
            }
            binary = true
        }
        if statements.usesStage {
            // A staging table left by an earlier load on this session may have other columns.
            try await s.execute(statements.dropStage)
        }
    }

    /// The table's columns, empty when it does not exist.
    func columns(_ s: PostgresSession) async throws(SluiceError) -> [PostgresExistingColumn] {
        let rows = try await s.rows(
            """
            SELECT a.attname::text, format_type(a.atttypid, a.atttypmod), a.attnotnull::text,
              (a.atthasdef OR a.attidentity <> '' OR a.attgenerated <> '')::text
            FROM pg_attribute a WHERE a.attrelid = to_regclass($1) AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum
            """, [.text(options.table.regclassText)], context: "reading the columns of \(options.table)")
        return rows.map {
            PostgresExistingColumn(name: $0[0] ?? "", type: $0[1] ?? "", notNull: $0[2] == "true", hasDefault: $0[3] == "true")
        }
    }

    /// ON CONFLICT needs a unique index (or primary key) on exactly the key columns.
    func checkUniqueKey(_ s: PostgresSession) async throws(SluiceError) {
        let rows = try await s.rows(
            """
            SELECT string_agg(a.attname::text, ',' ORDER BY a.attname) FROM pg_index i
            JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY(i.indkey)
            WHERE i.indrelid = to_regclass($1) AND i.indisunique AND i.indpred IS NULL GROUP BY i.indexrelid
            """, [.text(options.table.regclassText)], context: "reading the indexes of \(options.table)")
        let want = options.key.sorted().joined(separator: ",")
        let found = rows.compactMap { $0[0] }
        if !found.contains(want) {
            let have = found.isEmpty ? "it has none" : "it has unique indexes on (\(found.joined(separator: "), (")))"
            throw .sink(
                "mode \(options.mode.rawValue) needs a primary key or unique index on (\(options.key.joined(separator: ", "))) in table \(options.table); \(have)")
        }
    }

    /// The splits this pipeline committed, with their checkpoints.
    public func committed() async throws(SluiceError) -> [PostgresLedgerEntry] {
        let rows = try await reconnecting { () async throws(SluiceError) in
            let s = try await connection()
            try await s.executeLocked("sluice:" + statements.ledger.quoted, statements.createLedger, context: "creating \(statements.ledger)")
            return try await s.rows(statements.selectLedger, [.text(pipeline)], context: "reading \(statements.ledger)")
        }
        return rows.map { r in
            var e = PostgresLedgerEntry(
                splitID: r[0] ?? "", file: r[1] ?? "", source: r[2] ?? "", byteStart: Int64(r[3] ?? "") ?? 0,
                byteEnd: Int64(r[4] ?? "") ?? 0, checksum: r[5] ?? "", rows: Int(r[6] ?? "") ?? 0,
                sequence: Int64(r[7] ?? "") ?? 0, checkpoint: r[8] ?? "")
            e.committedAt = r[9] ?? ""
            return e
        }
    }

    /// Starts the split's transaction (and its COPY) on first use.
    func begin(copying: Bool) async throws(SluiceError) {
        let s = try await connection()
        if !inTransaction {
            try await s.execute("BEGIN", context: "starting a transaction")
            inTransaction = true
        }
        if copying, copy == nil, directFailure == nil {
            if route == .undecided { route = chooseRoute() }
            if route == .direct {
                try await s.execute("SAVEPOINT sluice_copy", context: "starting the split")
                directStarted = ContinuousClock.now
                if let (o, _) = order {
                    directSince = o.epoch
                    try await s.execute("SET LOCAL lock_timeout = '\(o.lockTimeoutMilliseconds)ms'", context: "starting the split")
                }
            } else if statements.usesStage {
                try await s.execute(statements.createStage(types: columnTypes), context: "creating the staging table")
            }
            copy = s.beginCopy(into: route == .direct ? statements.table : statements.copyTarget, columns: schema.names, binary: binary)
            if binary { try await sendOnce(ByteBuffer(bytes: CopyBinaryEncoder.header)) }
        }
    }

    /// `insert_ignore` copies a split straight into the table, the common case being that its
    /// keys are all new: measured here that costs the server about half of COPY into the stage
    /// plus `INSERT ... ON CONFLICT`. A key that is already there stops that COPY, and the
    /// split goes through the stage after all; after such a fallback the next splits go there
    /// directly for a while, so a load of mostly known keys does not pay twice for each split.
    func chooseRoute() -> SplitRoute {
        // A nullable key column would take nulls that the stage (NOT NULL there) refuses.
        guard options.mode == .insertIgnore, keysNotNull else { return .staged }
        if stagedAfterFallback > 0 {
            stagedAfterFallback -= 1
            return .staged
        }
        return .direct
    }

    /// Appends COPY text rows (whole lines) to the split being loaded.
    /// Appends COPY text rows (whole lines); they leave in CopyData messages of `chunkBytes`.
    public func write(bytes: [UInt8]) async throws(SluiceError) {
        var at = 0
        while at < bytes.count {
            let take = min(Self.chunkBytes - pending.readableBytes, bytes.count - at)
            pending.writeBytes(bytes[at..<(at + take)])
            at += take
            if pending.readableBytes >= Self.chunkBytes { try await flush() }
        }
    }

    /// Appends COPY text rows already in a `ByteBuffer`.
    public func write(_ buffer: ByteBuffer) async throws(SluiceError) {
        var b = buffer
        while b.readableBytes > 0 {
            var piece = b.readSlice(length: min(Self.chunkBytes - pending.readableBytes, b.readableBytes)) ?? ByteBuffer()
            pending.writeBuffer(&piece)
            if pending.readableBytes >= Self.chunkBytes { try await flush() }
        }
    }

    func flush() async throws(SluiceError) {
        guard pending.readableBytes > 0 else { return }
        // Each chunk gets its own storage: `sent` keeps chunks for a replay, and a shared
        // buffer would be copied on every later write.
        let chunk = pending
        pending = ByteBuffer()
        pending.reserveCapacity(Self.chunkBytes)
        try await send(chunk)
    }

    func send(_ chunk: ByteBuffer) async throws(SluiceError) {
        sent.append(chunk)
        if directFailure != nil { return }
        do {
            try await begin(copying: true)
            try await sendOnce(chunk)
        } catch {
            guard connectionLost else { throw error }
            try await recover(after: error)
        }
    }

    func sendOnce(_ chunk: ByteBuffer) async throws(SluiceError) {
        if directFailure != nil { return }
        guard let c = copy else { throw .sink("\(label): COPY is not running") }
        do {
            try await c.send(chunk)
        } catch {
            // The server's error arrives with the COPY's end; report that one, not the write's.
            copy = nil
            do { try await c.finish() } catch let e {
                if keyStopped(e) { return }
                throw copyError(e)
            }
            throw copyError(error)
        }
    }

    /// Whether a direct COPY failed on a key (then noted in `directFailure`, and not an error).
    func keyStopped(_ error: any Error) -> Bool {
        guard route == .direct, let state = PostgresErrorText.serverFields(error)?.sqlState, state == "23505" || state == "55P03" else {
            return false
        }
        directFailure = state
        return true
    }

    /// A COPY failure as one line: the server's message, the table and column, and where the
    /// offending row came from (`file:line`) when the server named the COPY line.
    func copyError(_ error: any Error) -> SluiceError {
        if PostgresErrorText.isConnectionLoss(error) || (session?.isClosed ?? true) { copyLost = true }
        var msg = PostgresErrorText.describe(error)
        if let f = PostgresErrorText.serverFields(error) {
            var whereText: [String] = []
            let tableName = f.table.map { t in options.table.schema.map { "\($0).\(t)" } ?? t } ?? options.table.description
            whereText.append("table \(tableName)")
            if let c = f.column { whereText.append("column \(c)") }
            if let ctx = f.context, let line = Self.copyLine(ctx), let origin = locate?(line) {
                whereText.append("row from \(origin)")
            }
            if let k = f.constraint { whereText.append("constraint \(k)") }
            msg = whereText.joined(separator: ", ") + ": " + msg
        }
        return .sink(settings.redact("loading into \(options.table): \(msg)"))
    }

    /// The N of "COPY t, line N" in a server error context.
    static func copyLine(_ context: String) -> Int? {
        guard let r = context.firstRange(of: ", line ") else { return nil }
        let digits = context[r.upperBound...].prefix { $0.isNumber }
        return Int(digits)
    }

    func ledgerValues(_ e: PostgresLedgerEntry, target: String) -> [PostgresValue] {
        [
            .text(pipeline), .text(e.splitID), .text(e.file), .text(e.source), .int(e.byteStart), .int(e.byteEnd), .text(target),
            .text(e.checksum), .int(Int64(e.rows)), .int(e.sequence), .text(e.checkpoint),
        ]
    }

    /// Records a split without rows (its content was already loaded).
    func record(_ e: PostgresLedgerEntry, target: String) async throws(SluiceError) {
        let s = try await connection()
        try await s.rows(statements.insertLedger, ledgerValues(e, target: target), context: "recording the split in \(statements.ledger)")
    }

    /// Whether the ledger holds `splitID` (after a connection loss during COMMIT, this tells
    /// whether the commit happened).
    public func isCommitted(splitID: String) async throws(SluiceError) -> Bool {
        let s = try await connection()
        let r = try await s.rows(
            "SELECT 1::text FROM \(statements.ledger.quoted) WHERE pipeline = $1 AND split_id = $2", [.text(pipeline), .text(splitID)],
            context: "reading \(statements.ledger)")
        return !r.isEmpty
    }

    /// Abandons the split being loaded.
    public func rollback() async {
        pending.clear()
        sent.removeAll()
        route = .undecided
        directFailure = nil
        if let c = copy {
            copy = nil
            await c.cancel()
        }
        if inTransaction {
            inTransaction = false
            if let s = session, !s.isClosed {
                do { try await s.execute("ROLLBACK") } catch { await disconnect() }
            }
        }
    }

    public func close() async {
        await rollback()
        await session?.close()
        session = nil
    }
}

/// How a split's rows reach the table (see `PostgresTableLoader.chooseRoute`).
enum SplitRoute {
    case undecided
    /// COPY into the table itself, inside the savepoint `sluice_copy`.
    case direct
    /// COPY into the staging table, then the mode's statement.
    case staged
}
