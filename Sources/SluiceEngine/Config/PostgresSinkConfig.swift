import SluiceCore
import SluicePostgres

/// The `postgres` sink as written in a pipeline file.
public struct PostgresSinkConfig: Sendable {
    /// Connection settings from `url` (default `${DATABASE_URL}`); their description hides the password.
    public var connection: PostgresConnectionSettings
    public var table: PostgresTableName
    public var mode: PostgresWriteMode = .append
    /// Conflict key for `upsert` and `insert_ignore`.
    public var key: [String] = []
    /// Columns whose values select the rows a split replaces (`replace`).
    public var partitionKeys: [String] = []
    /// Create the table from the output schema when it is missing.
    public var create: Bool = true
    /// COPY data format: `auto` (binary when the table's types allow), `text` or `binary`.
    public var format: PostgresCopyFormat = .auto
    /// Connections loading splits at once (`connections`); nil: `connectionCount`'s default.
    public var connections: Int?
    public var location: ConfigLocation
    /// Where `key` or `partition_keys` was written, for errors about those columns.
    public var keyLocation: ConfigLocation?

    public init(connection: PostgresConnectionSettings, table: PostgresTableName, location: ConfigLocation) {
        self.connection = connection
        self.table = table
        self.location = location
    }

    /// How many splits are in flight at once, each on a connection of its own. Default 1: with
    /// several connections a load was seen (once, in CI) to hang past 120 s while backends were
    /// being terminated (`test_dropped_connections_are_retried_and_load_exactly_once`), so more
    /// connections are opt-in until that is understood.
    public var connectionCount: Int { connections ?? 1 }

    /// The columns the output must have (the key or the partition keys).
    public var requiredColumns: [(role: String, name: String)] {
        key.map { ("key", $0) } + partitionKeys.map { ("partition_keys", $0) }
    }
}
