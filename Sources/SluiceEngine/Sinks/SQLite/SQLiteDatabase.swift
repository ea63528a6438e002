import CSQLite
import SluiceCore

/// A thin owner of one SQLite connection, used by one task at a time (the sink task or the
/// state store's caller), hence `@unchecked Sendable`.
final class SQLiteDatabase: @unchecked Sendable {
    let handle: OpaquePointer
    let path: String

    init(path: String) throws(SluiceError) {
        var db: OpaquePointer?
        let flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX
        let rc = sqlite3_open_v2(path, &db, flags, nil)
        guard rc == SQLITE_OK, let h = db else {
            let msg = db.map { String(cString: sqlite3_errmsg($0)) } ?? "cannot open"
            if let d = db { sqlite3_close(d) }
            throw SluiceError.io(path: path, message: "cannot open SQLite database: \(msg)")
        }
        handle = h
        self.path = path
        sqlite3_busy_timeout(h, 10_000)
        // WAL with FULL sync: every committed transaction (one per split) survives a crash.
        try execute("PRAGMA journal_mode=WAL")
        try execute("PRAGMA synchronous=FULL")
    }

    deinit { sqlite3_close_v2(handle) }

    var lastError: String { String(cString: sqlite3_errmsg(handle)) }

    func execute(_ sql: String) throws(SluiceError) {
        var err: UnsafeMutablePointer<CChar>?
        if sqlite3_exec(handle, sql, nil, nil, &err) != SQLITE_OK {
            let msg = err.map { String(cString: $0) } ?? lastError
            sqlite3_free(err)
            throw SluiceError.sink("\(path): \(msg) (in: \(sql.prefix(200)))")
        }
    }

    func prepare(_ sql: String) throws(SluiceError) -> SQLiteStatement {
        var stmt: OpaquePointer?
        guard sqlite3_prepare_v2(handle, sql, -1, &stmt, nil) == SQLITE_OK, let s = stmt else {
            throw SluiceError.sink("\(path): \(lastError) (in: \(sql.prefix(200)))")
        }
        return SQLiteStatement(s, db: self)
    }

    /// Runs a query and returns all rows as boxed values (for small control tables only).
    func rows(_ sql: String, _ params: [Scalar] = []) throws(SluiceError) -> [[Scalar]] {
        let st = try prepare(sql)
        for (i, p) in params.enumerated() { st.bind(i + 1, p) }
        var out: [[Scalar]] = []
        while try st.step() {
            out.append((0..<st.columnCount).map { st.scalar($0) })
        }
        return out
    }

    func tableExists(_ name: String) throws(SluiceError) -> Bool {
        try !rows("SELECT 1 FROM sqlite_master WHERE type='table' AND name=?", [.string(name)]).isEmpty
    }

    static func quoteIdentifier(_ s: String) -> String {
        "\"" + s.replacingAll("\"", with: "\"\"") + "\""
    }
}

/// A prepared statement; finalized on deinit.
final class SQLiteStatement {
    let stmt: OpaquePointer
    unowned let db: SQLiteDatabase

    init(_ stmt: OpaquePointer, db: SQLiteDatabase) {
        self.stmt = stmt
        self.db = db
    }

    deinit { sqlite3_finalize(stmt) }

    /// SQLITE_TRANSIENT: SQLite copies the bytes (used when the caller's buffer will not outlive the bind).
    static let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)

    @inline(__always) func bindInt(_ i: Int32, _ v: Int64) { sqlite3_bind_int64(stmt, i, v) }
    @inline(__always) func bindDouble(_ i: Int32, _ v: Double) { sqlite3_bind_double(stmt, i, v) }
    @inline(__always) func bindNull(_ i: Int32) { sqlite3_bind_null(stmt, i) }
    /// Binds bytes that stay alive until the next `step()` (no copy).
    @inline(__always) func bindText(_ i: Int32, _ bytes: UnsafeRawBufferPointer) {
        if let p = bytes.baseAddress, bytes.count > 0 {
            sqlite3_bind_text(stmt, i, p.assumingMemoryBound(to: CChar.self), Int32(bytes.count), nil)
        } else {
            sqlite3_bind_text(stmt, i, "", 0, SQLiteStatement.transient)
        }
    }
    /// Binds bytes that SQLite copies (for scratch buffers reused before the step).
    @inline(__always) func bindTextCopy(_ i: Int32, _ bytes: UnsafeRawBufferPointer) {
        sqlite3_bind_text(stmt, i, bytes.baseAddress?.assumingMemoryBound(to: CChar.self), Int32(bytes.count), SQLiteStatement.transient)
    }

    func bindText(_ i: Int32, copying s: String) {
        sqlite3_bind_text(stmt, i, s, -1, SQLiteStatement.transient)
    }

    func bind(_ i: Int, _ v: Scalar) {
        let k = Int32(i)
        switch v {
        case .null: bindNull(k)
        case .bool(let b): bindInt(k, b ? 1 : 0)
        case .int(let x): bindInt(k, x)
        case .double(let x): bindDouble(k, x)
        default: bindText(k, copying: v.description)
        }
    }

    /// Steps once: true when a row is available, false when done.
    func step() throws(SluiceError) -> Bool {
        let rc = sqlite3_step(stmt)
        if rc == SQLITE_ROW { return true }
        if rc == SQLITE_DONE { return false }
        throw SluiceError.sink("\(db.path): \(db.lastError)")
    }

    /// Steps to completion and resets for the next execution.
    func run() throws(SluiceError) {
        defer { sqlite3_reset(stmt) }
        while try step() {}
    }

    func reset() {
        sqlite3_reset(stmt)
        sqlite3_clear_bindings(stmt)
    }

    var columnCount: Int { Int(sqlite3_column_count(stmt)) }

    func scalar(_ i: Int) -> Scalar {
        let k = Int32(i)
        switch sqlite3_column_type(stmt, k) {
        case SQLITE_INTEGER: return .int(sqlite3_column_int64(stmt, k))
        case SQLITE_FLOAT: return .double(sqlite3_column_double(stmt, k))
        case SQLITE_NULL: return .null
        default:
            guard let p = sqlite3_column_text(stmt, k) else { return .null }
            return .string(String(cString: p))
        }
    }
}

extension String {
    /// Replaces every occurrence of `target` (no Foundation in the engine's hot modules).
    func replacingAll(_ target: String, with replacement: String) -> String {
        guard !target.isEmpty, contains(target) else { return self }
        var out = ""
        var rest = Substring(self)
        while let r = rest.range(of: target) {
            out += rest[..<r.lowerBound]
            out += replacement
            rest = rest[r.upperBound...]
        }
        return out + rest
    }
}

extension Substring {
    func range(of target: String) -> Range<Substring.Index>? {
        guard let first = target.first else { return nil }
        var i = startIndex
        while i < endIndex {
            if self[i] == first, self[i...].hasPrefix(target) {
                return i..<index(i, offsetBy: target.count)
            }
            i = index(after: i)
        }
        return nil
    }
}
