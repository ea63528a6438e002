import SluiceCore

/// The COPY data format.
public enum PostgresCopyFormat: String, Sendable, CaseIterable {
    /// Binary when every column has its natural type in the table, text otherwise.
    case auto
    case text
    /// Binary, or an error naming the columns that cannot take it.
    case binary
}

/// What a load writes to and how.
public struct PostgresLoadOptions: Sendable {
    public var table: PostgresTableName
    public var mode: PostgresWriteMode
    /// Conflict key for `upsert` and `insert_ignore`.
    public var key: [String]
    /// Partition columns for `replace`.
    public var partitionKeys: [String]
    /// Create the table from the output schema when it is missing.
    public var create: Bool
    public var format: PostgresCopyFormat

    public init(
        table: PostgresTableName, mode: PostgresWriteMode, key: [String] = [], partitionKeys: [String] = [], create: Bool = true,
        format: PostgresCopyFormat = .auto
    ) {
        self.table = table
        self.format = format
        self.mode = mode
        self.key = key
        self.partitionKeys = partitionKeys
        self.create = create
    }
}

/// One row of `sluice_ledger`: a split committed together with its rows.
public struct PostgresLedgerEntry: Sendable, Equatable {
    public var splitID: String
    /// The file the split came from, and its identity at the time (path, size, mtime).
    public var file: String
    public var source: String
    public var byteStart: Int64
    public var byteEnd: Int64
    public var checksum: String
    public var rows: Int
    public var sequence: Int64
    public var checkpoint: String
    public var committedAt: String = ""

    public init(
        splitID: String, file: String, source: String, byteStart: Int64, byteEnd: Int64, checksum: String, rows: Int,
        sequence: Int64, checkpoint: String
    ) {
        self.splitID = splitID
        self.file = file
        self.source = source
        self.byteStart = byteStart
        self.byteEnd = byteEnd
        self.checksum = checksum
        self.rows = rows
        self.sequence = sequence
        self.checkpoint = checkpoint
    }
}
