import SluiceCore
import Synchronization

/// Counters of an API source, shared by its workers: requests, retries by cause, 429s, records,
/// achieved request rate against the configured limit, and per-window latency. Cheap to update
/// (one lock per request or window); read with `snapshot()`.
public final class HTTPMetrics: Sendable {
    /// The configured limit in requests per second, nil when unlimited.
    public let limit: Double?

    struct State {
        var requests = 0
        var statuses: [Int: Int] = [:]
        var retries: [RetryCause: Int] = [:]
        var failures = 0
        var records = 0
        var duplicates = 0
        var bytes = 0
        var pages = 0
        var windows = 0
        var windowSeconds: [Double] = []
        var limiterWaitSeconds = 0.0
        var firstRequest: ContinuousClock.Instant?
        var lastResponse: ContinuousClock.Instant?
    }

    let state = Mutex(State())

    public init(limit: Double?) {
        self.limit = limit
    }

    func requestStarted(at t: ContinuousClock.Instant) {
        state.withLock { s in
            s.requests += 1
            if s.firstRequest == nil { s.firstRequest = t }
        }
    }

    func responded(status: Int?, bytes: Int, at t: ContinuousClock.Instant) {
        state.withLock { s in
            if let status { s.statuses[status, default: 0] += 1 }
            s.bytes += bytes
            if s.lastResponse.map({ t > $0 }) ?? true { s.lastResponse = t }
        }
    }

    func retried(_ cause: RetryCause) { state.withLock { $0.retries[cause, default: 0] += 1 } }

    func failed() { state.withLock { $0.failures += 1 } }

    func waitedForLimiter(_ d: Duration) { state.withLock { $0.limiterWaitSeconds += TokenBucket.toSeconds(d) } }

    /// One window done: its records (after dedup), the duplicates dropped, pages and wall time.
    public func windowFinished(records: Int, duplicates: Int, pages: Int, seconds: Double) {
        state.withLock { s in
            s.windows += 1
            s.records += records
            s.duplicates += duplicates
            s.pages += pages
            s.windowSeconds.append(seconds)
        }
    }

    /// The counters now.
    public func snapshot() -> HTTPMetricsSnapshot {
        state.withLock { s in
            var span = 0.0
            if let a = s.firstRequest, let b = s.lastResponse, b > a { span = TokenBucket.toSeconds(b - a) }
            let sorted = s.windowSeconds.sorted()
            func pct(_ p: Double) -> Double {
                guard !sorted.isEmpty else { return 0 }
                let rank = Int((p * Double(sorted.count)).rounded(.up)) - 1
                return sorted[min(sorted.count - 1, max(0, rank))]
            }
            return HTTPMetricsSnapshot(
                requests: s.requests, statuses: s.statuses, retries: s.retries, failures: s.failures,
                tooManyRequests: s.statuses[429] ?? 0, records: s.records, duplicates: s.duplicates, bytes: s.bytes,
                pages: s.pages, windows: s.windows, seconds: span, limit: limit, limiterWaitSeconds: s.limiterWaitSeconds,
                windowLatency: (pct(0.5), pct(0.95), pct(0.99), sorted.last ?? 0))
        }
    }
}

/// The API counters at one moment, for the run report.
public struct HTTPMetricsSnapshot: Sendable, Equatable {
    /// Requests sent, retries included.
    public var requests: Int
    /// Responses by HTTP status.
    public var statuses: [Int: Int]
    public var retries: [RetryCause: Int]
    /// Requests that failed after their last retry.
    public var failures: Int
    /// 429 responses received.
    public var tooManyRequests: Int
    public var records: Int
    /// Rows dropped as duplicates of the natural key within a window (overlapping pages).
    public var duplicates: Int
    public var bytes: Int
    public var pages: Int
    public var windows: Int
    /// From the first request sent to the last response received.
    public var seconds: Double
    /// The configured limit in requests per second.
    public var limit: Double?
    /// Time workers spent waiting for the rate limiter, summed over workers.
    public var limiterWaitSeconds: Double
    /// Seconds per window: p50, p95, p99, max.
    public var windowLatency: (p50: Double, p95: Double, p99: Double, max: Double)

    public static func == (a: Self, b: Self) -> Bool {
        a.requests == b.requests && a.statuses == b.statuses && a.retries == b.retries && a.records == b.records
            && a.windows == b.windows && a.seconds == b.seconds
    }

    public var totalRetries: Int { retries.values.reduce(0, +) }

    /// Requests per second over the active span.
    public var achievedRate: Double { seconds > 0 ? Double(requests) / seconds : 0 }

    /// Achieved rate as a fraction of the limit; nil without a limit.
    public var utilization: Double? { limit.map { $0 > 0 ? achievedRate / $0 : 0 } }

    public var recordsPerSecond: Double { seconds > 0 ? Double(records) / seconds : 0 }

    /// The snapshot as one JSON object, for `report.json`.
    public var json: String {
        func num(_ d: Double) -> String {
            guard d.isFinite else { return "null" }
            return String(Double(Int((d * 1000).rounded())) / 1000)
        }
        let st = statuses.keys.sorted().map { "\"\($0)\":\(statuses[$0] ?? 0)" }.joined(separator: ",")
        let rt = RetryCause.allCases.map { "\"\($0.rawValue)\":\(retries[$0] ?? 0)" }.joined(separator: ",")
        var parts = [
            "\"requests\":\(requests)", "\"statuses\":{\(st)}", "\"retries\":{\(rt)}", "\"retries_total\":\(totalRetries)",
            "\"failures\":\(failures)", "\"too_many_requests\":\(tooManyRequests)", "\"records\":\(records)",
            "\"duplicates_dropped\":\(duplicates)", "\"bytes\":\(bytes)", "\"pages\":\(pages)", "\"windows\":\(windows)",
            "\"seconds\":\(num(seconds))", "\"achieved_rate\":\(num(achievedRate))", "\"records_per_second\":\(num(recordsPerSecond))",
            "\"limiter_wait_seconds\":\(num(limiterWaitSeconds))",
            "\"window_latency_seconds\":{\"p50\":\(num(windowLatency.p50)),\"p95\":\(num(windowLatency.p95)),\"p99\":\(num(windowLatency.p99)),\"max\":\(num(windowLatency.max))}",
        ]
        if let l = limit {
            parts.append("\"limit_rate\":\(num(l))")
            parts.append("\"utilization\":\(num(utilization ?? 0))")
        }
        return "{" + parts.joined(separator: ",") + "}"
    }

    /// One line for people: `146 requests in 7.3 s (19.9/s of 20/s limit, 99%), 0 retries, ...`.
    public var summary: String {
        var s = "\(requests) requests in \(format1(seconds)) s (\(format1(achievedRate))/s"
        if let l = limit { s += " of \(format1(l))/s limit, \(Int(((utilization ?? 0) * 100).rounded()))%" }
        s += "), \(totalRetries) retries"
        let causes = RetryCause.allCases.compactMap { c in retries[c].map { "\(c.rawValue): \($0)" } }
        if !causes.isEmpty { s += " (" + causes.joined(separator: ", ") + ")" }
        s += ", \(tooManyRequests) × 429, \(records) records (\(format1(recordsPerSecond))/s), \(windows) windows"
        return s
    }

    func format1(_ d: Double) -> String {
        guard d.isFinite else { return "-" }
        let t = Int((d * 10).rounded())
        return "\(t / 10).\(abs(t % 10))"
    }
}
