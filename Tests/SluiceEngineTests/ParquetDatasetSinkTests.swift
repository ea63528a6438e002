import SluiceCore
import SluiceParquet
import Testing

@testable import SluiceEngine

#if canImport(Glibc)
import Glibc
#endif

/// The dataset sink without a pipeline: folder names and their escaping, rows split by
/// partition, files invisible until commit, rollback, recovery from what a crash leaves, file
/// rolling, and the config keys.
@Suite("Parquet dataset sink")
struct ParquetDatasetSinkTests {
    static func scratch() -> String {
        let dir = FileIO.join(FileIO.temporaryDirectory(), "sluice-pqsink-\(getpid())-\(UInt64.random(in: 0..<UInt64.max))")
        try? FileIO.makeDirectories(dir)
        return dir
    }

    static let schema = Schema([Field("id", .int64), Field("region", .string), Field("day", .date)])

    static func batch(_ ids: Range<Int>) -> RecordBatch {
        let id = PrimitiveBuilder<Int64>(.int64, capacity: ids.count)
        let region = StringBuilder(capacity: ids.count)
        let day = PrimitiveBuilder<Int32>(.date, capacity: ids.count)
        let names = ["north", "south/east", ""]
        for i in ids {
            id.append(Int64(i))
            if i % 7 == 6 { region.appendNull() } else { region.append(names[i % 3]) }
            day.append(Int32(19_723 + i % 2))
        }
        return RecordBatch(schema: schema, columns: [id.finish(), region.finish(), day.finish()])
    }

    static func config(_ dir: String, partitions: [String] = ["region", "day"]) throws -> ParquetDatasetSinkConfig {
        let loc = ConfigLocation(file: "t", line: 1, column: 1, key: "sink")
        var c = ParquetDatasetSinkConfig(path: FileIO.join(dir, "ds"), location: loc)
        c.partitionBy = try partitions.map { try ParquetDatasetSinkConfig.partition(parsing: $0, location: loc) }
        return c
    }

    static func commit(_ sink: any Sink, _ id: String, rows: Int, seq: Int64) async throws {
        _ = try await sink.prepareCommit()
        try await sink.commit(SplitCommit(pipeline: "p", splitID: id, file: "in", rows: rows, checkpoint: Checkpoint(sequence: seq, offsets: [:])))
    }

    /// Every committed file under the dataset, relative, with its rows read back.
    static func files(_ dataset: String) throws -> [String: Int] {
        var out: [String: Int] = [:]
        for rel in DurableFiles.walk(dataset, skip: ["_sluice"]) where !FileIO.basename(rel).hasPrefix(".") {
            out[rel] = try ParquetFileReader(path: FileIO.join(dataset, rel)).rowCount
        }
        return out
    }

    @Test func hivePathEscapesLikeArrow() {
        #expect(HivePath.escape("a/b c=d%") == "a%2Fb%20c%3Dd%25")
        #expect(HivePath.escape("2024-01-01_x.y~z") == "2024-01-01_x.y~z")
        #expect(HivePath.escape("é") == "%C3%A9")
        #expect(HivePath.unescape("a%2Fb%20c%3Dd%25") == "a/b c=d%")
        #expect(HivePath.unescape("100%") == "100%")
        #expect(HivePath.segment(key: "k", value: nil) == "k=__HIVE_DEFAULT_PARTITION__")
        #expect(HivePath.segment(key: "k", value: "") == "k=__HIVE_DEFAULT_PARTITION__")
        #expect(HivePath.parseSegment("k=__HIVE_DEFAULT_PARTITION__")?.value == nil)
        #expect(HivePath.parseSegment("day=2024-01-01")?.value == "2024-01-01")
        #expect(HivePath.parseSegment("plain") == nil)
    }

    @Test func partitionerGroupsRowsAndDropsPartitionColumns() throws {
        let dir = Self.scratch()
        defer { FileIO.remove(dir) }
        let p = try DatasetPartitioner(config: try Self.config(dir), output: Self.schema)
        let parts = try p.split(Self.batch(0..<42))
        #expect(p.fileSchema.names == ["id"])
        var byFolder: [String: [Int64]] = [:]
        for (folder, rows) in parts {
            let c = rows.columns[0]
            byFolder[folder, default: []] += (0..<rows.count).map { c.value($0, as: Int64.self) }
        }
        #expect(byFolder.values.reduce(0) { $0 + $1.count } == 42)
        #expect(byFolder["region=north/day=2024-01-01"] == [0, 12, 18, 24, 30, 36])
        for (folder, ids) in byFolder {
            for i in ids {
                let region = i % 7 == 6 ? nil : ["north", "south/east", ""][Int(i % 3)]
                let want = HivePath.segment(key: "region", value: region) + "/day=" + (i % 2 == 0 ? "2024-01-01" : "2024-01-02")
                #expect(folder == want, "row \(i)")
            }
        }
    }

    @Test func filesAppearOnlyAtCommitAndRollbackRemovesThem() async throws {
        let dir = Self.scratch()
        defer { FileIO.remove(dir) }
        let c = try Self.config(dir, partitions: ["day"])
        let sink = ParquetDatasetSink(c)
        try sink.open(schema: Self.schema, pipeline: "p", recovering: nil, fullRefresh: false)
        try sink.write(Self.batch(0..<100))
        #expect(try Self.files(c.path).isEmpty)
        try await Self.commit(sink, "s1", rows: 100, seq: 1)
        let first = try Self.files(c.path)
        #expect(first == ["day=2024-01-01/part-p-00000001-0000.parquet": 50, "day=2024-01-02/part-p-00000001-0001.parquet": 50])
        try sink.write(Self.batch(100..<150))
        sink.rollback()
        #expect(try Self.files(c.path) == first)
        #expect(DurableFiles.walk(c.path, skip: ["_sluice"]).allSatisfy { !FileIO.basename($0).hasPrefix(".tmp-") })
        #expect(try sink.committedSplits(pipeline: "p").keys.sorted() == ["s1"])
        try sink.close()
    }

    @Test func reopenRemovesWhatACrashLeft() async throws {
        let dir = Self.scratch()
        defer { FileIO.remove(dir) }
        let c = try Self.config(dir, partitions: [])
        let sink = ParquetDatasetSink(c)
        try sink.open(schema: Self.schema, pipeline: "p", recovering: nil, fullRefresh: false)
        try sink.write(Self.batch(0..<10))
        try await Self.commit(sink, "s1", rows: 10, seq: 1)
        // A split written and renamed but never recorded, a temporary file, and a foreign file.
        try sink.write(Self.batch(10..<20))
        _ = try sink.prepareCommit()
        for f in sink.finished { try DurableFiles.rename(f.temporary, to: f.final) }
        sink.finished.removeAll()
        let stray = FileIO.join(c.path, ".tmp-part-p-00000009-0000.parquet")
        try FileIO.writeText(stray, "partial")
        try FileIO.writeText(FileIO.join(c.path, "part-other-00000001-0000.parquet"), "another pipeline's")

        let again = ParquetDatasetSink(c)
        #expect(try again.committedSplits(pipeline: "p").keys.sorted() == ["s1"])
        try again.open(schema: Self.schema, pipeline: "p", recovering: Checkpoint(sequence: 1, offsets: [:]), fullRefresh: false)
        let names = DurableFiles.walk(c.path, skip: ["_sluice"]).sorted()
        #expect(names == ["part-other-00000001-0000.parquet", "part-p-00000001-0000.parquet"])
        try again.write(Self.batch(10..<20))
        try await Self.commit(again, "s2", rows: 10, seq: 2)
        #expect(FileIO.exists(FileIO.join(c.path, "part-p-00000002-0000.parquet")))
        try again.close()
    }

    @Test func filesRollByRows() async throws {
        let dir = Self.scratch()
        defer { FileIO.remove(dir) }
        var c = try Self.config(dir, partitions: [])
        c.maxFileRows = 40
        c.write.rowGroupRows = 16
        let sink = ParquetDatasetSink(c)
        try sink.open(schema: Self.schema, pipeline: "p", recovering: nil, fullRefresh: false)
        try sink.write(Self.batch(0..<30))
        try sink.write(Self.batch(30..<100))
        try await Self.commit(sink, "s1", rows: 100, seq: 1)
        let files = try Self.files(c.path)
        #expect(files == ["part-p-00000001-0000.parquet": 40, "part-p-00000001-0001.parquet": 40, "part-p-00000001-0002.parquet": 20])
        let r = try ParquetFileReader(path: FileIO.join(c.path, "part-p-00000001-0001.parquet"))
        #expect(r.rowGroupCount == 3)
        let b = try r.readRowGroup(0)
        #expect(b.columns[0].value(0, as: Int64.self) == 40)
        try sink.close()
    }

    @Test func fullRefreshDeletesThePipelinesFiles() async throws {
        let dir = Self.scratch()
        defer { FileIO.remove(dir) }
        let c = try Self.config(dir, partitions: ["day"])
        let sink = ParquetDatasetSink(c)
        try sink.open(schema: Self.schema, pipeline: "p", recovering: nil, fullRefresh: false)
        try sink.write(Self.batch(0..<10))
        try await Self.commit(sink, "s1", rows: 10, seq: 1)
        try sink.close()
        let again = ParquetDatasetSink(c)
        try again.open(schema: Self.schema, pipeline: "p", recovering: nil, fullRefresh: true)
        #expect(try Self.files(c.path).isEmpty)
        #expect(try again.committedSplits(pipeline: "p").isEmpty)
        try again.close()
    }

    @Test func configParsesAndChecksKeys() throws {
        let yaml = """
            name: t
            source: {type: csv, paths: [in.csv]}
            sink:
              type: parquet
              path: out/ds
              partition_by: [region, "year(ts)", {mo: "month(ts)"}]
              compression: snappy
              row_group_rows: 5000
              max_file_rows: 100000
              max_file_bytes: 64MB
            """
        let c = try PipelineConfig.parse(yaml: yaml, file: "p.yml")
        guard case .parquet(let s) = c.sink else { Issue.record("not parquet"); return }
        #expect(s.path == "out/ds" && !s.singleFile)
        #expect(s.partitionBy.map(\.name) == ["region", "year", "mo"])
        #expect(s.write.compression == .snappy && s.write.rowGroupRows == 5000)
        #expect(s.maxFileRows == 100_000 && s.maxFileBytes == 64 << 20)
        let bad = "name: t\nsource: {type: csv, paths: [in.csv]}\nsink: {type: parquet, path: o, compression: snapy}\n"
        do {
            _ = try PipelineConfig.parse(yaml: bad, file: "p.yml")
            Issue.record("unknown codec accepted")
        } catch {
            #expect(error.description.contains("did you mean 'snappy'") || error.description.contains("snappy"))
        }
        let file = "name: t\nsource: {type: csv, paths: [in.csv]}\nsink: {type: parquet, file: out.parquet, partition_by: [a]}\n"
        do {
            _ = try PipelineConfig.parse(yaml: file, file: "p.yml")
            Issue.record("partition_by with file accepted")
        } catch {
            #expect(error.description.contains("partition_by applies to a dataset folder"))
        }
    }
}
