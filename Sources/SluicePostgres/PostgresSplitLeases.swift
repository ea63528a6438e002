import SluiceCore

/// The splits of one job shared by worker processes on any number of machines, in a table
/// beside the ledger (`sluice_splits`).
///
/// A worker claims splits with `FOR UPDATE SKIP LOCKED`, so two workers never claim the same
/// free split, and holds a lease that it renews while it works; a split whose lease expired
/// (its worker died or hung) is claimable again. Whether a split is done is not stored here but
/// read from the ledger, which commits in the same transaction as the split's rows: so a
/// lease can never say "done" for rows that are not there. Two workers committing the same
/// split (one of them past its lease) cannot both succeed: the ledger's primary key refuses the
/// second, and its transaction, rows included, rolls back.
public final class PostgresSplitLeases: @unchecked Sendable {
    let session: PostgresSession
    let pipeline: String
    let table: PostgresTableName
    let ledger: PostgresTableName
    public let owner: String

    /// Connects and creates the lease table (and the ledger, so the first query can read it).
    public init(settings: PostgresConnectionSettings, beside target: PostgresTableName, pipeline: String, owner: String) async throws(SluiceError) {
        session = try await PostgresSession.connect(settings)
        self.pipeline = pipeline
        self.owner = owner
        table = target.sibling("sluice_splits")
        ledger = target.sibling("sluice_ledger")
        let ddl = PostgresLoadStatements.ledgerDefinition(ledger) + [
            """
            CREATE TABLE IF NOT EXISTS \(table.quoted) (pipeline text NOT NULL, split_id text NOT NULL, seq bigint NOT NULL,
              owner text, lease_until timestamptz, claims int NOT NULL DEFAULT 0, PRIMARY KEY (pipeline, split_id))
            """
        ]
        try await session.executeLocked("sluice:" + ledger.quoted, ddl, context: "creating \(table)")
    }

    /// Registers the job's splits in plan order; splits registered before keep their state.
    public func register(_ splitIDs: [String]) async throws(SluiceError) {
        var k = 0
        while k < splitIDs.count {
            let chunk = Array(splitIDs[k..<min(k + 1000, splitIDs.count)])
            try await session.rows(
                """
                INSERT INTO \(table.quoted) (pipeline, split_id, seq)
                SELECT $1, id, ord + $3 FROM unnest($2::text[]) WITH ORDINALITY AS u(id, ord)
                ON CONFLICT (pipeline, split_id) DO NOTHING
                """, [.text(pipeline), .textArray(chunk), .int(Int64(k))], context: "registering splits in \(table)")
            k += chunk.count
        }
    }

    /// Claims up to `limit` splits that are neither committed nor leased by a live worker, in
    /// plan order, for `lease` seconds.
    public func claim(_ limit: Int, lease seconds: Int) async throws(SluiceError) -> [String] {
        let rows = try await session.rows(
            """
            UPDATE \(table.quoted) s SET owner = $2, lease_until = now() + make_interval(secs => $3), claims = s.claims + 1
            WHERE s.pipeline = $1 AND s.split_id IN (
              SELECT c.split_id FROM \(table.quoted) c
              WHERE c.pipeline = $1 AND (c.lease_until IS NULL OR c.lease_until < now())
                AND NOT EXISTS (SELECT 1 FROM \(ledger.quoted) l WHERE l.pipeline = c.pipeline AND l.split_id = c.split_id)
              ORDER BY c.seq LIMIT $4 FOR UPDATE SKIP LOCKED)
            RETURNING s.split_id
            """, [.text(pipeline), .text(owner), .int(Int64(seconds)), .int(Int64(limit))], context: "claiming splits in \(table)")
        return rows.compactMap { $0.first ?? nil }
    }

    /// Extends the leases this worker holds on `splitIDs`.
    public func renew(_ splitIDs: [String], lease seconds: Int) async throws(SluiceError) {
        guard !splitIDs.isEmpty else { return }
        try await session.rows(
            """
            UPDATE \(table.quoted) SET lease_until = now() + make_interval(secs => $3)
            WHERE pipeline = $1 AND owner = $2 AND split_id = ANY($4::text[])
            """, [.text(pipeline), .text(owner), .int(Int64(seconds)), .textArray(splitIDs)], context: "renewing leases in \(table)")
    }

    /// Splits not yet committed: those free to claim, and those leased by live workers.
    public func outstanding() async throws(SluiceError) -> (free: Int, leased: Int) {
        let r = try await session.rows(
            """
            SELECT (count(*) FILTER (WHERE c.lease_until IS NULL OR c.lease_until < now()))::text,
                   (count(*) FILTER (WHERE c.lease_until >= now()))::text
            FROM \(table.quoted) c WHERE c.pipeline = $1
              AND NOT EXISTS (SELECT 1 FROM \(ledger.quoted) l WHERE l.pipeline = c.pipeline AND l.split_id = c.split_id)
            """, [.text(pipeline)], context: "reading \(table)")
        let row = r.first ?? []
        return (Int((row.first ?? nil) ?? "") ?? 0, Int((row.dropFirst().first ?? nil) ?? "") ?? 0)
    }

    public func close() async { await session.close() }
}
