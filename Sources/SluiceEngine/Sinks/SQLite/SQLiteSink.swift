import CSQLite
import SluiceCore

/// Writes rows into a SQLite table. Each split is one transaction that also inserts the split's
/// row into the `_sluice_splits` ledger, so a crash at any instant leaves each split either fully
/// present (and marked done) or absent.
///
/// Types: integers and booleans as INTEGER, floats as REAL, strings as TEXT, dates as
/// `YYYY-MM-DD` and timestamps as ISO-8601 text (`YYYY-MM-DDTHH:MM:SS.fffZ`), which SQLite's date
/// functions understand and which sort correctly.
public final class SQLiteSink: Sink, @unchecked Sendable {
    let config: SQLiteSinkConfig
    var db: SQLiteDatabase?
    var insert: SQLiteStatement?
    var inTransaction = false
    var schema = Schema([])
    static let ledger = "_sluice_splits"

    public init(_ config: SQLiteSinkConfig) {
        self.config = config
    }

    public var label: String { "sqlite \(config.path)#\(config.table)" }

    func database() throws(SluiceError) -> SQLiteDatabase {
        if let d = db { return d }
        do { try FileIO.makeDirectories(FileIO.dirname(config.path)) } catch {
            throw SluiceError.io(path: config.path, message: error.message)
        }
        let d = try SQLiteDatabase(path: config.path)
        try SplitLedger.create(d, table: SQLiteSink.ledger)
        db = d
        return d
    }

    static func sqlType(_ t: DataType) -> String {
        switch t {
        case .bool: "BOOLEAN"
        case .int32, .int64: "INTEGER"
        case .float32, .float64: "REAL"
        case .string, .dictionary: "TEXT"
        case .date: "DATE"
        case .timestamp: "TIMESTAMP"
        }
    }

    public func open(schema: Schema, pipeline: String, recovering: Checkpoint?, fullRefresh: Bool) throws(SluiceError) {
        let d = try database()
        self.schema = schema
        let table = SQLiteDatabase.quoteIdentifier(config.table)
        if fullRefresh {
            try d.execute("DROP TABLE IF EXISTS \(table)")
            _ = try d.rows("DELETE FROM \(SQLiteSink.ledger) WHERE pipeline = ?", [.string(pipeline)])
        }
        for k in config.key where schema.index(of: k) == nil {
            throw config.location.error("key column '\(k)' is not in the output (columns: \(schema.names.joined(separator: ", ")))")
        }
        if try d.tableExists(config.table) {
            let existing = try d.rows("SELECT name FROM pragma_table_info(?)", [.string(config.table)]).compactMap {
                if case .string(let s) = $0[0] { return s } else { return nil }
            }
            let missing = schema.names.filter { !existing.contains($0) }
            if !missing.isEmpty {
                throw SluiceError.sink(
                    "\(config.path): table \(config.table) exists without column(s) \(missing.joined(separator: ", ")) (it has \(existing.joined(separator: ", "))); use --full-refresh to recreate it")
            }
        } else {
            let cols = schema.fields.map { "\(SQLiteDatabase.quoteIdentifier($0.name)) \(SQLiteSink.sqlType($0.type))" }
            var ddl = "CREATE TABLE \(table) (\(cols.joined(separator: ", "))"
            if !config.key.isEmpty {
                ddl += ", PRIMARY KEY (\(config.key.map(SQLiteDatabase.quoteIdentifier).joined(separator: ", ")))"
            }
            try d.execute(ddl + ")")
        }
        let names = schema.names.map(SQLiteDatabase.quoteIdentifier).joined(separator: ", ")
        let marks = Array(repeating: "?", count: schema.count).joined(separator: ", ")
        var sql: String
        switch config.mode {
        case .append: sql = "INSERT INTO \(table) (\(names)) VALUES (\(marks))"
        case .insertIgnore: sql = "INSERT OR IGNORE INTO \(table) (\(names)) VALUES (\(marks))"
        case .upsert:
            let keys = config.key.map(SQLiteDatabase.quoteIdentifier).joined(separator: ", ")
            let sets = schema.names.filter { !config.key.contains($0) }.map {
                "\(SQLiteDatabase.quoteIdentifier($0)) = excluded.\(SQLiteDatabase.quoteIdentifier($0))"
            }
            sql = "INSERT INTO \(table) (\(names)) VALUES (\(marks)) ON CONFLICT (\(keys)) DO "
            sql += sets.isEmpty ? "NOTHING" : "UPDATE SET " + sets.joined(separator: ", ")
        }
        insert = try d.prepare(sql)
    }

    public func committedSplits(pipeline: String) throws(SluiceError) -> [String: Checkpoint] {
        try SplitLedger.read(try database(), table: SQLiteSink.ledger, pipeline: pipeline)
    }

    public func write(_ batch: RecordBatch) throws(SluiceError) {
        guard let d = db, let st = insert else { throw SluiceError.sink("\(label): write before open") }
        if !inTransaction {
            try d.execute("BEGIN IMMEDIATE")
            inTransaction = true
        }
        let cols = batch.columns
        for row in 0..<batch.count {
            for (c, col) in cols.enumerated() {
                let k = Int32(c + 1)
                guard col.isValid(row) else { st.bindNull(k); continue }
                switch col.type {
                case .bool: st.bindInt(k, col.bool(at: row) ? 1 : 0)
                case .int32: st.bindInt(k, Int64(col.value(row, as: Int32.self)))
                case .int64: st.bindInt(k, col.value(row, as: Int64.self))
                case .float32: st.bindDouble(k, Double(col.value(row, as: Float.self)))
                case .float64: st.bindDouble(k, col.value(row, as: Double.self))
                case .string, .dictionary: st.bindText(k, col.stringBytes(at: row))
                case .date:
                    CivilTime.withFormatted(Int64(col.value(row, as: Int32.self)), .date) { st.bindTextCopy(k, $0) }
                case .timestamp:
                    CivilTime.withFormatted(col.value(row, as: Int64.self), col.type) { st.bindTextCopy(k, $0) }
                }
            }
            let rc = sqlite3_step(st.stmt)
            sqlite3_reset(st.stmt)
            if rc != SQLITE_DONE {
                throw SluiceError.sink("\(config.path): inserting into \(config.table): \(d.lastError)")
            }
        }
        withExtendedLifetime(batch) {}
    }

    public func prepareCommit() throws(SluiceError) -> [String: Int64] { [:] }

    public func commit(_ split: SplitCommit) throws(SluiceError) {
        let d = try database()
        if !inTransaction {
            try d.execute("BEGIN IMMEDIATE")
            inTransaction = true
        }
        try SplitLedger.record(d, table: SQLiteSink.ledger, split)
        try d.execute("COMMIT")
        inTransaction = false
    }

    public func rollback() {
        guard inTransaction, let d = db else { return }
        try? d.execute("ROLLBACK")
        inTransaction = false
    }

    public func close() throws(SluiceError) {
        rollback()
        insert = nil
        db = nil
    }
}
