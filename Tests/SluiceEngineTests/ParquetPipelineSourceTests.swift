import SluiceCore
import SluiceParquet
import Testing

@testable import SluiceEngine

/// The `parquet` pipeline source on a hive-partitioned folder written here: partition columns
/// typed from their folder names, folders pruned by filters, row groups skipped by statistics,
/// and which filter transforms are pushed down.
@Suite("Parquet pipeline source")
struct ParquetPipelineSourceTests {
    static let loc = ConfigLocation(file: "t", line: 1, column: 1, key: "source")

    /// `year=2023|2024/region=x/`, one file each, two row groups of 50 rows (v ascending).
    static func dataset() throws -> String {
        let dir = ParquetDatasetSinkTests.scratch()
        var n: Int64 = 0
        for year in [2023, 2024] {
            for region in ["north", "south west"] {
                let folder = FileIO.join(dir, "year=\(year)/region=\(HivePath.escape(region))")
                try FileIO.makeDirectories(folder)
                let v = PrimitiveBuilder<Int64>(.int64, capacity: 100)
                for _ in 0..<100 {
                    v.append(n)
                    n += 1
                }
                var o = ParquetWriteOptions()
                o.rowGroupRows = 50
                let w = try ParquetWriter(path: FileIO.join(folder, "part-0.parquet"), schema: Schema([Field("v", .int64)]), options: o)
                try w.write(RecordBatch(schema: Schema([Field("v", .int64)]), columns: [v.finish()]))
                try w.close()
            }
        }
        return dir
    }

    static func rows(_ source: any PipelineSource) async throws -> [[Scalar]] {
        var out: [[Scalar]] = []
        for unit in try source.plan() {
            for split in unit.splits {
                let r = try source.reader(for: split, batchRows: 30)
                while let chunk = try await r.next() {
                    for i in 0..<chunk.batch.count { out.append(chunk.batch.row(i)) }
                }
            }
        }
        return out
    }

    @Test func partitionFoldersAreTypedColumns() async throws {
        let dir = try Self.dataset()
        defer { FileIO.remove(dir) }
        let s = try ParquetPipelineSource.resolve(ParquetSourceConfig(paths: [dir], location: Self.loc))
        #expect(s.schema == Schema([Field("v", .int64), Field("year", .int32), Field("region", .string)]))
        let all = try await Self.rows(s)
        #expect(all.count == 400)
        #expect(all.first == [.int(0), .int(2023), .string("north")])
        #expect(all.last == [.int(399), .int(2024), .string("south west")])
    }

    @Test func filtersPruneFoldersAndRowGroups() async throws {
        let dir = try Self.dataset()
        defer { FileIO.remove(dir) }
        var c = ParquetSourceConfig(paths: [dir], location: Self.loc)
        c.filter = try ExpressionParser.parse("region = 'south west'")
        let s = try ParquetPipelineSource.resolve(c, pushdown: [try ExpressionParser.parse("year = 2024 and v >= 370")])
        #expect(s.inputs.count == 1)
        let planned = try s.plan().flatMap(\.splits)
        #expect(planned.count == 1)  // rows 300..<350 cannot hold v >= 370
        let got = try await Self.rows(try s.projected(to: ["v"]))
        // The source filter applies to rows; the pushed-down one only skips (its transform filters).
        #expect(got == (350..<400).map { [.int(Int64($0))] })
    }

    @Test func whichFilterTransformsArePushedDown() throws {
        let p = { (t: String) throws -> Expr in try ExpressionParser.parse(t) }
        let transforms: [TransformConfig] = [
            .filter(try p("a > 1"), Self.loc),
            .derive([("b", try p("a * 2"), Self.loc)]),
            .filter(try p("b > 2"), Self.loc),
            .filter(try p("a < 5"), Self.loc),
            .select([("a", "a")], Self.loc),
            .filter(try p("a = 3"), Self.loc),
        ]
        #expect(ParquetPipelineSource.pushableFilters(transforms) == [try p("a > 1"), try p("a < 5")])
    }
}
