import ArgumentParser
import SluiceCore
import SluiceEngine

struct Convert: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Convert a file in one line, without a pipeline file.",
        discussion: """
            Formats come from the extensions: .csv, .tsv, .jsonl (or .ndjson), .parquet, and \
            FILE.sqlite#table (or .db#table; the table defaults to the input's name); an output \
            ending in / is a Parquet dataset folder. Parquet input may be a file, a glob or a \
            hive-partitioned folder. The output is replaced. Rows that do not parse go to \
            OUTPUT.rejected.jsonl with their line and reason.
            Examples:
              sluice convert data/telecom.csv out/telecom.sqlite#telecom
              sluice convert --delimiter tab --schema a:int32,b:float64 in.txt out.jsonl
              sluice convert data/telecom.csv out/telecom.parquet --compression snappy
              sluice convert telecom.csv out/telecom/ --partition-by "day=date(time_interval)"
              sluice convert out/telecom/ telecom.csv
            """)

    @Argument(help: "The input: CSV or TSV (optionally gzip-compressed), Parquet file or dataset folder; globs allowed.")
    var input: String

    @Argument(help: "The output: out.csv, out.tsv, out.jsonl, out.parquet, out.sqlite#table, or out/dataset/ (Parquet, hive-partitioned with --partition-by).")
    var output: String

    @OptionGroup var reader: ReaderOptions

    @Option(help: "Output format when the extension does not say: csv, tsv, jsonl, sqlite, parquet or parquet-dataset.")
    var to: String?

    @Option(help: "Parquet output codec: zstd (default), snappy, gzip, lz4_raw or none.")
    var compression: String?

    @Option(name: .customLong("partition-by"), help: "Parquet dataset output: a folder level, a column or name=expression (repeatable).")
    var partitionBy: [String] = []

    @Option(help: "Parallel workers (default: one per core).")
    var workers: Int?

    @Flag(help: "Print nothing but errors.")
    var quiet = false

    func run() async throws {
        try await Failure.reporting {
            let source = try sourceConfig()
            let here = ConfigLocation(file: "<command line>", line: 1, column: 1, key: "output")
            let sink = try sinkConfig(at: here)
            var settings = RunSettings()
            settings.stateDirectory = "none"
            let outPath: String
            switch sink {
            case .sqlite(let c): outPath = c.path
            case .csv(let c), .jsonl(let c): outPath = c.path
            case .postgres(let c): outPath = c.table.table
            case .parquet(let c):
                // A dataset's rejects go beside its folder (ds.rejected.jsonl), not inside it.
                var p = Substring(c.path)
                while p.count > 1, p.hasSuffix("/") { p = p.dropLast() }
                outPath = String(p)
            }
            settings.deadLetter = outPath + ".rejected.jsonl"
            let config = PipelineConfig(
                name: "convert", file: "<command line>",
                source: source,
                transforms: [], sink: sink, settings: settings)
            if !input.contains(where: { "*?[".contains($0) }), !FileIO.exists(input) {
                throw SluiceError.io(path: input, message: "file not found")
            }
            let plan = try PipelinePlan(config)
            try await RunDriver.executeOnce(plan, workers: workers, fullRefresh: true, quiet: quiet)
        }
    }

    /// Parquet input (a `.parquet` file, a glob of them, or a dataset folder) carries its own
    /// schema; anything else is CSV/TSV read with the reader options.
    func sourceConfig() throws -> SourceConfig {
        let loc = ConfigLocation(file: "<command line>", line: 1, column: 1, key: "input")
        guard FileIO.isDirectory(input) || FileTable.format(of: input) == .parquet else {
            return .csv(CSVSourceConfig(paths: [input], options: try reader.csvOptions(for: input), location: loc))
        }
        let csvOnly: [(Bool, String)] = [
            (reader.delimiter != nil, "--delimiter"), (reader.noHeader, "--no-header"), (reader.schema != nil, "--schema"),
            (reader.quote != "\"", "--quote"), (!reader.nullValues.isEmpty, "--null"),
        ]
        if let flag = csvOnly.first(where: { $0.0 })?.1 {
            throw ValidationError("\(flag) applies to CSV input; \(input) is Parquet, which carries its own schema")
        }
        return .parquet(ParquetSourceConfig(paths: [input], location: loc))
    }

    func sinkConfig(at loc: ConfigLocation) throws -> SinkConfig {
        var path = output
        var table: String? = nil
        if let hash = output.lastIndex(of: "#") {
            path = String(output[..<hash])
            table = String(output[output.index(after: hash)...])
        }
        let lower = path.lowercased()
        let kind: String
        if let t = to {
            kind = t
        } else if lower.hasSuffix(".sqlite") || lower.hasSuffix(".sqlite3") || lower.hasSuffix(".db") || table != nil {
            kind = "sqlite"
        } else if lower.hasSuffix(".tsv") || lower.hasSuffix(".tab") {
            kind = "tsv"
        } else if lower.hasSuffix(".jsonl") || lower.hasSuffix(".ndjson") {
            kind = "jsonl"
        } else if lower.hasSuffix(".csv") {
            kind = "csv"
        } else if lower.hasSuffix(".parquet") || lower.hasSuffix(".parq") || lower.hasSuffix(".pq") {
            kind = "parquet"
        } else if lower.hasSuffix("/") {
            kind = "parquet-dataset"
        } else {
            throw ValidationError(
                "cannot tell the output format of '\(output)': use .csv, .tsv, .jsonl, .parquet, .sqlite#table or a folder/ (a Parquet dataset), or --to")
        }
        switch kind {
        case "sqlite":
            let stem = FileIO.basename(input).split(separator: ".").first.map(String.init) ?? "data"
            let name = (table?.isEmpty == false ? table : nil) ?? stem.map { $0.isLetter || $0.isNumber ? $0 : "_" }.reduce("") { $0 + String($1) }
            return .sqlite(SQLiteSinkConfig(path: path, table: name, location: loc))
        case "csv", "tsv":
            var c = FileSinkConfig(path: path, location: loc)
            if kind == "tsv" { c.delimiter = 9 }
            return .csv(c)
        case "jsonl":
            return .jsonl(FileSinkConfig(path: path, location: loc))
        case "parquet", "parquet-dataset":
            var c = ParquetDatasetSinkConfig(path: path, location: loc)
            c.singleFile = kind == "parquet"
            if let s = compression {
                guard let codec = ParquetCodecName.parse(s) else {
                    throw ValidationError("--compression must be one of \(ParquetCodecName.names.joined(separator: ", ")), not '\(s)'")
                }
                c.write.compression = codec
            }
            if !partitionBy.isEmpty {
                guard kind == "parquet-dataset" else { throw ValidationError("--partition-by needs a dataset folder as output (end it with /)") }
                c.partitionBy = try partitionBy.map { text in
                    do {
                        return try ParquetDatasetSinkConfig.partition(parsing: text, location: loc)
                    } catch {
                        throw ValidationError("--partition-by \(text): \(error)")
                    }
                }
            }
            return .parquet(c)
        default:
            throw ValidationError("--to must be csv, tsv, jsonl, sqlite, parquet or parquet-dataset, not '\(kind)'")
        }
    }
}
