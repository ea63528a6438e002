import Foundation
import SluiceCore
import Testing

@testable import SluiceEngine

@Suite struct StreamingTests {
    func file(_ path: String, modified: Int64, size: Int64 = 100) -> WatchedFile {
        WatchedFile(path: path, size: size, modified: modified, firstSeen: 0, changedAt: 0, renamedIn: true)
    }

    @Test func patternsFindTheirRootAndMatchEventPaths() {
        let flat = PathPattern("incoming/*.csv")
        #expect(flat.root == "incoming" && !flat.deep)
        #expect(flat.matches("incoming/e1.csv"))
        #expect(!flat.matches("incoming/sub/e1.csv") && !flat.matches("incoming/e1.json") && !flat.matches("incoming/.e1.csv"))
        let deep = PathPattern("/data/drop/**/*.csv")
        #expect(deep.root == "/data/drop" && deep.deep)
        #expect(deep.matches("/data/drop/e.csv") && deep.matches("/data/drop/2024/05/e.csv"))
        #expect(!deep.matches("/data/other/e.csv"))
        let bare = PathPattern("*.csv")
        #expect(bare.root == "." && bare.matches("a.csv") && !bare.matches("d/a.csv"))
        for name in ["in/.x.csv", "in/_x.csv", "in/x.csv.tmp", "in/x.csv.part", "in/x.csv~"] { #expect(PathPattern.isIgnoredName(name)) }
        #expect(!PathPattern.isIgnoredName("in/x.csv"))
    }

    @Test func batchesTakeOldestFirstWithinTheLimits() {
        let ready = [file("c", modified: 3), file("a", modified: 1), file("b", modified: 2, size: 500), file("d", modified: 4)]
        var c = StreamingConfig()
        #expect(MicroBatchPlanner.select(ready, c).map(\.path) == ["a", "b", "c", "d"])
        c.maxFilesPerTrigger = 2
        #expect(MicroBatchPlanner.select(ready, c).map(\.path) == ["a", "b"])
        c.latestFirst = true
        #expect(MicroBatchPlanner.select(ready, c).map(\.path) == ["d", "c"])
        c = StreamingConfig()
        c.maxBytesPerTrigger = 550
        #expect(MicroBatchPlanner.select(ready, c).map(\.path) == ["a"])
        c.maxBytesPerTrigger = 10  // a batch always takes one file
        #expect(MicroBatchPlanner.select(ready, c).map(\.path) == ["a"])
    }

    @Test func throughputSpreadsBatchesOverTheSecondsTheyRan() {
        let series = ThroughputSeries.buckets([
            .init(start: 0, seconds: 2, rows: 2000), .init(start: 2.5, seconds: 0.25, rows: 500), .init(start: 2.75, seconds: 0.25, rows: 500),
        ])
        #expect(series == [1000, 1000, 1000])
        #expect(ThroughputSeries.peak([.init(start: 0, seconds: 0.5, rows: 100), .init(start: 1, seconds: 0.1, rows: 300)]) == 300)
    }

    @Test func streamingOptionsParseAndAreChecked() throws {
        let yaml = """
            name: s
            source:
              type: csv
              paths: ["in/*.csv"]
              watch: { trigger: 10s, max_files_per_trigger: 1, max_bytes_per_trigger: 1MB, latest_first: true, clean_source: archive, archive_dir: done, grace: 0s }
              schema: { a: string }
            sink: { type: jsonl, path: out.jsonl }
            """
        guard case .csv(let c) = try PipelineConfig.parse(yaml: yaml, file: "p.yml").source, let s = c.streaming else {
            Issue.record("no streaming config")
            return
        }
        #expect(s.triggerNanos == 10_000_000_000 && s.maxFilesPerTrigger == 1 && s.maxBytesPerTrigger == 1 << 20)
        #expect(s.latestFirst && s.cleanSource == .archive && s.archiveDirectory == "done" && s.graceNanos == 0)
        let plain = yaml.replacingOccurrences(of: "  watch: { trigger", with: "  mode: streaming\n  trigger").replacingOccurrences(of: ", max_files_per_trigger: 1, max_bytes_per_trigger: 1MB, latest_first: true, clean_source: archive, archive_dir: done, grace: 0s }", with: "")
        guard case .csv(let p) = try PipelineConfig.parse(yaml: plain, file: "p.yml").source else { return }
        #expect(p.streaming?.triggerNanos == 10_000_000_000)
        let bad = yaml.replacingOccurrences(of: "trigger: 10s", with: "trigger: soon")
        #expect(throws: SluiceError.self) { try PipelineConfig.parse(yaml: bad, file: "p.yml") }
    }

    @Test func archivedFilesKeepTheirPathBelowTheRoot() {
        var c = StreamingConfig()
        c.cleanSource = .archive
        #expect(SourceCleaner(c, roots: ["incoming"]).archivePath("incoming/2024/e.csv") == "incoming-archive/2024/e.csv")
        c.archiveDirectory = "/done"
        #expect(SourceCleaner(c, roots: ["incoming"]).archivePath("incoming/e.csv") == "/done/e.csv")
    }

    @Test func reportFiguresAreFormattedForPeople() {
        #expect(ReportFormat.count(1_234_567) == "1,234,567")
        #expect(ReportFormat.fixed(3.14159, 2) == "3.14" && ReportFormat.fixed(2.5, 1) == "2.5" && ReportFormat.fixed(0.05, 2) == "0.05")
        #expect(SVGChart.niceMax(73) == 100 && SVGChart.niceMax(0.3) == 0.5 && SVGChart.niceMax(12_000) == 20_000)
        #expect(SVGChart.esc("a<b & \"c\"") == "a&lt;b &amp; &quot;c&quot;")
    }
}
