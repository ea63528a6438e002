import SluiceCore
import SluiceHTTP

/// A run report as read back from its run folder (`report.json`, and `batches.jsonl` for a
/// streaming run): what the Markdown and HTML renderings are made from, so that `sluice report`
/// and the end of a run render the same thing.
public struct ReportDocument: Sendable {
    /// A latency distribution in milliseconds.
    public struct Latency: Sendable, Equatable {
        public var count = 0
        public var min = 0.0, mean = 0.0, p50 = 0.0, p95 = 0.0, p99 = 0.0, max = 0.0
    }

    /// One micro-batch line of `batches.jsonl`.
    public struct Batch: Sendable {
        public var id = 0
        public var offsetSeconds = 0.0
        public var files = 0
        public var rowsIn = 0, rowsValid = 0, rowsInvalid = 0
        /// Stage durations in milliseconds, by `StreamMetrics.stages` name.
        public var stages: [String: Double] = [:]
        public var rowsPerSecond = 0.0
        public var latencyMean = 0.0, latencyMax = 0.0
    }

    public var pipeline = "", runID = "", status = "", sink = "", error: String?
    public var workers = 0
    public var rowsIn = 0, rowsOut = 0, rowsRejected = 0, bytesRead = 0, splitsCommitted = 0, filesSkipped = 0
    public var rejectedBy: [(String, Int)] = []
    public var deadLetter: String?
    public var wallSeconds = 0.0, cpuSeconds = 0.0, rowsPerSecond = 0.0
    public var stageSeconds: [(String, Double)] = []
    public var peakMemoryBytes = 0
    /// Set for streaming runs.
    public var streaming: Streaming?
    public var batches: [Batch] = []

    /// The `streaming` section.
    public struct Streaming: Sendable {
        public var batches = 0, files = 0
        public var overallRowsPerSecond = 0.0, busyRowsPerSecond = 0.0, peakRowsPerSecond = 0.0
        public var endToEnd = Latency()
        public var stages: [(String, Latency)] = []
        public var config: [(String, String)] = []
    }

    /// Reads `report.json` (required) and `batches.jsonl` (when there) from `runDirectory`.
    public static func load(runDirectory: String) throws(SluiceError) -> ReportDocument {
        let path = FileIO.join(runDirectory, "report.json")
        let text: String
        do { text = try FileIO.readText(path) } catch { throw SluiceError.io(path: path, message: "cannot read the report: \(error.message)") }
        let root: JSONValue
        do { root = try JSONValue.parse(Array(text.utf8)) } catch { throw SluiceError.io(path: path, message: error.description) }
        var d = ReportDocument(root)
        let batchesPath = FileIO.join(runDirectory, "batches.jsonl")
        if let lines = try? FileIO.readText(batchesPath) {
            for (n, line) in lines.split(separator: "\n").enumerated() where !line.isEmpty {
                do { d.batches.append(Batch(try JSONValue.parse(Array(line.utf8)))) } catch {
                    throw SluiceError.io(path: batchesPath, message: "line \(n + 1): \(error.description)")
                }
            }
        }
        return d
    }

    init(_ j: JSONValue) {
        pipeline = j["pipeline"]?.text ?? ""
        runID = j["run_id"]?.text ?? ""
        status = j["status"]?.text ?? ""
        sink = j["sink"]?.text ?? ""
        error = j["error"]?.text
        workers = j.int("workers")
        rowsIn = j.int("rows_in")
        rowsOut = j.int("rows_out")
        rowsRejected = j.int("rows_rejected")
        bytesRead = j.int("bytes_read")
        splitsCommitted = j.int("splits_committed")
        filesSkipped = j.int("files_skipped_unchanged")
        if case .object(let m)? = j["rejected_by_reason"] { rejectedBy = m.map { ($0.0, Int($0.1.text ?? "") ?? 0) } }
        deadLetter = j["dead_letter"]?.text
        wallSeconds = j.double("wall_seconds")
        cpuSeconds = j.double("cpu_seconds")
        rowsPerSecond = j.double("rows_per_second")
        if case .object(let m)? = j["stage_seconds"] { stageSeconds = m.map { ($0.0, Double($0.1.text ?? "") ?? 0) } }
        peakMemoryBytes = j.int("peak_memory_bytes")
        if let s = j["streaming"], case .object = s {
            var st = Streaming()
            st.batches = s.int("batches")
            st.files = s.int("files")
            st.overallRowsPerSecond = s["throughput"]?.double("overall_rows_per_second") ?? 0
            st.busyRowsPerSecond = s["throughput"]?.double("busy_rows_per_second") ?? 0
            st.peakRowsPerSecond = s["throughput"]?.double("peak_rows_per_second") ?? 0
            st.endToEnd = Latency(s.at(["latency", "end_to_end"]))
            if case .object(let m)? = s.at(["latency", "stages"]) { st.stages = m.map { ($0.0, Latency($0.1)) } }
            if case .object(let m)? = s["config"] { st.config = m.map { ($0.0, $0.1.text ?? ($0.1.isNull ? "none" : "")) } }
            streaming = st
        }
    }
}

extension ReportDocument.Latency {
    init(_ j: JSONValue?) {
        guard let j else { return }
        count = j.int("count")
        min = j.double("min_ms")
        mean = j.double("mean_ms")
        p50 = j.double("p50_ms")
        p95 = j.double("p95_ms")
        p99 = j.double("p99_ms")
        max = j.double("max_ms")
    }
}

extension ReportDocument.Batch {
    init(_ j: JSONValue) {
        id = j.int("batch_id")
        offsetSeconds = j.double("offset_seconds")
        files = j.int("files")
        rowsIn = j.int("rows_in")
        rowsValid = j.int("rows_valid")
        rowsInvalid = j.int("rows_invalid")
        if case .object(let m)? = j["duration_ms"] { for (k, v) in m { stages[k] = Double(v.text ?? "") ?? 0 } }
        rowsPerSecond = j.double("processed_rows_per_second")
        latencyMean = j["latency_ms"]?.double("mean") ?? 0
        latencyMax = j["latency_ms"]?.double("max") ?? 0
    }
}

extension JSONValue {
    func int(_ key: String) -> Int { self[key]?.text.flatMap { Int($0) ?? Double($0).map { Int($0) } } ?? 0 }
    func double(_ key: String) -> Double { self[key]?.text.flatMap { Double($0) } ?? 0 }
}

extension ReportDocument {
    /// The throughput series (rows per second, one-second buckets) from the batches.
    public var throughputSeries: [Double] {
        ThroughputSeries.buckets(batches.map { ThroughputSeries.Batch(start: $0.offsetSeconds, seconds: ($0.stages["total"] ?? 0) / 1000, rows: $0.rowsIn) })
    }

    /// Rows that passed validation and were handed to the sink, against rows read minus rejected.
    public var integrityHolds: Bool { rowsOut == rowsIn - rowsRejected }

    public var validationSuccessRate: Double { rowsIn > 0 ? Double(rowsIn - rowsRejected) / Double(rowsIn) * 100 : 100 }
}

/// Writes `report.md` and `report.html` beside a run folder's `report.json`.
public enum ReportRenderer {
    public static func write(runDirectory: String) throws(SluiceError) {
        let d = try ReportDocument.load(runDirectory: runDirectory)
        for (name, text) in [("report.md", ReportMarkdown.render(d)), ("report.html", ReportHTML.render(d))] {
            let path = FileIO.join(runDirectory, name)
            do { try FileIO.writeText(path, text) } catch { throw SluiceError.io(path: path, message: error.message) }
        }
    }
}
