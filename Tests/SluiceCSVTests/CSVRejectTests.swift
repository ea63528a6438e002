import SluiceCore
import Testing

@testable import SluiceCSV

@Suite struct CSVRejectTests {
    @Test func wrongFieldCountIsRejectedAndGoodRowsLoad() throws {
        let dir = TempDir()
        let path = dir.file("fc.csv", "a,b,c\n1,2,3\n4,5\n6,7,8,9,10\n11,12,13\n")
        let r = try readAll(path, options(schema: "a:int64,b:int64,c:int64"))
        #expect(r.rows == [[i(1), i(2), i(3)], [i(11), i(12), i(13)]])
        #expect(r.lines == [2, 5])
        #expect(
            r.rejects == [
                RejectedRow(
                    file: path, line: 3, stage: "parse", column: nil, rule: "field_count",
                    reason: "expected 3 fields, found 2", values: [("a", "4"), ("b", "5"), ("c", nil)]),
                RejectedRow(
                    file: path, line: 4, stage: "parse", column: nil, rule: "field_count",
                    reason: "expected 3 fields, found 5",
                    values: [("a", "6"), ("b", "7"), ("c", "8"), ("_extra_1", "9"), ("_extra_2", "10")]),
            ])
    }

    @Test func unparsableValuesAreRejectedAndRolledBack() throws {
        let dir = TempDir()
        let path = dir.file(
            "bad.csv",
            """
            id,name,qty,price,day
            1,a,10,1.5,2024-01-01
            2,"b
            c",abc,2.5,2024-01-02
            3,d,30,x1,2024-01-03
            4,e,2147483648,4.5,2024-01-04
            5,f,50,5.5,2024-02-30
            6,g,60,6.5,2024-01-06

            """)
        let r = try readAll(path, options(schema: "id:int64,name:string,qty:int32,price:float64,day:date"))
        #expect(r.rows == [[i(1), s("a"), i(10), d(1.5), .date(19723)], [i(6), s("g"), i(60), d(6.5), .date(19728)]])
        #expect(r.lines == [2, 8])
        #expect(r.rejects.map(\.line) == [3, 5, 6, 7])
        #expect(r.rejects.map(\.column) == ["qty", "price", "qty", "day"])
        #expect(r.rejects.allSatisfy { $0.rule == "type" && $0.stage == "parse" && $0.file == path })
        #expect(
            r.rejects.map(\.reason) == [
                "'abc' is not a valid int32", "'x1' is not a valid float64", "'2147483648' is not a valid int32",
                "'2024-02-30' is not a valid date",
            ])
        #expect(r.rejects[0].values.map(\.0) == ["id", "name", "qty", "price", "day"])
        #expect(r.rejects[0].values.map(\.1) == ["2", "b\nc", "abc", "2.5", "2024-01-02"])
    }

    @Test func integerOverflowIsRejected() throws {
        let dir = TempDir()
        let path = dir.file(
            "ovf.csv", "v\n9223372036854775807\n9223372036854775808\n-9223372036854775809\n00000000000000000000042\n+5\n-\n1.0\n")
        let r = try readAll(path, options(schema: "v:int64"))
        #expect(r.column("v") == [i(Int64.max), i(42), i(5)])
        #expect(r.rejects.map(\.line) == [3, 4, 7, 8])
    }

    @Test func invalidUTF8IsRejected() throws {
        let dir = TempDir()
        let bytes = Array("s,n\nok,1\n".utf8) + [0x62, 0xC3, 0x28] + Array(",2\n\"\u{e9}t\u{e9}\",3\n".utf8)
            + [0xED, 0xA0, 0x80] + Array(",4\n".utf8)
        let path = dir.file("u.csv", bytes: bytes)
        let r = try readAll(path, options(schema: "s:string,n:int64"))
        #expect(r.rows == [[s("ok"), i(1)], [s("été"), i(3)]])
        #expect(r.rejects.map(\.rule) == ["utf8", "utf8"])
        #expect(r.rejects.map(\.column) == ["s", "s"])
        #expect(r.rejects.map(\.line) == [3, 5])
    }

    @Test func unterminatedQuoteAtEndIsRejected() throws {
        let dir = TempDir()
        let path = dir.file("uq.csv", "a,b\n1,x\n2,\"never closed\n3,y\n")
        let r = try readAll(path, options(schema: "a:int64,b:string"))
        #expect(r.rows == [[i(1), s("x")]])
        #expect(r.rejects.count == 1)
        #expect(r.rejects.first?.rule == "quote")
        #expect(r.rejects.first?.line == 3)
        #expect(r.rejects.first?.column == "b")
    }

    @Test func failPolicyThrowsWithFileAndLine() throws {
        let dir = TempDir()
        let path = dir.file("f.csv", "a,b\n1,2\n3,x\n")
        let o = options(schema: "a:int64,b:int64", onError: .fail)
        let split = try CSVSplitPlanner.plan(path: path, options: o)[0]
        let reader = try CSVSplitReader(split: split, schema: o.schema ?? Schema([]), options: o)
        #expect(throws: SluiceError.data(file: path, line: 3, column: "b", message: "'x' is not a valid int64")) {
            _ = try reader.next()
        }
        let e = SluiceError.data(file: path, line: 3, column: "b", message: "'x' is not a valid int64")
        #expect(e.description == "\(path):3: column 'b': 'x' is not a valid int64")

        let short = dir.file("g.csv", "a,b\n1,2\n\n3\n")
        let split2 = try CSVSplitPlanner.plan(path: short, options: o)[0]
        let reader2 = try CSVSplitReader(split: split2, schema: o.schema ?? Schema([]), options: o)
        #expect(throws: SluiceError.data(file: short, line: 4, column: nil, message: "expected 2 fields, found 1")) {
            _ = try reader2.next()
        }
    }

    @Test func allRejectedBatchStillReturnsRejects() throws {
        let dir = TempDir()
        let path = dir.file("allbad.csv", "v\n" + String(repeating: "x\n", count: 7))
        let r = try readAll(path, options(schema: "v:int64") { $0.batchRows = 3 })
        #expect(r.rows.isEmpty)
        #expect(r.rejects.map(\.line) == Array(2...8))
        #expect(r.chunks == 3)
    }
}
