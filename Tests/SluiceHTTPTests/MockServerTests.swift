import SluiceCore
import Testing

@testable import SluiceHTTP

/// Runs an emulator in this process on a free port for the duration of `body`.
func withMock<T: Sendable>(_ options: MockOptions, _ body: (Int, MockAPIServer) async throws -> T) async throws -> T {
    let server = try MockAPIServer(options)
    let (ports, continuation) = AsyncStream<Int>.makeStream()
    let task = Task { try await server.run { continuation.yield($0) } }
    var it = ports.makeAsyncIterator()
    guard let port = await it.next(), port > 0 else {
        task.cancel()
        throw SluiceError.io(path: "mock", message: "the emulator did not start")
    }
    do {
        let out = try await body(port, server)
        task.cancel()
        _ = await task.result
        return out
    } catch {
        task.cancel()
        _ = await task.result
        throw error
    }
}

func ts(_ s: String) -> Int64 { CivilTime.parseTimestamp(s, unit: .s) ?? -1 }

func eiaSpec(port: Int, respondents: [String], pageSize: Int = 5000) -> APISpec {
    var p = EIAPreset(route: "electricity/rto/region-data")
    p.baseURL = "http://127.0.0.1:\(port)"
    p.apiKey = "test-key"
    p.facets = [("respondent", respondents), ("type", ["D"])]
    p.pageSize = pageSize
    return p.spec()
}

func fastClient(rate: (Int, Double, Int)? = nil, concurrency: Int = 4, timeout: Duration = .seconds(5)) -> APIClient {
    var o = APIClientOptions()
    o.rateLimit = rate
    o.concurrency = concurrency
    o.timeout = timeout
    o.retry = RetryPolicy(maxAttempts: 12, baseDelay: .milliseconds(10), maxDelay: .milliseconds(200))
    return APIClient(o)
}

/// Rows of a batch as text, for comparing runs.
func rows(_ b: RecordBatch) -> [String] { (0..<b.count).map { b.row($0).map(\.description).joined(separator: "|") } }

@Suite(.serialized) struct MockServerTests {
    @Test func eiaWindowIsPagedTypedAndMatchesTheGenerator() async throws {
        try await withMock(MockOptions(api: .eia)) { port, server in
            let fetcher = WindowFetcher(spec: eiaSpec(port: port, respondents: ["PJM", "MISO", "ERCO"], pageSize: 100), client: fastClient())
            let w = TimeWindow(start: ts("2023-01-01T00:00:00Z"), end: ts("2023-01-08T00:00:00Z"))
            let r = try await fetcher.fetch(w)
            // end is inclusive in EIA, so the window asks for 2023-01-07T23: 168 hours x 3 respondents.
            #expect(r.batch.count == 504)
            #expect(r.pages == 6)
            #expect(r.duplicates == 0)
            let period = try #require(r.batch.column(named: "period"))
            let resp = try #require(r.batch.column(named: "respondent"))
            let value = try #require(r.batch.column(named: "value"))
            // Sorted by period, then respondent (ERCO, MISO, PJM).
            #expect(resp.string(at: 0) == "ERCO" && resp.string(at: 1) == "MISO" && resp.string(at: 2) == "PJM")
            #expect(period.value(503, as: Int64.self) == ts("2023-01-07T23:00:00Z") * 1_000_000)
            let pjm = MockEIAData.respondents.firstIndex { $0.code == "PJM" } ?? -1
            let expected = MockEIAData.value(respondent: pjm, type: 0, hour: ts("2023-01-01T05:00:00Z"))
            #expect(value.value(5 * 3 + 2, as: Double.self) == Double(expected ?? -1))
            #expect(server.requests == 6)
            let m = fetcher.client.metrics.snapshot()
            #expect(m.requests == 6 && m.totalRetries == 0 && m.records == 504 && m.windows == 1)
        }
    }

    @Test func badKeyIsAnErrorNamingTheURLWithoutTheSecret() async throws {
        var o = MockOptions(api: .eia)
        o.apiKey = "right"
        try await withMock(o) { port, _ in
            let fetcher = WindowFetcher(spec: eiaSpec(port: port, respondents: ["PJM"]), client: fastClient())
            do {
                _ = try await fetcher.fetch(TimeWindow(start: ts("2023-01-01T00:00:00Z"), end: ts("2023-01-02T00:00:00Z")))
                Issue.record("a bad key fetched")
            } catch {
                let text = "\(error)"
                #expect(text.contains("HTTP 403"))
                #expect(text.contains("API_KEY_INVALID"))
                #expect(text.contains("api_key=***"))
                #expect(text.contains("window 2023-01-01T00:00:00Z/2023-01-02T00:00:00Z"))
                #expect(!text.contains("test-key"))
            }
        }
    }

    /// Every fault kind at a high rate: the window still arrives, identical to the fault-free one,
    /// and the metrics count the retries by cause.
    @Test func faultsAreRetriedAndTheDataIsTheSame() async throws {
        let w = TimeWindow(start: ts("2024-02-01T00:00:00Z"), end: ts("2024-02-15T00:00:00Z"))
        let clean = try await withMock(MockOptions(api: .eia)) { port, _ in
            try await WindowFetcher(spec: eiaSpec(port: port, respondents: ["PJM", "CISO"], pageSize: 50), client: fastClient()).fetch(w)
        }
        var o = MockOptions(api: .eia)
        o.faultRate = 0.4
        o.hangSeconds = 3
        try await withMock(o) { port, _ in
            let fetcher = WindowFetcher(
                spec: eiaSpec(port: port, respondents: ["PJM", "CISO"], pageSize: 50), client: fastClient(timeout: .milliseconds(400)))
            let r = try await fetcher.fetch(w)
            #expect(rows(r.batch) == rows(clean.batch))
            let m = fetcher.client.metrics.snapshot()
            #expect(m.totalRetries > 0)
            #expect(m.retries.keys.count >= 4, "causes seen: \(m.retries)")
        }
    }

    /// A client at the server's rate never trips it; a client twice as fast gets 429s, slows
    /// down and still completes.
    @Test func rateLimitIsRespectedAndEnforced() async throws {
        var o = MockOptions(api: .eia)
        o.rateLimit = (20, 1)
        let w = (0..<20).map { d in TimeWindow(start: ts("2024-01-01T00:00:00Z") + Int64(d) * 86_400, end: ts("2024-01-01T00:00:00Z") + Int64(d + 1) * 86_400) }
        try await withMock(o) { port, server in
            let fetcher = WindowFetcher(spec: eiaSpec(port: port, respondents: ["PJM"]), client: fastClient(rate: (20, 1, 1), concurrency: 3))
            try await withThrowingTaskGroup(of: Void.self) { g in
                for x in w { g.addTask { _ = try await fetcher.fetch(x) } }
                try await g.waitForAll()
            }
            // The server's bucket starts full (20), so even 40 back to back would pass; what matters is no 429.
            #expect(server.violations == 0)
        }
        o.rateLimit = (5, 1)
        try await withMock(o) { port, server in
            let fetcher = WindowFetcher(spec: eiaSpec(port: port, respondents: ["PJM"]), client: fastClient(rate: (50, 1, 10), concurrency: 4))
            try await withThrowingTaskGroup(of: Void.self) { g in
                for x in w { g.addTask { _ = try await fetcher.fetch(x) } }
                try await g.waitForAll()
            }
            let m = fetcher.client.metrics.snapshot()
            #expect(m.windows == 20)
            #expect(m.tooManyRequests == server.violations)
            #expect(m.tooManyRequests > 0)
            #expect(m.retries[.rateLimited] == m.tooManyRequests)
        }
    }

    @Test func caisoZipIsReadSortedAndTyped() async throws {
        try await withMock(MockOptions(api: .caiso)) { port, _ in
            var p = CAISOPreset(queryName: "SLD_FCST")
            p.baseURL = "http://127.0.0.1:\(port)"
            let fetcher = WindowFetcher(spec: p.spec(), client: fastClient())
            let r = try await fetcher.fetch(TimeWindow(start: ts("2023-08-13T07:00:00Z"), end: ts("2023-08-14T07:00:00Z")))
            #expect(r.batch.count == 24 * MockOASISData.areas.count)
            let start = try #require(r.batch.column(named: "intervalstarttime_gmt"))
            let area = try #require(r.batch.column(named: "tac_area_name"))
            let mw = try #require(r.batch.column(named: "mw"))
            let oprDate = try #require(r.batch.column(named: "opr_dt"))
            let hr = try #require(r.batch.column(named: "opr_hr"))
            #expect(start.type == .timestamp(.us) && mw.type == .float64 && oprDate.type == .date && hr.type == .int32)
            // Sorted by the key: the first rows are the first hour, areas in name order.
            #expect(start.value(0, as: Int64.self) == ts("2023-08-13T07:00:00Z") * 1_000_000)
            #expect(area.string(at: 0) == "CA ISO-TAC" && area.string(at: 1) == "PGE-TAC")
            #expect(mw.value(0, as: Double.self) == MockOASISData.mw(area: 0, hour: ts("2023-08-13T07:00:00Z"), market: "ACTUAL"))
            // 07:00 GMT is midnight PDT: operating day 2023-08-13, hour-ending 1.
            #expect(Scalar.date(oprDate.value(0, as: Int32.self)).description == "2023-08-13")
            #expect(hr.value(0, as: Int32.self) == 1)
        }
    }

    @Test func caisoErrorInsideAZipIsReported() async throws {
        try await withMock(MockOptions(api: .caiso)) { port, _ in
            var p = CAISOPreset(queryName: "SLD_FCST")
            p.baseURL = "http://127.0.0.1:\(port)"
            let fetcher = WindowFetcher(spec: p.spec(), client: fastClient())
            do {
                _ = try await fetcher.fetch(TimeWindow(start: ts("2023-01-01T00:00:00Z"), end: ts("2023-03-01T00:00:00Z")))
                Issue.record("a 59-day request passed")
            } catch {
                #expect("\(error)".contains("OASIS error 1004: Data can be requested for period of 31 days only"))
            }
            var q = CAISOPreset(queryName: "PRC_LMP")
            q.baseURL = p.baseURL
            let none = try await WindowFetcher(spec: q.spec(), client: fastClient())
                .fetch(TimeWindow(start: ts("2023-01-01T00:00:00Z"), end: ts("2023-01-02T00:00:00Z")))
            #expect(none.batch.count == 0)
        }
    }
}
