import SluiceCore
import Testing
@testable import SluiceParquet

/// Zero-row row groups as pyarrow writes them (`Fixtures/make_fixtures.py`,
/// `write_empty_row_groups`): `data_page_offset` 0 and only a dictionary page. They read as
/// zero rows of the declared types instead of a byte range outside the file.
struct EmptyRowGroupTests {
    @Test func anEmptyFileReadsAsOneEmptyGroup() throws {
        let r = try ParquetFileReader(path: Fixtures.path("pyarrow/empty.parquet"))
        #expect(r.rowGroupCount == 1)
        #expect(r.metadata.rowGroups[0].columns[0].metaData?.dataPageOffset == 0)
        let b = try r.readRowGroup(0)
        #expect(b.count == 0)
        #expect(b.schema.names == ["a", "s"])
        #expect(b.schema[0].type == .int64)
        #expect(b.schema[1].type.isStringLike)
    }

    @Test func emptyGroupsBetweenFullOnesKeepEveryValue() throws {
        let r = try ParquetFileReader(path: Fixtures.path("pyarrow/empty_row_groups.parquet"))
        #expect(r.rowGroupCount == 4)
        var a: [Int64] = []
        var s: [String?] = []
        for g in 0..<r.rowGroupCount {
            let b = try r.readRowGroup(g)
            #expect(b.count == r.rowCount(ofRowGroup: g))
            let ca = try #require(b.column(named: "a"))
            let cs = try #require(b.column(named: "s"))
            for i in 0..<b.count {
                a.append(ca.value(i, as: Int64.self))
                s.append(cs.string(at: i))
            }
        }
        #expect(a == [1, 2, 3])
        #expect(s == ["x", nil, "z"])
    }
}
