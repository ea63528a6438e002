import SluiceCore
import Synchronization

/// How a streaming run behaves, beyond the pipeline file.
public struct StreamingOptions: Sendable {
    /// Take the files there now, in as many batches as the limits ask, then stop (Spark's
    /// AvailableNow trigger).
    public var once = false
    /// Serve Prometheus text metrics on this loopback port while running.
    public var metricsPort: Int?

    public init() {}
}

/// Runs a pipeline whose source watches a folder: micro-batches of new complete files, each
/// file committed with its ledger row (which names the batch) over one open session, until
/// `requestStop()` (SIGTERM, Ctrl-C) or, with `once`, until the files present at the start are
/// done. Writes `batches.jsonl` as it goes and the report (JSON, Markdown, HTML) at the end.
public final class StreamingRunner: Sendable {
    public let plan: PipelinePlan
    public let options: RunOptions
    public let streaming: StreamingOptions
    public let metrics = RunMetrics()
    let config: StreamingConfig
    let wake = WakeSignal()
    private let stopping = Atomic<Bool>(false)

    /// Whether `plan` reads a watched folder (then `sluice run` uses this runner).
    public static func applies(to plan: PipelinePlan) -> Bool {
        if case .csv(let c) = plan.config.source, c.streaming != nil { return true }
        return false
    }

    public init(plan: PipelinePlan, options: RunOptions, streaming: StreamingOptions) throws(SluiceError) {
        guard case .csv(let c) = plan.config.source, let s = c.streaming else {
            throw SluiceError.invalidArgument("\(plan.config.file): the source does not watch a folder (add watch: true)")
        }
        if plan.recomputes {
            throw c.location.error("a watched folder cannot feed an aggregate (it would be recomputed on every batch); aggregate in a batch pipeline")
        }
        self.plan = plan
        self.options = options
        self.streaming = streaming
        config = s
    }

    /// Finishes the batch in progress, then stops (the run's report says `stopped`).
    public func requestStop() {
        stopping.store(true, ordering: .relaxed)
        wake.fire()
    }

    var stopRequested: Bool { stopping.load(ordering: .relaxed) }

    /// Runs until stopped (or, with `once`, until the files present at the start are committed)
    /// and returns the report; sink and data errors are thrown after the report is written.
    public func run() async throws -> RunReport {
        var sessionOptions = options
        // Per-batch progress lines would flicker; the metrics file and endpoint say what happens.
        sessionOptions.progress = false
        let session = try await RunSession(plan: plan, options: sessionOptions, metrics: metrics)
        let runDirectory = options.reportDirectory ?? plan.stateDirectory.map { FileIO.join(FileIO.join($0, "runs"), session.runID) }
        var failure: (any Error)? = nil
        var loop: StreamingLoop? = nil
        var endpoint: MetricsEndpoint? = nil
        do {
            let l = try StreamingLoop(runner: self, session: session, runDirectory: runDirectory)
            loop = l
            if let port = streaming.metricsPort {
                let e = MetricsEndpoint(port: port, runner: self, status: l.status)
                try await e.start()
                endpoint = e
            }
            try await l.run()
        } catch {
            failure = error
        }
        await endpoint?.stop()
        var report: RunReport
        var rethrow: (any Error)? = nil
        do {
            report = try await session.close(failure: failure)
        } catch {
            report = session.report
            rethrow = error
        }
        if failure == nil, stopRequested { report.status = "stopped" }
        if let l = loop {
            report.sections.append(("streaming", l.summaryJSON(wallSeconds: report.wallSeconds)))
            l.finish()
        }
        if let dir = runDirectory {
            do {
                try FileIO.makeDirectories(dir)
                try FileIO.writeText(FileIO.join(dir, "report.json"), report.json)
                report.reportPath = FileIO.join(dir, "report.json")
                try ReportRenderer.write(runDirectory: dir)
            } catch {
                report.error = (report.error.map { $0 + "; " } ?? "") + "cannot write report: \(error)"
            }
        }
        if let e = rethrow { throw e }
        return report
    }
}
