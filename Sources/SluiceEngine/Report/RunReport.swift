import SluiceCore

/// What a run did, for people (the summary) and machines (`report.json` in the run folder).
public struct RunReport: Sendable {
    public var pipeline: String
    public var runID: String
    public var sink: String
    public var workers: Int
    public var status = "running"
    public var error: String?
    public var filesSkipped = 0
    public var splitsPlanned = 0
    public var splitsSkipped = 0
    public var splitsCommitted = 0
    public var bytesPlanned = 0
    public var bytesRead = 0
    public var rowsRead = 0
    public var rowsWritten = 0
    public var rowsRejected = 0
    public var rejectedToDeadLetter = 0
    /// Rows the aggregates set aside in spill files because their groups passed the memory budget.
    public var rowsSpilled = 0
    /// Rejected rows by `stage/rule`, e.g. `validate/uuid`.
    public var rejectedBy: [String: Int] = [:]
    public var wallSeconds = 0.0
    /// Planning before the run's clock started (join lookups, an incremental run's slice scan).
    public var planSeconds = 0.0
    public var cpuSeconds = 0.0
    public var parseSeconds = 0.0
    public var transformSeconds = 0.0
    public var sinkSeconds = 0.0
    public var peakMemoryBytes = 0
    public var budgetPeakBytes = 0
    public var deadLetter: String?
    public var reportPath: String?
    /// Further members of report.json, each an already-encoded JSON value (`streaming`: the
    /// micro-batch, throughput and latency summary of a streaming run).
    public var sections: [(key: String, json: String)] = []
    /// Lines the source adds to the summary (an API source: requests, retries, rate).
    public var sourceSummary: [String] = []

    init(pipeline: String, runID: String, sink: String, workers: Int) {
        self.pipeline = pipeline
        self.runID = runID
        self.sink = sink
        self.workers = workers
    }

    mutating func countReject(_ r: RejectedRow) {
        rowsRejected += 1
        if r.deadLetter { rejectedToDeadLetter += 1 }
        rejectedBy["\(r.stage)/\(r.rule)", default: 0] += 1
    }

    mutating func finish(metrics: RunMetrics, budgetPeak: Int) {
        wallSeconds = Clock.seconds(since: metrics.started)
        cpuSeconds = Clock.cpuSeconds()
        rowsRead = metrics.rowsRead.load(ordering: .relaxed)
        rowsWritten = metrics.rowsWritten.load(ordering: .relaxed)
        bytesRead = metrics.bytesRead.load(ordering: .relaxed)
        splitsCommitted = metrics.splitsCommitted.load(ordering: .relaxed)
        parseSeconds = Double(metrics.parseNanos.load(ordering: .relaxed)) / 1e9
        transformSeconds = Double(metrics.transformNanos.load(ordering: .relaxed)) / 1e9
        sinkSeconds = Double(metrics.sinkNanos.load(ordering: .relaxed)) / 1e9
        peakMemoryBytes = Clock.peakRSS()
        budgetPeakBytes = budgetPeak
    }

    public var rowsPerSecond: Double { wallSeconds > 0 ? Double(rowsRead) / wallSeconds : 0 }

    public var json: String {
        func num(_ v: Double) -> String { v.isFinite ? String(Double(Int64(v * 1000)) / 1000) : "null" }
        var s = "{\n"
        let fields: [(String, String)] = [
            ("pipeline", JSON.quote(pipeline)), ("run_id", JSON.quote(runID)), ("status", JSON.quote(status)),
            ("error", error.map(JSON.quote) ?? "null"), ("sink", JSON.quote(sink)), ("workers", "\(workers)"),
            ("files_skipped_unchanged", "\(filesSkipped)"), ("splits_planned", "\(splitsPlanned)"),
            ("splits_skipped_committed", "\(splitsSkipped)"), ("splits_committed", "\(splitsCommitted)"),
            ("bytes_planned", "\(bytesPlanned)"), ("bytes_read", "\(bytesRead)"),
            ("rows_in", "\(rowsRead)"), ("rows_out", "\(rowsWritten)"), ("rows_rejected", "\(rowsRejected)"),
            ("rows_spilled", "\(rowsSpilled)"),
            ("rejected_by_reason", "{" + rejectedBy.keys.sorted().map { JSON.quote($0) + ": \(rejectedBy[$0] ?? 0)" }.joined(separator: ", ") + "}"),
            ("dead_letter", deadLetter.map(JSON.quote) ?? "null"),
            ("wall_seconds", num(wallSeconds)), ("plan_seconds", num(planSeconds)), ("cpu_seconds", num(cpuSeconds)), ("rows_per_second", num(rowsPerSecond)),
            ("stage_seconds", "{\"parse\": \(num(parseSeconds)), \"transform\": \(num(transformSeconds)), \"sink\": \(num(sinkSeconds))}"),
            ("peak_memory_bytes", "\(peakMemoryBytes)"), ("budget_peak_bytes", "\(budgetPeakBytes)"),
        ]
        s += (fields + sections.map { ($0.key, $0.json) }).map { "  \(JSON.quote($0.0)): \($0.1)" }.joined(separator: ",\n")
        return s + "\n}\n"
    }

    /// A few lines for the terminal.
    public var summary: String {
        var lines: [String] = []
        let rate = rowsPerSecond >= 1000 ? "\(Int(rowsPerSecond / 1000))k rows/s" : "\(Int(rowsPerSecond)) rows/s"
        lines.append(
            "\(status): \(rowsWritten) rows written to \(sink), \(rowsRejected) rejected, \(rowsRead) read in \(num1(wallSeconds)) s (\(rate), \(ByteSize.format(bytesRead)))")
        if planSeconds >= 0.1 { lines.append("planning before that (lookup tables read, slices found): \(num1(planSeconds)) s") }
        if splitsSkipped > 0 || filesSkipped > 0 {
            lines.append("skipped (already committed): \(splitsSkipped) splits, \(filesSkipped) unchanged files")
        }
        if !rejectedBy.isEmpty {
            lines.append("rejected by reason: " + rejectedBy.keys.sorted().map { "\($0) \(rejectedBy[$0] ?? 0)" }.joined(separator: ", "))
        }
        if rowsSpilled > 0 { lines.append("aggregation spilled \(rowsSpilled) rows to disk (groups beyond the memory budget)") }
        lines += sourceSummary
        if let d = deadLetter { lines.append("dead-letter: \(d)") }
        if let e = error { lines.append("error: \(e)") }
        if let r = reportPath { lines.append("report: \(r)") }
        return lines.joined(separator: "\n")
    }

    func num1(_ v: Double) -> String { String(Double(Int(v * 10)) / 10) }
}
