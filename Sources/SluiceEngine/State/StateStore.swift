import SluiceCore

/// Remembers which splits of a pipeline are committed, with their checkpoints, so that a re-run
/// skips them: resume after a crash and incremental runs over a growing folder are one mechanism.
public protocol StateStore: AnyObject, Sendable {
    func committedSplits(pipeline: String) throws(SluiceError) -> [String: Checkpoint]
    func recordCommitted(_ split: SplitCommit) throws(SluiceError)
    /// A file whose every split is committed, keyed by (path, size, mtime): later runs need not even plan it.
    func recordFileComplete(pipeline: String, path: String, size: Int64, modified: Int64, lastSplit: String) throws(SluiceError)
    /// The last split id of a file recorded complete with this size and mtime, if any.
    func completedFile(pipeline: String, path: String, size: Int64, modified: Int64) throws(SluiceError) -> String?
    /// Forgets everything about `pipeline` (`--full-refresh`).
    func reset(pipeline: String) throws(SluiceError)
    func recordRun(pipeline: String, runID: String, status: String, rowsOut: Int, report: String) throws(SluiceError)
    /// An incremental pipeline's input files as of its last commit, by path.
    func fileSlices(pipeline: String) throws(SluiceError) -> [String: FileSlices]
    /// Replaces what `fileSlices` returns, after a commit.
    func replaceFileSlices(pipeline: String, _ files: [String: FileSlices]) throws(SluiceError)
}

/// The default state store: a SQLite file (`.sluice/<pipeline>/state.sqlite` beside the pipeline).
public final class SQLiteStateStore: StateStore, @unchecked Sendable {
    let db: SQLiteDatabase

    public init(path: String) throws(SluiceError) {
        do { try FileIO.makeDirectories(FileIO.dirname(path)) } catch { throw SluiceError.io(path: path, message: error.message) }
        db = try SQLiteDatabase(path: path)
        try SplitLedger.create(db, table: "splits")
        try db.execute("""
            CREATE TABLE IF NOT EXISTS files (pipeline TEXT NOT NULL, path TEXT NOT NULL, size INTEGER, modified INTEGER,
              last_split TEXT, PRIMARY KEY (pipeline, path));
            CREATE TABLE IF NOT EXISTS runs (pipeline TEXT NOT NULL, run_id TEXT NOT NULL, status TEXT, rows_out INTEGER,
              report TEXT, finished_at TEXT DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')), PRIMARY KEY (pipeline, run_id));
            CREATE TABLE IF NOT EXISTS file_slices (pipeline TEXT NOT NULL, path TEXT NOT NULL, size INTEGER, modified INTEGER,
              slice TEXT);
            CREATE INDEX IF NOT EXISTS file_slices_by_pipeline ON file_slices (pipeline, path);
            """)
    }

    public func committedSplits(pipeline: String) throws(SluiceError) -> [String: Checkpoint] {
        try SplitLedger.read(db, table: "splits", pipeline: pipeline)
    }

    public func recordCommitted(_ split: SplitCommit) throws(SluiceError) {
        try SplitLedger.record(db, table: "splits", split)
    }

    public func recordFileComplete(pipeline: String, path: String, size: Int64, modified: Int64, lastSplit: String) throws(SluiceError) {
        _ = try db.rows(
            "INSERT OR REPLACE INTO files (pipeline, path, size, modified, last_split) VALUES (?, ?, ?, ?, ?)",
            [.string(pipeline), .string(path), .int(size), .int(modified), .string(lastSplit)])
    }

    public func completedFile(pipeline: String, path: String, size: Int64, modified: Int64) throws(SluiceError) -> String? {
        let rows = try db.rows(
            "SELECT last_split FROM files WHERE pipeline = ? AND path = ? AND size = ? AND modified = ?",
            [.string(pipeline), .string(path), .int(size), .int(modified)])
        guard let r = rows.first, case .string(let s) = r[0] else { return nil }
        return s
    }

    public func reset(pipeline: String) throws(SluiceError) {
        for t in ["splits", "files", "file_slices"] { _ = try db.rows("DELETE FROM \(t) WHERE pipeline = ?", [.string(pipeline)]) }
    }

    public func recordRun(pipeline: String, runID: String, status: String, rowsOut: Int, report: String) throws(SluiceError) {
        _ = try db.rows(
            "INSERT OR REPLACE INTO runs (pipeline, run_id, status, rows_out, report) VALUES (?, ?, ?, ?, ?)",
            [.string(pipeline), .string(runID), .string(status), .int(Int64(rowsOut)), .string(report)])
    }
}

extension SQLiteStateStore {
    public func fileSlices(pipeline: String) throws(SluiceError) -> [String: FileSlices] {
        var out: [String: FileSlices] = [:]
        for r in try db.rows("SELECT path, size, modified, slice FROM file_slices WHERE pipeline = ?", [.string(pipeline)]) {
            guard case .string(let path) = r[0], case .int(let size) = r[1], case .int(let modified) = r[2] else { continue }
            var f = out[path] ?? FileSlices(size: size, modified: modified, slices: [])
            // A file with no slice at all (no rows) is one row with a null slice.
            if case .string(let slice) = r[3] { f.slices.insert(slice) }
            out[path] = f
        }
        return out
    }

    public func replaceFileSlices(pipeline: String, _ files: [String: FileSlices]) throws(SluiceError) {
        try db.execute("BEGIN")
        do {
            _ = try db.rows("DELETE FROM file_slices WHERE pipeline = ?", [.string(pipeline)])
            let insert = try db.prepare("INSERT INTO file_slices (pipeline, path, size, modified, slice) VALUES (?, ?, ?, ?, ?)")
            for (path, f) in files {
                for slice in f.slices.isEmpty ? [nil] : f.slices.sorted().map(Optional.some) {
                    let values: [Scalar] = [.string(pipeline), .string(path), .int(f.size), .int(f.modified), slice.map { .string($0) } ?? .null]
                    for (i, v) in values.enumerated() { insert.bind(i + 1, v) }
                    try insert.run()
                }
            }
            try db.execute("COMMIT")
        } catch {
            try? db.execute("ROLLBACK")
            throw error
        }
    }
}

/// No state at all: every run starts from scratch (`sluice convert`, `state: none`).
public final class EphemeralStateStore: StateStore, @unchecked Sendable {
    public init() {}
    public func committedSplits(pipeline: String) throws(SluiceError) -> [String: Checkpoint] { [:] }
    public func recordCommitted(_ split: SplitCommit) throws(SluiceError) {}
    public func recordFileComplete(pipeline: String, path: String, size: Int64, modified: Int64, lastSplit: String) throws(SluiceError) {}
    public func completedFile(pipeline: String, path: String, size: Int64, modified: Int64) throws(SluiceError) -> String? { nil }
    public func reset(pipeline: String) throws(SluiceError) {}
    public func recordRun(pipeline: String, runID: String, status: String, rowsOut: Int, report: String) throws(SluiceError) {}
    public func fileSlices(pipeline: String) throws(SluiceError) -> [String: FileSlices] { [:] }
    public func replaceFileSlices(pipeline: String, _ files: [String: FileSlices]) throws(SluiceError) {}
}
