import SluiceCore

/// The committed splits of a Parquet dataset and the files each one produced, kept in
/// `<dataset>/_sluice/ledger.sqlite` (readers skip folders starting with `_`).
///
/// A split's row and its file rows go in one SQLite transaction, after the files were renamed
/// into place: a file that is in a folder but not here belongs to a split that never committed,
/// and the next run deletes it.
final class DatasetLedger: @unchecked Sendable {
    let db: SQLiteDatabase
    static let splits = "_sluice_splits"
    static let files = "_sluice_files"
    static let folder = "_sluice"

    init(dataset: String) throws(SluiceError) {
        let dir = FileIO.join(dataset, DatasetLedger.folder)
        do { try FileIO.makeDirectories(dir) } catch { throw SluiceError.io(path: dir, message: error.message) }
        db = try SQLiteDatabase(path: FileIO.join(dir, "ledger.sqlite"))
        try SplitLedger.create(db, table: DatasetLedger.splits)
        try db.execute("""
            CREATE TABLE IF NOT EXISTS \(DatasetLedger.files) (pipeline TEXT NOT NULL, split_id TEXT NOT NULL,
              path TEXT NOT NULL PRIMARY KEY, rows INTEGER NOT NULL, seq INTEGER NOT NULL)
            """)
    }

    func committedSplits(pipeline: String) throws(SluiceError) -> [String: Checkpoint] {
        try SplitLedger.read(db, table: DatasetLedger.splits, pipeline: pipeline)
    }

    /// Paths (relative to the dataset) of the committed files of `pipeline`, or of every pipeline.
    func files(pipeline: String? = nil) throws(SluiceError) -> [String] {
        let rows: [[Scalar]]
        if let p = pipeline {
            rows = try db.rows("SELECT path FROM \(DatasetLedger.files) WHERE pipeline = ? ORDER BY path", [.string(p)])
        } else {
            rows = try db.rows("SELECT path FROM \(DatasetLedger.files) ORDER BY path")
        }
        return rows.compactMap { if case .string(let s) = $0[0] { s } else { nil } }
    }

    /// The highest file sequence number `pipeline` has committed (0 when none).
    func lastFileSequence(pipeline: String) throws(SluiceError) -> Int64 {
        let r = try db.rows("SELECT coalesce(max(seq), 0) FROM \(DatasetLedger.files) WHERE pipeline = ?", [.string(pipeline)])
        if case .int(let v) = r.first?.first { return v }
        return 0
    }

    /// Records a split and its files in one transaction. With `replacing`, the pipeline's earlier
    /// splits and files are forgotten in the same transaction; their paths are returned so the
    /// caller deletes them once the new state is durable.
    func record(_ split: SplitCommit, files: [(path: String, rows: Int)], sequence: Int64, replacing: Bool) throws(SluiceError) -> [String] {
        try db.execute("BEGIN IMMEDIATE")
        do {
            var replaced: [String] = []
            if replacing {
                replaced = try self.files(pipeline: split.pipeline)
                _ = try db.rows("DELETE FROM \(DatasetLedger.files) WHERE pipeline = ?", [.string(split.pipeline)])
                _ = try db.rows("DELETE FROM \(DatasetLedger.splits) WHERE pipeline = ?", [.string(split.pipeline)])
            }
            try SplitLedger.record(db, table: DatasetLedger.splits, split)
            for f in files {
                _ = try db.rows(
                    "INSERT OR REPLACE INTO \(DatasetLedger.files) (pipeline, split_id, path, rows, seq) VALUES (?, ?, ?, ?, ?)",
                    [.string(split.pipeline), .string(split.splitID), .string(f.path), .int(Int64(f.rows)), .int(sequence)])
            }
            try db.execute("COMMIT")
            let kept = Set(files.map(\.path))
            return replaced.filter { !kept.contains($0) }
        } catch {
            try? db.execute("ROLLBACK")
            throw error
        }
    }

    /// Forgets every split and file of `pipeline` (a full refresh, after its files are deleted).
    func forget(pipeline: String) throws(SluiceError) {
        try db.execute("BEGIN IMMEDIATE")
        do {
            _ = try db.rows("DELETE FROM \(DatasetLedger.files) WHERE pipeline = ?", [.string(pipeline)])
            _ = try db.rows("DELETE FROM \(DatasetLedger.splits) WHERE pipeline = ?", [.string(pipeline)])
            try db.execute("COMMIT")
        } catch {
            try? db.execute("ROLLBACK")
            throw error
        }
    }
}
