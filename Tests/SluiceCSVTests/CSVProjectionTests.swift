import SluiceCore
import Testing

@testable import SluiceCSV

/// `CSVOptions.projection`: only the projected fields are parsed and returned, in schema order,
/// while every record is still delimited and its field count checked.
@Suite struct CSVProjectionTests {
    static let schema = "id:int64,name:string,price:float64,day:date,n:int32"

    @Test func projectedColumnsOnlyInSchemaOrder() throws {
        let dir = TempDir()
        let path = dir.file(
            "p.csv", "id,name,price,day,n\n1,apple,2.5,2024-02-29,7\n2,pear,,1970-01-01,-3\n3,,0.125,,\n")
        let r = try readAll(path, options(schema: Self.schema) { $0.projection = [0, 2, 4] })
        #expect(r.schema == Schema([Field("id", .int64), Field("price", .float64), Field("n", .int32)]))
        #expect(r.rows == [[i(1), d(2.5), i(7)], [i(2), null, i(-3)], [i(3), d(0.125), null]])
        #expect(r.lines == [2, 3, 4])

        let one = try readAll(path, options(schema: Self.schema) { $0.projection = [1] })
        #expect(one.schema == Schema([Field("name", .string)]))
        #expect(one.rows == [[s("apple")], [s("pear")], [null]])

        let last = try readAll(path, options(schema: Self.schema) { $0.projection = [4] })
        #expect(last.rows == [[i(7)], [i(-3)], [null]])
    }

    @Test func emptyProjectionCountsRows() throws {
        let dir = TempDir()
        let path = dir.file("e.csv", "a,b\n1,2\n3,4\n\n5,6\n")
        let r = try readAll(path, options(schema: "a:int64,b:int64") { $0.projection = [] })
        #expect(r.schema.count == 0)
        #expect(r.rows.count == 3)
        #expect(r.lines == [2, 3, 5])
    }

    @Test func badValuesInSkippedColumnsAreNotRejected() throws {
        let dir = TempDir()
        let path = dir.file("b.csv", "id,name,price,day,n\n1,a,oops,2024-13-01,x\n2,b,1.5,2024-01-01,9\nz,c,2.5,2024-01-02,10\n")
        let r = try readAll(path, options(schema: Self.schema) { $0.projection = [1, 4] })
        #expect(r.rows == [[s("b"), i(9)], [s("c"), i(10)]])
        #expect(r.lines == [3, 4])
        // Row 2's `n` is projected and bad; its `price` and `day`, also bad, are not looked at.
        #expect(r.rejects.map(\.line) == [2])
        #expect(r.rejects.map(\.rule) == ["type"])
        #expect(r.rejects.map(\.column) == ["n"])
        #expect(r.rejects.first?.values.map(\.0) == ["id", "name", "price", "day", "n"])
        #expect(r.rejects.first?.values.map(\.1) == ["1", "a", "oops", "2024-13-01", "x"])
    }

    @Test func fieldCountIsStillChecked() throws {
        let dir = TempDir()
        let path = dir.file("c.csv", "a,b,c\n1,2,3\n4,5\n6,7,8,9\n10,11,12\n")
        for projection in [[0], [2], [], [0, 1, 2]] {
            let r = try readAll(path, options(schema: "a:int64,b:int64,c:int64") { $0.projection = projection })
            #expect(r.rows.count == 2, "\(projection)")
            #expect(r.lines == [2, 5], "\(projection)")
            #expect(r.rejects.map(\.rule) == ["field_count", "field_count"], "\(projection)")
            #expect(r.rejects.map(\.reason) == ["expected 3 fields, found 2", "expected 3 fields, found 4"])
        }
    }

    @Test func quotedFieldsInSkippedColumns() throws {
        // Delimiters, doubled quotes and line ends inside skipped quoted fields must not shift
        // the fields after them, nor the line numbers.
        let dir = TempDir()
        let path = dir.file(
            "q.csv",
            "id,note,v\n1,\"a,b\",10\n2,\"say \"\"hi\"\", ok\",20\n3,\"two\nlines\",30\n4,plain,40\n5,\"x\"\"\",50\n")
        let r = try readAll(path, options(schema: "id:int64,note:string,v:int64") { $0.projection = [0, 2] })
        #expect(r.rejects.isEmpty)
        #expect(r.rows == [[i(1), i(10)], [i(2), i(20)], [i(3), i(30)], [i(4), i(40)], [i(5), i(50)]])
        #expect(r.lines == [2, 3, 4, 6, 7])
        let tail = try readAll(path, options(schema: "id:int64,note:string,v:int64") { $0.projection = [2] })
        #expect(tail.rows == [[i(10)], [i(20)], [i(30)], [i(40)], [i(50)]])
        // An unterminated quote in a skipped column is still a reject.
        let open = dir.file("o.csv", "id,note,v\n1,x,10\n2,\"never closed,20\n")
        let o = try readAll(open, options(schema: "id:int64,note:string,v:int64") { $0.projection = [0] })
        #expect(o.rows == [[i(1)]])
        #expect(o.rejects.map(\.rule) == ["quote"])
    }

    @Test func crlfAndTabsWithProjection() throws {
        let dir = TempDir()
        let path = dir.file("t.tsv", "a\tb\tc\r\n1\t2.5\tx\r\n3\t\ty\r\n")
        let r = try readAll(path, options(delimiter: "\t", schema: "a:int64,b:float64,c:string") { $0.projection = [1, 2] })
        #expect(r.rows == [[d(2.5), s("x")], [null, s("y")]])
        let b = try readAll(path, options(delimiter: "\t", schema: "a:int64,b:float64,c:string") { $0.projection = [0] })
        #expect(b.rows == [[i(1)], [i(3)]])
    }

    @Test func projectionAcrossSplits() throws {
        let dir = TempDir()
        var text = "a,b,c\n"
        for k in 0..<20_000 { text += "\(k),\(k % 7 == 0 ? "" : "\(k).5"),\"n,\(k)\"\n" }
        let path = dir.file("s.csv", text)
        let o = options(schema: "a:int64,b:float64,c:string") {
            $0.splitBytes = 40_000
            $0.projection = [1]
        }
        #expect(try CSVSplitPlanner.plan(path: path, options: o).count > 5)
        let r = try readAll(path, o)
        #expect(r.rows.count == 20_000)
        #expect(r.lines == Array(2...20_001))
        for (k, row) in r.rows.enumerated() { #expect(row == [k % 7 == 0 ? null : d(Double(k) + 0.5)]) }
    }

    @Test func invalidProjectionsAreRefused() throws {
        let dir = TempDir()
        let path = dir.file("i.csv", "a,b\n1,2\n")
        for projection in [[2], [-1], [1, 0], [0, 0]] {
            #expect(throws: SluiceError.self, "\(projection)") {
                try readAll(path, options(schema: "a:int64,b:int64") { $0.projection = projection })
            }
        }
    }
}
