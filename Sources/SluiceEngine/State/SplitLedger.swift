import SluiceCore

/// The table of committed splits, the same in the state store and inside a SQLite destination
/// (where it is written in the same transaction as the rows).
enum SplitLedger {
    static func create(_ db: SQLiteDatabase, table: String) throws(SluiceError) {
        try db.execute("""
            CREATE TABLE IF NOT EXISTS \(table) (pipeline TEXT NOT NULL, split_id TEXT NOT NULL, file TEXT, rows INTEGER,
              seq INTEGER, checkpoint TEXT, committed_at TEXT DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')),
              PRIMARY KEY (pipeline, split_id))
            """)
    }

    static func read(_ db: SQLiteDatabase, table: String, pipeline: String) throws(SluiceError) -> [String: Checkpoint] {
        var out: [String: Checkpoint] = [:]
        for row in try db.rows("SELECT split_id, seq, checkpoint FROM \(table) WHERE pipeline = ?", [.string(pipeline)]) {
            guard case .string(let id) = row[0], case .int(let seq) = row[1] else { continue }
            let cp: String = if case .string(let s) = row[2] { s } else { "" }
            out[id] = Checkpoint(sequence: seq, encoded: cp)
        }
        return out
    }

    static func record(_ db: SQLiteDatabase, table: String, _ split: SplitCommit) throws(SluiceError) {
        _ = try db.rows(
            "INSERT OR REPLACE INTO \(table) (pipeline, split_id, file, rows, seq, checkpoint) VALUES (?, ?, ?, ?, ?, ?)",
            [.string(split.pipeline), .string(split.splitID), .string(split.file), .int(Int64(split.rows)),
             .int(split.checkpoint.sequence), .string(split.checkpoint.encoded)])
    }
}
