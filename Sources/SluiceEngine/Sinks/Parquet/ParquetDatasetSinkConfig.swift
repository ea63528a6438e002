import SluiceCore
import SluiceParquet

/// One level of a dataset's folders: `name=value/`, the value taken from a column or computed by
/// an expression (`year(period)`).
public struct DatasetPartition: Sendable {
    public var name: String
    public var expression: Expr
    public var location: ConfigLocation

    public init(name: String, expression: Expr, location: ConfigLocation) {
        self.name = name
        self.expression = expression
        self.location = location
    }
}

/// The `parquet` sink as written in a pipeline file: a folder of Parquet files, optionally
/// hive-partitioned, with its own ledger of committed splits in `_sluice/`.
public struct ParquetDatasetSinkConfig: Sendable {
    /// The dataset folder, or the file when `singleFile`.
    public var path: String
    /// One file, rewritten by every run, instead of a dataset folder (`file:` in YAML).
    public var singleFile = false
    /// Folder levels, outermost first; their columns are not repeated inside the files.
    public var partitionBy: [DatasetPartition] = []
    /// Codec, row-group size and page version of every file.
    public var write = ParquetWriteOptions()
    /// A file is closed and the next one started once it holds this many rows.
    public var maxFileRows: Int?
    /// A file is closed once this many bytes are written (checked at row-group boundaries).
    public var maxFileBytes: Int?
    public var location: ConfigLocation

    public init(path: String, location: ConfigLocation) {
        self.path = path
        self.location = location
    }

    /// The columns the files hold: the output without the partition columns.
    public func fileSchema(output: Schema) -> Schema {
        let names = Set(partitionBy.map(\.name))
        return Schema(output.fields.filter { !names.contains($0.name) })
    }

    /// Checks the partitions against the pipeline's output: every expression binds, something
    /// is left for the files. Returns the bound expressions.
    public func bindPartitions(output: Schema) throws(SluiceError) -> [BoundExpression] {
        var bound: [BoundExpression] = []
        var seen = Set<String>()
        for p in partitionBy {
            guard seen.insert(p.name).inserted else { throw p.location.error("partition '\(p.name)' appears twice in partition_by") }
            if case .column(let c) = p.expression, output.index(of: c) == nil {
                throw p.location.error(
                    "unknown column '\(c)'\(Suggest.didYouMean(c, output.names)) (columns: \(output.names.joined(separator: ", ")))")
            }
            do {
                bound.append(try BoundExpression(p.expression, schema: output))
            } catch {
                throw p.location.error("partition '\(p.name)': \(error.description)")
            }
        }
        if !partitionBy.isEmpty, fileSchema(output: output).count == 0 {
            throw location.error("partition_by uses every output column: the files would have no columns")
        }
        return bound
    }
}

extension ParquetDatasetSinkConfig {
    /// A folder level from `expression` alone: a column is named after itself, `fn(column)` after
    /// the function (`year(period)` → `year`); anything else needs an explicit name.
    public static func partition(expression: Expr, location: ConfigLocation) throws(SluiceError) -> DatasetPartition {
        switch expression {
        case .column(let c): return DatasetPartition(name: c, expression: expression, location: location)
        case .call(let f, let args) where args.count == 1: return DatasetPartition(name: f, expression: expression, location: location)
        default: throw location.error("cannot name the folder level '\(expression)': write it as {name: \(expression)}")
        }
    }

    /// A folder level from command-line text: `column`, `fn(column)` or `name=expression`.
    public static func partition(parsing text: String, location: ConfigLocation) throws(SluiceError) -> DatasetPartition {
        if let eq = text.firstIndex(of: "=") {
            let name = String(text[..<eq]).trimmingSpaces()
            let rest = text[text.index(after: eq)...]
            if !name.isEmpty, name.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" }), rest.first != "=" {
                return DatasetPartition(name: name, expression: try ExpressionParser.parse(String(rest)), location: location)
            }
        }
        return try partition(expression: try ExpressionParser.parse(text), location: location)
    }
}

/// The Parquet codecs a sink can write, by the names pipeline files and the CLI use.
public enum ParquetCodecName {
    static let table: [(String, CompressionCodec)] = [
        ("zstd", .zstd), ("snappy", .snappy), ("gzip", .gzip), ("lz4_raw", .lz4Raw), ("none", .uncompressed),
        ("uncompressed", .uncompressed),
    ]

    /// Every accepted name.
    public static var names: [String] { table.map(\.0) }

    /// The codec called `name` (case-insensitive).
    public static func parse(_ name: String) -> CompressionCodec? {
        let n = name.lowercased()
        return table.first { $0.0 == n }?.1
    }
}
