import SluiceCore
import SluiceHTTP
import Testing

@testable import SluiceEngine

/// How an API source cuts its range: clipped to now less the lag, and kept around committed windows.
@Suite struct HTTPSourcePlanTests {
    func config(_ range: String, lag: String = "") throws -> HTTPSourceConfig {
        let yaml = """
            name: eia
            source:
              type: eia
              base_url: http://127.0.0.1:1
              api_key: k
              route: electricity/rto/region-data
              facets: {respondent: [PJM], type: [D]}
            \(range)
            \(lag)
            sink: {type: sqlite, path: out.sqlite, table: t}
            """
        guard case .http(let c) = try PipelineConfig.parse(yaml: yaml, file: "eia.yml").source else {
            throw SluiceError.invalidArgument("not an API source")
        }
        return c
    }

    func ts(_ s: String) -> Int64 { CivilTime.parseTimestamp(s, unit: .s) ?? -1 }

    func windowIDs(_ units: [SourceUnit]) -> [String] {
        units.flatMap(\.splits).map { String($0.id.suffix(41)) }
    }

    @Test func theRangeEndsAtTheLastWholeHourLessTheLag() throws {
        let now = ts("2026-11-22T13:37:12Z")
        let open = try HTTPSource(config("  start: 2026-11-01\n  end: now\n  window: 10d"), now: now)
        #expect(windowIDs(try open.plan()) == [
            "2026-11-01T00:00:00Z/2026-11-11T00:00:00Z", "2026-11-11T00:00:00Z/2026-11-21T00:00:00Z",
            "2026-11-21T00:00:00Z/2026-11-22T13:00:00Z",
        ])
        let lagged = try HTTPSource(config("  start: 2026-11-01\n  end: 2026-12-31\n  window: 10d", lag: "  lag: 2d"), now: now)
        #expect(windowIDs(try lagged.plan()).last == "2026-11-11T00:00:00Z/2026-11-20T13:00:00Z")
        #expect(throws: SluiceError.self) { try HTTPSource(config("  start: 2026-11-22T14\n  end: now\n  window: 1d"), now: now) }
    }

    @Test func aLaterRunKeepsTheWindowsCommittedBefore() throws {
        let first = try HTTPSource(config("  start: 2026-11-01\n  end: now\n  window: 10d"), now: ts("2026-11-05T06:00:00Z"))
        let committed = Set(try first.plan().flatMap(\.splits).map(\.id))
        let later = try HTTPSource(config("  start: 2026-11-01\n  end: now\n  window: 10d"), now: ts("2026-11-22T00:00:00Z"))
        let splits = try later.plan(resuming: committed).flatMap(\.splits)
        #expect(splits.map { String($0.id.suffix(41)) } == [
            "2026-11-01T00:00:00Z/2026-11-05T06:00:00Z", "2026-11-05T06:00:00Z/2026-11-15T06:00:00Z",
            "2026-11-15T06:00:00Z/2026-11-22T00:00:00Z",
        ])
        #expect(splits.filter { !committed.contains($0.id) }.count == 2)
        // every split reads back its own window
        for s in splits { _ = try later.reader(for: s, batchRows: 100) }
    }

    @Test func sinceAndUntilMoveTheRange() throws {
        var c = try PipelineConfig.parse(yaml: """
            name: eia
            source: {type: eia, base_url: "http://127.0.0.1:1", api_key: k, route: r, start: 2024-01-01, end: 2024-01-31}
            sink: {type: sqlite, path: out.sqlite, table: t}
            """, file: "eia.yml")
        try c.overrideRange(since: "2024-02-01", until: "2024-02-29")
        guard case .http(let h) = c.source else { throw SluiceError.invalidArgument("not an API source") }
        #expect(h.start == ts("2024-02-01T00:00:00Z") && h.end == ts("2024-03-01T00:00:00Z"))
        #expect(throws: SluiceError.self) { try c.overrideRange(since: "2024-03-05", until: nil) }
        #expect(throws: SluiceError.self) { try c.overrideRange(since: "yesterday", until: nil) }
    }
}
