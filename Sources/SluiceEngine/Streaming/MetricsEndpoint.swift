import Hummingbird
import Logging
import SluiceCore
import Synchronization

/// `--metrics-port`: Prometheus text metrics of a streaming run on `127.0.0.1:<port>/metrics`.
final class MetricsEndpoint: Sendable {
    let port: Int
    let runner: StreamingRunner
    let status: StreamStatus
    private let server = Mutex<Task<Void, any Error>?>(nil)

    init(port: Int, runner: StreamingRunner, status: StreamStatus) {
        self.port = port
        self.runner = runner
        self.status = status
    }

    func start() async throws {
        let router = Router()
        let (runner, status) = (self.runner, self.status)
        router.get("/metrics") { _, _ -> String in
            MetricsEndpoint.exposition(pipeline: runner.plan.config.name, metrics: runner.metrics, status: status.snapshot)
        }
        var logger = Logger(label: "sluice.metrics")
        logger.logLevel = .warning
        let ready = WakeSignal()
        let app = Application(
            router: router, configuration: .init(address: .hostname("127.0.0.1", port: port), serverName: "sluice"),
            onServerRunning: { _ in ready.fire() }, logger: logger)
        let task = Task { try await app.run() }
        server.withLock { $0 = task }
        // Bind before the first batch, so a scraper started with the run sees it at once.
        await ready.wait(nanos: 2_000_000_000)
    }

    func stop() async {
        let task = server.withLock { t -> Task<Void, any Error>? in
            defer { t = nil }
            return t
        }
        guard let t = task else { return }
        t.cancel()
        _ = await t.result
    }

    /// The Prometheus text exposition format (version 0.0.4).
    static func exposition(pipeline: String, metrics: RunMetrics, status: StreamStatus.Figures) -> String {
        let p = "pipeline=\"\(pipeline)\""
        var out = ""
        func metric(_ name: String, _ type: String, _ help: String, _ samples: [(String, Double)]) {
            out += "# HELP \(name) \(help)\n# TYPE \(name) \(type)\n"
            for (labels, v) in samples { out += "\(name){\(p)\(labels.isEmpty ? "" : "," + labels)} \(StreamMetrics.number(v))\n" }
        }
        metric("sluice_rows_read_total", "counter", "Rows read from new files.", [("", Double(metrics.rowsRead.load(ordering: .relaxed)))])
        metric("sluice_rows_written_total", "counter", "Valid rows committed.", [("", Double(metrics.rowsWritten.load(ordering: .relaxed)))])
        metric("sluice_rows_rejected_total", "counter", "Rows rejected (dead-lettered or dropped).", [("", Double(metrics.rowsRejected.load(ordering: .relaxed)))])
        metric("sluice_rows_rejected_by_rule_total", "counter", "Rows rejected, by stage/rule.",
               status.rejectedBy.keys.sorted().map { ("rule=\"\($0)\"", Double(status.rejectedBy[$0] ?? 0)) })
        metric("sluice_bytes_read_total", "counter", "Input bytes read.", [("", Double(metrics.bytesRead.load(ordering: .relaxed)))])
        metric("sluice_stream_batches_total", "counter", "Micro-batches committed.", [("", Double(status.batches))])
        metric("sluice_stream_files_total", "counter", "Files committed.", [("", Double(status.filesCommitted))])
        metric("sluice_stream_last_batch_id", "gauge", "Id of the last committed micro-batch.", [("", Double(status.lastBatch))])
        metric("sluice_stream_backlog_files", "gauge", "Files seen but not yet taken.", [("", Double(status.backlogFiles))])
        metric("sluice_stream_last_batch_seconds", "gauge", "Duration of the last micro-batch.", [("", status.lastBatchSeconds)])
        metric("sluice_stream_end_to_end_latency_seconds", "gauge", "End-to-end latency quantiles (file complete to row committed).",
               status.latency.map { ("quantile=\"\($0.0)\"", $0.1) })
        return out
    }
}
