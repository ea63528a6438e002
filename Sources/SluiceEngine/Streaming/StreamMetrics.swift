import Histogram
import SluiceCore

/// What one micro-batch did: one line of `batches.jsonl` in the run folder, in the spirit of
/// Spark's StreamingQueryProgress.
struct BatchRecord: Sendable {
    var batch: Int64
    /// Wall-clock start, nanoseconds since the epoch, and seconds since the run started.
    var startedAt: Int64
    var offsetSeconds: Double
    var files = 0
    var bytes: Int64 = 0
    var rowsIn = 0
    var rowsValid = 0
    var rowsInvalid = 0
    var rejectedBy: [String: Int] = [:]
    /// Stage times in nanoseconds. Read+parse and validate are summed over the workers; the
    /// others are wall time of the single commit loop.
    var discovery: Int64 = 0
    var readParse: Int64 = 0
    var validate: Int64 = 0
    var write: Int64 = 0
    var commit: Int64 = 0
    var total: Int64 = 0
    /// Seconds since the previous batch started (for the input rate).
    var sincePrevious: Double = 0
    /// End-to-end latency of this batch's committed rows, nanoseconds.
    var latencyMin: Int64 = 0
    var latencyMax: Int64 = 0
    var latencyMean: Double = 0
    /// Complete files left waiting after the batch was planned.
    var backlogFiles = 0

    var inputRowsPerSecond: Double { sincePrevious > 0 ? Double(rowsIn) / sincePrevious : 0 }
    var processedRowsPerSecond: Double { total > 0 ? Double(rowsIn) / (Double(total) / 1e9) : 0 }

    var jsonLine: String {
        func ms(_ n: Int64) -> String { StreamMetrics.number(Double(n) / 1e6) }
        let rejected = rejectedBy.keys.sorted().map { "\(JSON.quote($0)):\(rejectedBy[$0] ?? 0)" }.joined(separator: ",")
        return "{\"batch_id\":\(batch),\"timestamp\":\(JSON.quote(WallClock.iso(startedAt))),\"offset_seconds\":\(StreamMetrics.number(offsetSeconds)),"
            + "\"files\":\(files),\"bytes\":\(bytes),\"rows_in\":\(rowsIn),\"rows_valid\":\(rowsValid),\"rows_invalid\":\(rowsInvalid),"
            + "\"rejected_by\":{\(rejected)},"
            + "\"duration_ms\":{\"discovery\":\(ms(discovery)),\"read_parse\":\(ms(readParse)),\"validate\":\(ms(validate)),"
            + "\"write\":\(ms(write)),\"commit\":\(ms(commit)),\"total\":\(ms(total))},"
            + "\"input_rows_per_second\":\(StreamMetrics.number(inputRowsPerSecond)),"
            + "\"processed_rows_per_second\":\(StreamMetrics.number(processedRowsPerSecond)),"
            + "\"latency_ms\":{\"min\":\(ms(latencyMin)),\"mean\":\(StreamMetrics.number(latencyMean / 1e6)),\"max\":\(ms(latencyMax))},"
            + "\"backlog_files\":\(backlogFiles)}"
    }
}

/// Latency distributions of a streaming run (HdrHistogram, microsecond resolution): per stage,
/// one value per batch; end to end (file complete → row committed), one value per committed row.
struct StreamMetrics {
    static let stages = ["discovery", "read_parse", "validate", "write", "commit", "total"]
    private(set) var stageHistograms: [String: Histogram<UInt64>] = [:]
    private(set) var endToEnd = Histogram<UInt64>(numberOfSignificantValueDigits: .three)
    private(set) var batches = 0
    private(set) var files = 0
    private(set) var rowsIn = 0
    private(set) var rowsValid = 0
    private(set) var rowsInvalid = 0
    private(set) var busyNanos: Int64 = 0
    /// Each batch's start (seconds since the run started), duration and rows, for the peak rate.
    private(set) var series: [ThroughputSeries.Batch] = []

    init() {
        for s in Self.stages { stageHistograms[s] = Histogram<UInt64>(numberOfSignificantValueDigits: .three) }
    }

    mutating func add(_ b: BatchRecord) {
        batches += 1
        files += b.files
        rowsIn += b.rowsIn
        rowsValid += b.rowsValid
        rowsInvalid += b.rowsInvalid
        busyNanos += b.total
        let values = [b.discovery, b.readParse, b.validate, b.write, b.commit, b.total]
        for (s, v) in zip(Self.stages, values) { _ = stageHistograms[s]?.record(UInt64(max(v / 1000, 0))) }
        series.append(ThroughputSeries.Batch(start: b.offsetSeconds, seconds: Double(b.total) / 1e9, rows: b.rowsIn))
    }

    /// One file's rows committed `nanos` after the file arrived.
    mutating func recordLatency(nanos: Int64, rows: Int) {
        guard rows > 0 else { return }
        _ = endToEnd.record(UInt64(max(nanos / 1000, 0)), count: UInt64(rows))
    }

    /// `{"count":…,"min_ms":…,"mean_ms":…,"p50_ms":…,"p95_ms":…,"p99_ms":…,"max_ms":…}` of a
    /// microsecond histogram.
    static func summary(_ h: Histogram<UInt64>) -> String {
        guard h.totalCount > 0 else { return "{\"count\":0}" }
        func ms(_ us: UInt64) -> String { number(Double(us) / 1000) }
        return "{\"count\":\(h.totalCount),\"min_ms\":\(ms(h.min)),\"mean_ms\":\(number(h.mean / 1000)),"
            + "\"p50_ms\":\(ms(h.valueAtPercentile(50))),\"p95_ms\":\(ms(h.valueAtPercentile(95))),"
            + "\"p99_ms\":\(ms(h.valueAtPercentile(99))),\"max_ms\":\(ms(h.max))}"
    }

    /// The `streaming` section of report.json.
    func json(config: StreamingConfig, discovery: String, wallSeconds: Double, once: Bool, sources: [String]) -> String {
        let stagesJSON = Self.stages.compactMap { s in stageHistograms[s].map { "\"\(s)\":\(Self.summary($0))" } }.joined(separator: ",")
        let overall = wallSeconds > 0 ? Double(rowsIn) / wallSeconds : 0
        let busy = busyNanos > 0 ? Double(rowsIn) / (Double(busyNanos) / 1e9) : 0
        let trigger = config.triggerNanos == 0 ? "\"0s\"" : JSON.quote(Self.number(Double(config.triggerNanos) / 1e6) + "ms")
        return "{\"batches\":\(batches),\"files\":\(files),\"rows_in\":\(rowsIn),\"rows_valid\":\(rowsValid),\"rows_invalid\":\(rowsInvalid),"
            + "\"throughput\":{\"overall_rows_per_second\":\(Self.number(overall)),\"busy_rows_per_second\":\(Self.number(busy)),"
            + "\"peak_rows_per_second\":\(Self.number(ThroughputSeries.peak(series)))},"
            + "\"latency\":{\"end_to_end\":\(Self.summary(endToEnd)),\"stages\":{\(stagesJSON)}},"
            + "\"config\":{\"source\":\(JSON.quote(sources.joined(separator: ", "))),\"trigger\":\(trigger),\"max_files_per_trigger\":\(config.maxFilesPerTrigger.map(String.init) ?? "null"),"
            + "\"max_bytes_per_trigger\":\(config.maxBytesPerTrigger.map { String($0) } ?? "null"),\"latest_first\":\(config.latestFirst),"
            + "\"clean_source\":\(JSON.quote(config.cleanSource.rawValue)),\"grace_ms\":\(config.graceNanos / 1_000_000),"
            + "\"discovery\":\(JSON.quote(discovery)),\"once\":\(once)}}"
    }

    /// A finite number with at most three decimals, as JSON.
    static func number(_ v: Double) -> String {
        guard v.isFinite else { return "null" }
        let r = (v * 1000).rounded() / 1000
        if r == r.rounded(), abs(r) < 1e15 { return String(Int64(r)) }
        return String(r)
    }
}
