import ArgumentParser
import SluiceCore
import SluiceEngine

struct Run: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run a pipeline: read, transform, validate and write, committing split by split.",
        discussion: """
            Committed splits are recorded in the state store (.sluice/<name>/ beside the pipeline \
            file) and, for SQLite, in the destination itself. Running again skips them: after a \
            crash or Ctrl-C the run continues where it stopped, and over a growing folder only new \
            files are read. Rows that fail to parse or validate go to the dead-letter file \
            (.sluice/<name>/dead-letter.jsonl by default) with their file, line and reason. \
            The run report is written to .sluice/<name>/runs/<run id>/ (report.json, report.md, \
            report.html).

            A source with `watch: true` (or `mode: streaming`) watches its folder and loads new \
            files in micro-batches until SIGTERM or Ctrl-C, which finish the current batch and \
            write the report; with --once it takes what is there and exits. See docs/streaming.md.

            An API source (eia, caiso, http) fetches window by window; windows committed before \
            are kept, so `--until` a later date (or `end: now` in the file) fetches only what is new:
              sluice run eia.yml --until 2025-06-30
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

    @Option(help: "For an API source: start the range here instead (2024-01-01, 2024-01-01T05, an ISO timestamp).")
    var since: String?

    @Option(help: "For an API source: end the range here instead (a date or hour is inclusive; `now` for the current hour).")
    var until: String?

    @Flag(help: "For a watched folder: take the files there now, in batches as the limits ask, then exit (Spark's AvailableNow).")
    var once = false

    @Option(help: "For a watched folder: serve Prometheus metrics on 127.0.0.1:PORT/metrics while running.")
    var metricsPort: Int?

    func run() async throws {
        try await Failure.reporting {
            var config = try PipelineConfig.load(path: pipeline)
            try config.overrideRange(since: since, until: until)
            let plan: PipelinePlan
            switch try IncrementalPlanner.plan(config, fullRefresh: fullRefresh) {
            case .run(let p): plan = p
            case .upToDate(let files):
                if !quiet { FileHandleLite.standardError.write("\(config.name): up to date (\(files) input files, none new, changed or removed)\n") }
                return
            }
            var options = RunOptions()
            options.fullRefresh = fullRefresh
            options.workers = workers
            if let m = memory {
                guard let bytes = ByteSize.parse(m) else { throw ValidationError("--memory: expected a size such as 512MB, not '\(m)'") }
                options.memory = bytes
            }
            options.progress = !quiet && !noProgress && ProgressLineTerminal.isTerminal
            var streaming = StreamingOptions()
            streaming.once = once
            streaming.metricsPort = metricsPort
            try await RunDriver.execute(plan, options, quiet: quiet, streaming: streaming)
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
        try await Failure.reporting {
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
        }
    }
}

struct Worker: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Work on a pipeline's splits together with other workers, on this or other machines.",
        discussion: """
            The pipeline must write to PostgreSQL: the workers share its ledger and a lease table \
            (sluice_splits) beside it. Each worker plans the same splits, claims a few at a time \
            (SELECT ... FOR UPDATE SKIP LOCKED), renews its leases while it loads them, and claims \
            again until every split is committed. When a worker dies its leases expire and the \
            others take its splits over; every row still lands exactly once. \
            Start as many as you like, at any time:
              sluice worker events.yml --id host-a-1 &
              sluice worker events.yml --id host-b-1 &
            Every worker must see the same input files at the same paths.
            """)

    @Argument(help: "The pipeline file (YAML) with a postgres sink.")
    var pipeline: String

    @Option(help: "This worker's name in the lease table (default: host name and process id).")
    var id: String?

    @Option(help: "Seconds a claim lasts without renewal; a dead worker's splits are taken over after this.")
    var lease: Int = 30

    @Option(help: "Splits worked on at once by this process (default: the pipeline's `workers`, else one per core).")
    var workers: Int?

    @Flag(help: "Print nothing but errors.")
    var quiet = false

    func run() async throws {
        try await Failure.reporting {
            let plan = try PipelinePlan(try PipelineConfig.load(path: pipeline))
            let owner = id ?? Self.defaultName()
            var options = RunOptions()
            options.workers = workers
            options.localState = false
            options.reportDirectory = plan.stateDirectory.map {
                FileIO.join(FileIO.join($0, "runs"), Clock.utcStamp(compact: true) + "-" + owner.filter { $0.isLetter || $0.isNumber || $0 == "-" })
            }
            let runner = SharedJobRunner(plan: plan, options: options, owner: owner, leaseSeconds: lease)
            let task = Task { try await runner.run() }
            let signals = SignalCancellation { task.cancel() }
            defer { signals.cancel() }
            let report = try await task.value
            if !quiet { FileHandleLite.standardError.write("worker \(owner): " + report.summary + "\n") }
            if report.status == "cancelled" { throw ExitCode(130) }
        }
    }
}

extension Worker {
    /// `host-pid`: unique among live workers, and readable in the lease table.
    static func defaultName() -> String {
        var buf = [CChar](repeating: 0, count: 256)
        let host = gethostname(&buf, buf.count) == 0 ? String(decoding: buf.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self) : "host"
        return "\(host)-\(getpid())"
    }
}

#if canImport(Glibc)
import Glibc
#endif
