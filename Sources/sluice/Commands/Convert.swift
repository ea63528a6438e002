import ArgumentParser
import SluiceCore
import SluiceEngine

struct Convert: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Convert a file in one line, without a pipeline file.",
        discussion: """
            Formats come from the extensions: .csv, .tsv, .jsonl (or .ndjson), and FILE.sqlite#table
            (or .db#table; the table defaults to the input's name). The output is replaced. Rows that
            do not parse go to OUTPUT.rejected.jsonl with their line and reason.
            Examples:
              sluice convert data/telecom.csv out/telecom.sqlite#telecom
              sluice convert --delimiter tab --no-header --schema a:int32,b:float64 in.txt out.jsonl
            """)

    @Argument(help: "The input file (CSV or TSV, optionally gzip-compressed; globs allowed).")
    var input: String

    @Argument(help: "The output: out.csv, out.tsv, out.jsonl, or out.sqlite#table.")
    var output: String

    @OptionGroup var reader: ReaderOptions

    @Option(help: "Output format when the extension does not say: csv, tsv, jsonl or sqlite.")
    var to: String?

    @Option(help: "Parallel workers (default: one per core).")
    var workers: Int?

    @Flag(help: "Print nothing but errors.")
    var quiet = false

    func run() async throws {
        do {
            let options = try reader.csvOptions(for: input)
            let here = ConfigLocation(file: "<command line>", line: 1, column: 1, key: "output")
            let sink = try sinkConfig(at: here)
            var settings = RunSettings()
            settings.stateDirectory = "none"
            let outPath: String
            switch sink {
            case .sqlite(let c): outPath = c.path
            case .csv(let c), .jsonl(let c): outPath = c.path
            case .postgres(let c): outPath = c.table.table
            }
            settings.deadLetter = outPath + ".rejected.jsonl"
            let config = PipelineConfig(
                name: "convert", file: "<command line>",
                source: .csv(CSVSourceConfig(paths: [input], options: options, location: ConfigLocation(file: "<command line>", line: 1, column: 1, key: "input"))),
                transforms: [], sink: sink, settings: settings)
            if !input.contains(where: { "*?[".contains($0) }), !FileIO.exists(input) {
                throw SluiceError.io(path: input, message: "file not found")
            }
            let plan = try PipelinePlan(config)
            var run = RunOptions()
            run.fullRefresh = true
            run.workers = workers
            run.progress = !quiet && ProgressLineTerminal.isTerminal
            try await RunDriver.execute(plan, run, quiet: quiet) { report in
                if report.rejectedToDeadLetter == 0 { FileIO.remove(plan.deadLetterPath) }
            }
        } catch let e as ValidationError {
            throw e
        } catch let e as ExitCode {
            throw e
        } catch {
            throw Failure.exit(error)
        }
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
        } else {
            throw ValidationError("cannot tell the output format of '\(output)': use .csv, .tsv, .jsonl or .sqlite#table, or --to")
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
        default:
            throw ValidationError("--to must be csv, tsv, jsonl or sqlite, not '\(kind)'")
        }
    }
}
