import SluiceCore

/// Parquet files read as a pipeline source: files, folders (every Parquet file below them) and
/// glob patterns; `key=value` folders below the given path become columns.
public struct ParquetSourceConfig: Sendable {
    /// How folder names turn into columns.
    public enum Partitioning: String, Sendable {
        /// `key=value` folders below each given path are columns (string, or int when every value is one).
        case hive
        /// Folder names are ignored.
        case none
    }

    /// Files, folders or glob patterns (`*`, `?`, `[…]`, `**` for any depth).
    public var paths: [String]
    /// Rows to keep; row groups whose statistics prove no row matches are not read, and
    /// partition folders whose values do not match are not opened.
    public var filter: Expr?
    public var filterLocation: ConfigLocation?
    public var partitioning: Partitioning = .hive
    /// Of the files the paths match, read only these (an incremental run).
    public var only: Set<String>?
    public var location: ConfigLocation

    public init(paths: [String], location: ConfigLocation) {
        self.paths = paths
        self.location = location
    }
}
