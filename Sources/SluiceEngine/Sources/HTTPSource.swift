import SluiceCore
import SluiceHTTP

/// An API source: every window of every series is a split, so the ledger makes a re-run fetch
/// only the windows not committed yet. All readers share one `APIClient`: one rate limit, one
/// concurrency limit and one set of metrics for the whole source.
struct HTTPSource: Sendable {
    let config: HTTPSourceConfig
    /// The request description, projected.
    let spec: APISpec
    let client: APIClient
    let planner: WindowPlanner

    /// `now` (UTC seconds) clips the range: an API has nothing later, and a window fetched
    /// before its time is over would be committed incomplete. The source's `lag` clips further,
    /// for APIs that publish late.
    init(_ config: HTTPSourceConfig, now: Int64 = Clock.unixSeconds()) throws(SluiceError) {
        self.config = config
        spec = config.spec
        client = APIClient(config.client)
        let hour: Int64 = 3600
        let until = min(config.end, (now - config.lag) / hour * hour)
        planner = WindowPlanner(start: config.start, end: until, step: config.step)
        if planner.windows().isEmpty {
            throw config.location.error(
                until < config.end
                    ? "nothing to fetch yet: the range starts at \(APITimeFormat.iso8601.format(config.start)), and data up to \(APITimeFormat.iso8601.format(until)) is all there is (now less the lag)"
                    : "the range and window give no windows to fetch")
        }
    }

    private init(config: HTTPSourceConfig, spec: APISpec, client: APIClient, planner: WindowPlanner) {
        self.config = config
        self.spec = spec
        self.client = client
        self.planner = planner
    }

    /// The API counters of this source (shared by its projections).
    var metrics: HTTPMetrics { client.metrics }

    /// What names a series in split ids: the spec's kind, path and every parameter but the
    /// secrets, so that changing a facet or the route makes new splits, and a new key does not.
    func seriesName(_ s: [QueryItem]) -> String {
        let params = (spec.query + s).filter { !spec.secretKeys.contains($0.name) }
            .map { "\($0.name)=\($0.value)" }.joined(separator: "&")
        return "\(spec.name):\(spec.path)?\(params)"
    }

    /// The series' URL without its window, redacted: the unit's path in the ledger and in messages.
    func seriesURL(_ s: [QueryItem]) -> String {
        RequestURL(base: spec.baseURL, path: spec.path, query: spec.query + s, secretKeys: spec.secretKeys).redacted
    }
}

extension HTTPSource: PipelineSource {
    var schema: Schema { config.spec.schema }
    var readSchema: Schema { spec.schema }
    var inputs: [String] { config.series.map(seriesURL) }

    func projected(to columns: Set<String>) -> any PipelineSource {
        HTTPSource(config: config, spec: spec.projected(to: columns), client: client, planner: planner)
    }

    func plan() throws(SluiceError) -> [SourceUnit] { try plan(resuming: []) }

    /// A unit per series; its splits are the windows, in time order: those committed before (as
    /// they were cut then) and new ones around them. A split's index is its series.
    func plan(resuming committed: Set<String>) throws(SluiceError) -> [SourceUnit] {
        config.series.enumerated().map { si, s in
            let prefix = seriesName(s) + ":"
            let url = seriesURL(s)
            let done = committed.compactMap { $0.hasPrefix(prefix) ? TimeWindow(id: $0.dropFirst(prefix.count)) : nil }
            let splits = planner.windows(around: done).map { w in
                SourceSplit(id: prefix + w.id, path: url, source: url, index: si)
            }
            return SourceUnit(path: url, identity: nil, splits: splits)
        }
    }

    func reader(for split: SourceSplit, batchRows: Int) throws(SluiceError) -> any SplitReader {
        let si = split.index
        guard si >= 0, si < config.series.count else {
            throw .invalidArgument("API split \(split.id) names series \(si) of \(config.series.count)")
        }
        let prefix = seriesName(config.series[si]) + ":"
        guard split.id.hasPrefix(prefix), let window = TimeWindow(id: split.id.dropFirst(prefix.count)) else {
            throw .invalidArgument("API split \(split.id) does not name a window of \(prefix.dropLast())")
        }
        return HTTPSplitReader(
            fetcher: WindowFetcher(spec: spec, client: client), window: window, series: config.series[si], batchRows: batchRows)
    }
}

/// Reads one window: fetches all its pages on the first call, then hands the rows over in
/// batches of `batchRows`, the first carrying the rows that did not convert.
final class HTTPSplitReader: SplitReader {
    let fetcher: WindowFetcher
    let window: TimeWindow
    let series: [QueryItem]
    let batchRows: Int
    var result: WindowResult?
    var offset = 0
    var rejectsSent = false
    private(set) var bytesRead: Int64 = 0

    init(fetcher: WindowFetcher, window: TimeWindow, series: [QueryItem], batchRows: Int) {
        self.fetcher = fetcher
        self.window = window
        self.series = series
        self.batchRows = max(batchRows, 1)
    }

    func next() async throws(SluiceError) -> SourceChunk? {
        if result == nil {
            let r = try await fetcher.fetch(window, series: series)
            result = r
            bytesRead = Int64(r.bytes)
        }
        guard let r = result else { return nil }
        let rejects = rejectsSent ? [] : r.rejects
        rejectsSent = true
        guard offset < r.batch.count || !rejects.isEmpty else { return nil }
        let n = min(batchRows, r.batch.count - offset)
        var batch = r.batch.slice(offset, n)
        batch.origin = RowOrigin(source: r.url, lines: nil)
        offset += n
        return SourceChunk(batch: batch, rejects: rejects)
    }
}

/// A source with counters of its own for the run report: an API source's requests, retries by
/// cause, 429s, achieved rate against the limit and window latency. The report writer adds
/// `reportSection` to `report.json` under its name and prints `reportSummary` with the summary.
protocol ReportingSource {
    var reportSection: (name: String, json: String) { get }
    var reportSummary: String { get }
}

extension HTTPSource: ReportingSource {
    var reportSection: (name: String, json: String) { ("http", metrics.snapshot().json) }
    var reportSummary: String { "http: " + metrics.snapshot().summary }
}
