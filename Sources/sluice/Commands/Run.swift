import ArgumentParser
import SluiceCore
import SluiceEngine

struct Run: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run a pipeline: read, transform, validate and write, committing split by split.",
        discussion: """
            Committed splits are recorded in the state store (.sluice/<name>/ beside the pipeline
            file) and, for SQLite, in the destination itself. Running again skips them: after a
            crash or Ctrl-C the run continues where it stopped, and over a growing folder only new
            files are read. Rows that fail to parse or validate go to the dead-letter file
            (.sluice/<name>/dead-letter.jsonl by default) with their file, line and reason.
            The run report is written to .sluice/<name>/runs/<run id>/report.json.
            """)

    @Argument(help: "The pipeline file (YAML).")
    var pipeline: String

    @Flag(help: "Forget what was committed and start over (drops and recreates the destination table or file).")
    var fullRefresh = false

    @Option(help: "Parallel workers (default: the pipeline's `workers`, else one per core).")
    var workers: Int?

    @Option(help: "Memory budget for batches in flight, e.g. 512MB or 2GiB (default: the pipeline's `memory`, else a quarter of RAM).")
    var memory: String?

    @Flag(help: "Print nothing but errors.")
    var quiet = false

    @Flag(help: "Never draw the live progress line (it is drawn only on a terminal anyway).")
    var noProgress = false

    func run() async throws {
        do {
            let plan = try PipelinePlan(try PipelineConfig.load(path: pipeline))
            var options = RunOptions()
            options.fullRefresh = fullRefresh
            options.workers = workers
            if let m = memory {
                guard let bytes = ByteSize.parse(m) else { throw ValidationError("--memory: expected a size such as 512MB, not '\(m)'") }
                options.memory = bytes
            }
            options.progress = !quiet && !noProgress && ProgressLineTerminal.isTerminal
            try await RunDriver.execute(plan, options, quiet: quiet)
        } catch let e as ValidationError {
            throw e
        } catch let e as ExitCode {
            throw e
        } catch {
            throw Failure.exit(error)
        }
    }
}

struct Validate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Check a pipeline file without running it: keys, types, input files, schema, expressions, sink settings.",
        discussion: "Nothing is created or written. Errors name the file, line and key.")

    @Argument(help: "The pipeline file (YAML).")
    var pipeline: String

    func run() async throws {
        do {
            let config = try PipelineConfig.load(path: pipeline)
            let plan = try PipelinePlan(config)
            var out = "\(pipeline): ok\n"
            out += "  source: \(plan.files.count) file(s), \(ByteSize.format(Int(plan.inputBytes)))\n"
            out += "  schema: \(plan.sourceSchema)\n"
            if plan.readSchema.count < plan.sourceSchema.count {
                out += "  columns read: \(plan.readSchema.names.joined(separator: ", ")) (the others are not used)\n"
            }
            out += "  transforms: \(config.transforms.count)\n"
            out += "  output: \(plan.outputSchema)\n"
            out += "  sink: \(config.sink.description)\n"
            FileHandleLite.standardOutput.write(out)
        } catch {
            throw Failure.exit(error)
        }
    }
}
