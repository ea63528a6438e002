import Synchronization

/// The latest figures of a streaming run, shared with the metrics endpoint's tasks.
final class StreamStatus: Sendable {
    struct Figures: Sendable {
        var method = ""
        var batches = 0
        var lastBatch: Int64 = -1
        var backlogFiles = 0
        var lastBatchSeconds = 0.0
        var filesCommitted = 0
        /// End-to-end latency quantiles in seconds: (0.5, 0.95, 0.99, max).
        var latency: [(String, Double)] = []
        var rejectedBy: [String: Int] = [:]
    }

    private let figures = Mutex(Figures())

    var snapshot: Figures { figures.withLock { $0 } }

    func update(method: String) { figures.withLock { $0.method = method } }

    func update(backlog: Int) { figures.withLock { $0.backlogFiles = backlog } }

    func update(record r: BatchRecord, stats: StreamMetrics) {
        let h = stats.endToEnd
        let latency: [(String, Double)] =
            h.totalCount == 0
            ? []
            : [("0.5", h.valueAtPercentile(50)), ("0.95", h.valueAtPercentile(95)), ("0.99", h.valueAtPercentile(99)), ("1", h.max)]
                .map { ($0.0, Double($0.1) / 1e6) }
        figures.withLock { f in
            f.batches = stats.batches
            f.lastBatch = r.batch
            f.backlogFiles = r.backlogFiles
            f.lastBatchSeconds = Double(r.total) / 1e9
            f.filesCommitted = stats.files
            f.latency = latency
            for (k, v) in r.rejectedBy { f.rejectedBy[k, default: 0] += v }
        }
    }
}
