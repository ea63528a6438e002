import ArgumentParser
import SluiceCore
import SluiceEngine
import SluicePostgres

struct Load: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Load CSV, TSV or Parquet files into a PostgreSQL table, without a pipeline file.",
        discussion: """
            Rows go in with COPY, split by split; each split commits together with its row in \
            sluice_ledger, so a load that was killed or lost its server is finished by running the \
            same command again: committed splits are skipped, nothing is loaded twice. \
            The table is created from the files' schema when missing. Rows that do not parse go \
            to TABLE.rejected.jsonl with their file, line and reason.
            Examples:
              sluice load data/telecom/*.txt --delimiter tab --no-header \\
                --schema square_id:int32,time_interval:int64,...,internet:float64 \\
                --postgres postgresql://me@localhost/db --table telecom
              sluice load events.csv --table events --mode insert_ignore --key event_id
              sluice load day.parquet --table summary --mode replace --partition-keys day
            """)

    @Argument(help: "Input files or globs: CSV/TSV (optionally gzip-compressed) or Parquet, not mixed.")
    var files: [String]

    @Option(help: "Connection URL, postgresql://user:password@host:port/database (default: $DATABASE_URL).")
    var postgres: String?

    @Option(help: "The table, optionally schema-qualified (schema.table).")
    var table: String

    @Option(help: "append (default), upsert or insert_ignore (need --key), or replace (needs --partition-keys).")
    var mode: String = "append"

    @Option(help: "Key columns for upsert and insert_ignore, comma-separated.")
    var key: String?

    @Option(name: .customLong("partition-keys"), help: "Columns whose values a split replaces, for mode replace, comma-separated.")
    var partitionKeys: String?

    @Option(name: .customLong("copy-format"), help: "COPY format: auto, text or binary.")
    var copyFormat: String = "auto"

    @Flag(name: .customLong("no-create"), help: "Fail when the table is missing instead of creating it.")
    var noCreate = false

    @OptionGroup var reader: ReaderOptions

    @Option(help: "Parallel workers (default: one per core).")
    var workers: Int?

    @Flag(help: "Print nothing but errors.")
    var quiet = false

    func run() async throws {
        try await Failure.reporting {
            let config = try pipeline()
            let plan = try PipelinePlan(config)
            try await RunDriver.executeOnce(plan, workers: workers, quiet: quiet)
        }
    }

    /// The pipeline this command stands for. Its name comes from the table, so that running the
    /// same load again finds the same ledger rows and resumes.
    func pipeline() throws -> PipelineConfig {
        let here = ConfigLocation(file: "<command line>", line: 1, column: 1, key: "files")
        let env = ProcessEnvironment.current
        guard let url = postgres ?? env["DATABASE_URL"], !url.isEmpty else {
            throw ValidationError("give --postgres URL or set DATABASE_URL")
        }
        let sink = try sinkConfig(url: url, environment: env)
        let parquet = files.map { FileIO.isDirectory($0) || FileTable.format(of: $0) == .parquet }
        let source: SourceConfig
        if parquet.allSatisfy({ $0 }) {
            source = .parquet(ParquetSourceConfig(paths: files, location: here))
        } else if parquet.contains(true) {
            throw ValidationError("the inputs mix Parquet and CSV; load them with separate commands")
        } else {
            guard let first = files.first else { throw ValidationError("give at least one input file") }
            source = .csv(CSVSourceConfig(paths: files, options: try reader.csvOptions(for: first), location: here))
        }
        var settings = RunSettings()
        // The table's ledger is the record of what is loaded; no state folder is needed.
        settings.stateDirectory = "none"
        settings.deadLetter = sink.table.table + ".rejected.jsonl"
        let safe = String(sink.table.description.map { $0.isLetter || $0.isNumber || $0 == "_" || $0 == "." ? $0 : "_" })
        return PipelineConfig(name: "load-\(safe)", file: "<command line>", source: source, transforms: [], sink: .postgres(sink), settings: settings)
    }

    func sinkConfig(url: String, environment: [String: String]) throws -> PostgresSinkConfig {
        let here = ConfigLocation(file: "<command line>", line: 1, column: 1, key: "postgres")
        let connection = try PostgresConnectionSettings(url: url, environment: environment)
        var c = PostgresSinkConfig(connection: connection, table: try PostgresTableName(parsing: table), location: here)
        guard let m = PostgresWriteMode(rawValue: mode) else {
            let modes = PostgresWriteMode.allCases.map(\.rawValue)
            throw ValidationError("--mode must be one of \(modes.joined(separator: ", ")), not '\(mode)'")
        }
        c.mode = m
        guard let f = PostgresCopyFormat(rawValue: copyFormat) else {
            throw ValidationError("--copy-format must be auto, text or binary, not '\(copyFormat)'")
        }
        c.format = f
        c.create = !noCreate
        c.key = Self.columns(key)
        c.partitionKeys = Self.columns(partitionKeys)
        switch m {
        case .upsert, .insertIgnore:
            if c.key.isEmpty { throw ValidationError("--mode \(mode) needs --key (the columns that identify a row)") }
            if !c.partitionKeys.isEmpty { throw ValidationError("--partition-keys applies to --mode replace") }
        case .replace:
            if c.partitionKeys.isEmpty { throw ValidationError("--mode replace needs --partition-keys") }
            if !c.key.isEmpty { throw ValidationError("--key applies to --mode upsert or insert_ignore") }
        case .append:
            if !c.key.isEmpty || !c.partitionKeys.isEmpty {
                throw ValidationError("--key and --partition-keys need --mode upsert, insert_ignore or replace")
            }
        }
        return c
    }

    static func columns(_ list: String?) -> [String] {
        (list ?? "").split(separator: ",").map { String($0).trimmingSpaces() }.filter { !$0.isEmpty }
    }
}
