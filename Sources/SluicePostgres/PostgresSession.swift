import Logging
import NIOCore
import NIOPosix
import PostgresNIO
import SluiceCore

/// A value bound to a `$n` parameter.
public enum PostgresValue: Sendable {
    case text(String)
    case int(Int64)
    case textArray([String])
}

/// One connection, used by one task at a time: plain statements, parameterized queries whose
/// results come back as text, and COPY streams. Every error is a `SluiceError` whose text went
/// through `settings.redact`, so no password can leak through a server or library message.
public final class PostgresSession: @unchecked Sendable {
    public let settings: PostgresConnectionSettings
    let connection: PostgresConnection
    let logger: Logger
    /// What tells a COPY that the connection is going away (see `ConnectionWatch`).
    let watch: ConnectionWatch
    /// Runs COPY feeding on the connection's event loop.
    let loopExecutor: EventLoopTaskExecutor

    init(settings: PostgresConnectionSettings, connection: PostgresConnection, watch: ConnectionWatch, logger: Logger) {
        self.settings = settings
        self.connection = connection
        self.watch = watch
        self.loopExecutor = EventLoopTaskExecutor(connection.eventLoop)
        self.logger = logger
    }

    /// How long one statement may go without an answer before its connection is presumed dead
    /// (and the split retried on a new one). Generous: a split's merge takes seconds here.
    static let statementLimit: Duration = .seconds(120)
    static let connectLimit: Duration = .seconds(30)

    /// Opens a connection.
    public static func connect(_ settings: PostgresConnectionSettings) async throws(SluiceError) -> PostgresSession {
        var logger = Logger(label: "sluice.postgres")
        logger.logLevel = .critical
        let tls: PostgresConnection.Configuration.TLS
        do {
            switch settings.tls {
            case .disable: tls = .disable
            case .prefer: tls = .prefer(try NIOSSLContext(configuration: .makeClientConfiguration()))
            case .require: tls = .require(try NIOSSLContext(configuration: .makeClientConfiguration()))
            }
        } catch {
            throw .sink("\(settings): cannot set up TLS: \(settings.redact("\(error)"))")
        }
        do {
            let quiet = logger
            let watch = ConnectionWatch()
            let c = try await withDeadline(connectLimit, closing: nil) {
                try await open(settings, tls: tls, watch: watch, logger: quiet)
            }
            return PostgresSession(settings: settings, connection: c, watch: watch, logger: logger)
        } catch {
            throw PostgresErrorText.error("cannot connect to \(settings)", error, settings)
        }
    }

    /// Connects the socket here rather than in postgres-nio, only so that `watch` can join the
    /// channel's pipeline (postgres-nio keeps its channel to itself); the bootstrap is the one
    /// postgres-nio would build, with its 10 s connect timeout and its SNI rule.
    static func open(_ settings: PostgresConnectionSettings, tls: PostgresConnection.Configuration.TLS,
                     watch: ConnectionWatch, logger: Logger) async throws -> PostgresConnection {
        let channel = try await ClientBootstrap(group: PostgresConnection.defaultEventLoopGroup)
            .connectTimeout(.seconds(10))
            .connect(host: settings.host, port: settings.port).get()
        var config = PostgresConnection.Configuration(
            establishedChannel: channel, tls: tls, username: settings.user, password: settings.password,
            database: settings.database)
        config.options.tlsServerName = settings.hostIsAddress ? nil : settings.host
        do {
            let c = try await PostgresConnection.connect(on: channel.eventLoop, configuration: config, id: 1, logger: logger)
            try await channel.pipeline.addHandler(watch, position: .last).get()
            return c
        } catch {
            channel.close(promise: nil)
            throw error
        }
    }

    /// Whether the connection is gone (closed by us, the server, or the network).
    public var isClosed: Bool { connection.isClosed }

    /// Set when a statement failed because the connection broke (not because of the statement).
    public private(set) var lost = false

    /// The SQLSTATE of the last statement that failed on the server, if it did.
    public private(set) var lastSQLState: String?

    func mapError(_ context: String, _ error: any Error) -> SluiceError {
        if PostgresErrorText.isConnectionLoss(error) || connection.isClosed { lost = true }
        lastSQLState = PostgresErrorText.serverFields(error)?.sqlState
        return PostgresErrorText.error(context, error, settings)
    }

    /// Runs one statement without parameters.
    public func execute(_ sql: String, context: @autoclosure () -> String = "") async throws(SluiceError) {
        let (connection, logger) = (self.connection, self.logger)
        do {
            _ = try await withDeadline(Self.statementLimit, closing: connection) {
                try await connection.query(PostgresQuery(unsafeSQL: sql), logger: logger)
                return 0
            }
        } catch {
            throw mapError(context(), error)
        }
    }

    /// Runs one statement with `$n` parameters; every result column must be selected as text
    /// (or cast `::text`), and comes back as a String or nil.
    @discardableResult
    public func rows(_ sql: String, _ values: [PostgresValue] = [], context: @autoclosure () -> String = "") async throws(SluiceError) -> [[String?]] {
        var binds = PostgresBindings(capacity: values.count)
        for v in values {
            switch v {
            case .text(let s): binds.append(s)
            case .int(let i): binds.append(i)
            case .textArray(let a): binds.append(a)
            }
        }
        let (connection, logger, query) = (self.connection, self.logger, PostgresQuery(unsafeSQL: sql, binds: binds))
        do {
            return try await withDeadline(Self.statementLimit, closing: connection) {
                let seq = try await connection.query(query, logger: logger)
                var out: [[String?]] = []
                for try await row in seq {
                    var r: [String?] = []
                    for cell in row { r.append(try cell.decode(String?.self)) }
                    out.append(r)
                }
                return out
            }
        } catch {
            throw mapError(context(), error)
        }
    }

    /// Starts `COPY table (columns) FROM STDIN` in text (or binary) format; feed it with `send`,
    /// end it with `finish`.
    /// Runs DDL such as `CREATE TABLE IF NOT EXISTS` in one transaction under an advisory lock
    /// named `lock`, because concurrent `IF NOT EXISTS` creates of the same table can still
    /// collide on the catalog when several workers start at once.
    public func executeLocked(_ lock: String, _ statements: [String], context: @autoclosure () -> String = "") async throws(SluiceError) {
        try await execute("BEGIN", context: context())
        do {
            try await rows("SELECT pg_advisory_xact_lock(hashtext($1))::text", [.text(lock)], context: context())
            for sql in statements { try await execute(sql, context: context()) }
            try await execute("COMMIT", context: context())
        } catch {
            try? await execute("ROLLBACK")
            throw error
        }
    }

    public func beginCopy(into table: PostgresTableName, columns: [String], binary: Bool = false) -> CopyInStream {
        CopyInStream(connection: connection, watch: watch, executor: loopExecutor, table: table, columns: columns,
                     binary: binary, logger: logger)
    }

    public func close() async {
        let connection = self.connection
        _ = try? await withDeadline(.seconds(10), closing: nil) { try await connection.close() }
    }
}

/// Turns postgres-nio errors into one readable, redacted line. `PSQLError`'s own description
/// deliberately hides the server's message; the fields are read here instead.
public enum PostgresErrorText {
    public static func error(_ context: String, _ error: any Error, _ settings: PostgresConnectionSettings) -> SluiceError {
        if let e = error as? SluiceError { return e }
        let prefix = context.isEmpty ? "" : context + ": "
        return .sink(settings.redact(prefix + describe(error)))
    }

    /// The server's message, detail and SQLSTATE, or the library's error code.
    public static func describe(_ error: any Error) -> String {
        if let e = error as? PSQLError {
            if let info = e.serverInfo {
                var s = info[.message] ?? "server error"
                if let d = info[.detail] { s += " (\(d))" }
                if let w = info[.locationContext] { s += " [\(w)]" }
                if let c = info[.sqlState] { s += " SQLSTATE \(c)" }
                return s
            }
            // The underlying error may be a PSQLError again, whose own text hides everything.
            if let u = e.underlying { return "\(e.code): \(describe(u))" }
            return "\(e.code)"
        }
        if error is CancellationError { return "cancelled" }
        return "\(error)"
    }

    /// The server fields of a PostgreSQL error, when it came from the server.
    public static func serverFields(_ error: any Error) -> (sqlState: String?, table: String?, column: String?, constraint: String?, context: String?)? {
        guard let e = error as? PSQLError, let info = e.serverInfo else { return nil }
        return (info[.sqlState], info[.tableName], info[.columnName], info[.constraintName], info[.locationContext])
    }

    /// Whether the connection (not the statement) failed, so that a retry on a new connection can help.
    public static func isConnectionLoss(_ error: any Error) -> Bool {
        if error is DeadlineExceeded || error is CopyInStream.Stalled || error is CopyInStream.Closed { return true }
        if let e = error as? PSQLError {
            switch e.code {
            case .serverClosedConnection, .clientClosedConnection, .connectionError, .uncleanShutdown: return true
            case .server:
                // admin_shutdown, crash_shutdown, cannot_connect_now, and the 08 connection class
                let state = e.serverInfo?[.sqlState] ?? ""
                return state.hasPrefix("08") || state == "57P01" || state == "57P02" || state == "57P03"
            default: return false
            }
        }
        return false
    }
}
