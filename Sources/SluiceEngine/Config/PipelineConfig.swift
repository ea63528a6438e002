import SluiceCSV
import SluiceCore

/// A pipeline as written in its YAML file: one source, an ordered list of transforms, one sink,
/// and run settings. Produced by `PipelineConfig.load(path:)`; nothing runs until `PipelineRunner`.
public struct PipelineConfig: Sendable {
    public var name: String
    /// The pipeline file, or a description such as `<convert>` for in-memory pipelines.
    public var file: String
    public var source: SourceConfig
    public var transforms: [TransformConfig]
    public var sink: SinkConfig
    public var settings: RunSettings
    /// Set when only the slices touched by new or changed files are recomputed.
    public var incremental: IncrementalConfig?

    public init(
        name: String, file: String, source: SourceConfig, transforms: [TransformConfig], sink: SinkConfig,
        settings: RunSettings
    ) {
        self.name = name
        self.file = file
        self.source = source
        self.transforms = transforms
        self.sink = sink
        self.settings = settings
    }
}

/// Run settings: parallelism, memory, batch size, where state and rejects go.
public struct RunSettings: Sendable {
    /// Parallel workers; nil means one per core.
    public var workers: Int?
    /// Memory budget for batches in flight; nil means `MemoryBudget.defaultLimit()`.
    public var memory: Int?
    public var batchRows: Int = 65_536
    /// Folder of the state store; nil means `.sluice/` beside the pipeline file. `none` keeps no state.
    public var stateDirectory: String?
    /// Dead-letter JSONL file; nil means `<state>/<name>/dead-letter.jsonl`.
    public var deadLetter: String?

    public init() {}
}

public enum SourceConfig: Sendable {
    case csv(CSVSourceConfig)
    case http(HTTPSourceConfig)
    case parquet(ParquetSourceConfig)
}

/// Files read as CSV/TSV.
public struct CSVSourceConfig: Sendable {
    /// Paths or glob patterns (`*`, `?`, `[…]`, `**` for any depth).
    public var paths: [String]
    public var options: CSVOptions
    public var location: ConfigLocation
    /// Set when the folder is watched (`watch:` / `mode: streaming`); nil reads the files once.
    public var streaming: StreamingConfig?
    /// Of the files the paths match, read only these (an incremental run); the schema still
    /// comes from the whole listing, so it does not change with the files read.
    public var only: Set<String>?

    public init(paths: [String], options: CSVOptions, location: ConfigLocation) {
        self.paths = paths
        self.options = options
        self.location = location
    }
}

public enum TransformConfig: Sendable {
    /// Keep these columns in this order: (output name, input name).
    case select([(output: String, input: String)], ConfigLocation)
    /// Change column types; a value that does not convert rejects its row.
    case cast([(column: String, type: DataType)], ConfigLocation)
    /// Add or replace columns computed by expressions, in order.
    case derive([(column: String, expression: Expr, location: ConfigLocation)])
    /// Keep rows where the expression is true.
    case filter(Expr, ConfigLocation)
    /// Check rules per field; failing rows go to the dead-letter file (or are dropped, or fail the run).
    case validate(ValidateConfig)
    /// Group rows and compute aggregates; the steps after it see one row per group.
    case aggregate(AggregateConfig)
    /// Add columns of a lookup table (its own source and transforms) to rows whose key matches.
    case join(JoinConfig)
    /// Keep the first row of each key (in input order).
    case dedup([String], ConfigLocation)
}

public enum InvalidRowPolicy: String, Sendable, CaseIterable {
    case deadLetter = "dead_letter"
    case drop
    case fail
}

public struct ValidateConfig: Sendable {
    public var onInvalid: InvalidRowPolicy = .deadLetter
    public var rules: [(column: String, rules: [ValidationRule], location: ConfigLocation)] = []
    public var location: ConfigLocation
}

/// One check on one field.
public enum ValidationRule: Sendable, Equatable {
    case required
    case pattern(String)
    case oneOf([String])
    case min(Double)
    case max(Double)
    case minText(String)
    case maxText(String)
    case uuid
    case type(DataType)
}

public enum SinkConfig: Sendable {
    case sqlite(SQLiteSinkConfig)
    case csv(FileSinkConfig)
    case jsonl(FileSinkConfig)
    case postgres(PostgresSinkConfig)
    case parquet(ParquetDatasetSinkConfig)

    public var description: String {
        switch self {
        case .sqlite(let c): "sqlite \(c.path)#\(c.table)"
        case .postgres(let c): "postgres \(c.connection)#\(c.table)"
        case .parquet(let c): "parquet \(c.path)"
        case .csv(let c): "csv \(c.path)"
        case .jsonl(let c): "jsonl \(c.path)"
        }
    }
}

public enum SQLiteWriteMode: String, Sendable, CaseIterable {
    /// Insert every row.
    case append
    /// Insert rows whose key is new; skip rows whose key is already there.
    case insertIgnore = "insert_ignore"
    /// Insert, or overwrite the row with the same key.
    case upsert
}

public struct SQLiteSinkConfig: Sendable {
    public var path: String
    public var table: String
    public var mode: SQLiteWriteMode = .append
    public var key: [String] = []
    public var location: ConfigLocation

    public init(path: String, table: String, location: ConfigLocation) {
        self.path = path
        self.table = table
        self.location = location
    }
}

public struct FileSinkConfig: Sendable {
    public var path: String
    public var delimiter: UInt8 = UInt8(ascii: ",")
    public var header: Bool = true
    public var location: ConfigLocation

    public init(path: String, location: ConfigLocation) {
        self.path = path
        self.location = location
    }
}
