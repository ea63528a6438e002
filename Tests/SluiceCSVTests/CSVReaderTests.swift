import SluiceCore
import Testing

@testable import SluiceCSV

@Suite struct CSVReaderTests {
    @Test func typedColumnsWithHeader() throws {
        let dir = TempDir()
        let path = dir.file(
            "t.csv",
            """
            id,price,name,ok,day,at,n32,f32
            1,2.5,apple,true,2024-02-29,2024-02-29T12:30:00Z,-7,0.1
            -9223372036854775808,-0.0,pear,F,1970-01-01,1970-01-01 00:00:01.5,2147483647,3

            """)
        let r = try readAll(
            path,
            options(
                schema:
                    "id:int64,price:float64,name:string,ok:bool,day:date,at:timestamp,n32:int32,f32:float32"))
        #expect(r.rejects.isEmpty)
        #expect(r.lines == [2, 3])
        #expect(r.rows[0] == [i(1), d(2.5), s("apple"), b(true), .date(19782), .timestamp(1_709_209_800_000_000, .us), i(-7), d(Double(Float(0.1)))])
        #expect(r.rows[1] == [i(Int64.min), d(0), s("pear"), b(false), .date(0), .timestamp(1_500_000, .us), i(2_147_483_647), d(3)])
        if case .double(let z) = r.rows[1][1] { #expect(z.sign == .minus) }
    }

    @Test func quotedDelimiterAndDoubledQuotes() throws {
        let dir = TempDir()
        let path = dir.file(
            "q.csv", "a,b,c\n\"x,y\",\"say \"\"hi\"\"\",\"\"\"\"\n\"\",plain,\"a\"\"\"\n")
        let r = try readAll(path, options(schema: "a:string,b:string,c:string"))
        #expect(r.rejects.isEmpty)
        #expect(r.rows == [[s("x,y"), s("say \"hi\""), s("\"")], [s(""), s("plain"), s("a\"")]])
    }

    @Test func quotedNewlinesKeepLineNumbers() throws {
        let dir = TempDir()
        let path = dir.file(
            "n.csv", "id,text\n1,\"two\nlines\"\n2,\"three\n\nlines\"\n3,plain\n4,\"x\r\ny\"\n5,end\n")
        let r = try readAll(path, options(schema: "id:int64,text:string"))
        #expect(r.rejects.isEmpty)
        #expect(r.rows.map { $0[1] } == [s("two\nlines"), s("three\n\nlines"), s("plain"), s("x\r\ny"), s("end")])
        #expect(r.lines == [2, 4, 7, 8, 10])
    }

    @Test func crlfLineEnds() throws {
        let dir = TempDir()
        let path = dir.file("crlf.csv", "a,b\r\n1,x\r\n2,\"y\"\r\n3,\r\n\r\n4,z")
        let r = try readAll(path, options(schema: "a:int64,b:string"))
        #expect(r.rejects.isEmpty)
        #expect(r.rows == [[i(1), s("x")], [i(2), s("y")], [i(3), null], [i(4), s("z")]])
        #expect(r.lines == [2, 3, 4, 6])
    }

    @Test func bomIsSkipped() throws {
        let dir = TempDir()
        let path = dir.file("bom.csv", bytes: [0xEF, 0xBB, 0xBF] + Array("id,name\n1,a\n".utf8))
        #expect(try CSVSchemaInference.headerNames(path: path, options: CSVOptions()) == ["id", "name"])
        let r = try readAll(path)
        #expect(r.schema == Schema([Field("id", .int64), Field("name", .string)]))
        #expect(r.rows == [[i(1), s("a")]])
        #expect(r.lines == [2])

        let noHeader = dir.file("bom2.csv", bytes: [0xEF, 0xBB, 0xBF] + Array("7,b\n".utf8))
        let r2 = try readAll(noHeader, options(header: false))
        #expect(r2.rows == [[i(7), s("b")]])
    }

    @Test func finalLineWithoutNewline() throws {
        let dir = TempDir()
        let path = dir.file("nonl.csv", "a,b\n1,2\n3,4")
        let r = try readAll(path)
        #expect(r.rows == [[i(1), i(2)], [i(3), i(4)]])
        #expect(r.lines == [2, 3])
        let quoted = dir.file("nonl2.csv", "a,b\n1,\"x\"")
        #expect(try readAll(quoted).rows == [[i(1), s("x")]])
    }

    @Test func emptyLinesAreSkippedButCounted() throws {
        let dir = TempDir()
        let path = dir.file("empty.csv", "\n\na,b\n\n1,2\n\n\n3,4\n\n")
        let r = try readAll(path)
        #expect(r.schema.names == ["a", "b"])
        #expect(r.rows == [[i(1), i(2)], [i(3), i(4)]])
        #expect(r.lines == [5, 8])
    }

    @Test func tabDelimitedWithoutHeader() throws {
        let dir = TempDir()
        let path = dir.file("t.tsv", "1\t1383260400000\t39\t0.1\t\t0.08\t\t2.0\n1\t1383260400000\t0\t\t\t\t\t1.5\n")
        let o = options(
            header: false, delimiter: "\t",
            schema:
                "square_id:int32,time_interval:timestamp(ms),country_code:int32,sms_in:float64,sms_out:float64,call_in:float64,call_out:float64,internet:float64"
        )
        let r = try readAll(path, o)
        #expect(r.rejects.isEmpty)
        #expect(r.rows[0] == [i(1), .timestamp(1_383_260_400_000, .ms), i(39), d(0.1), null, d(0.08), null, d(2)])
        #expect(r.rows[1] == [i(1), .timestamp(1_383_260_400_000, .ms), i(0), null, null, null, null, d(1.5)])
        #expect(r.lines == [1, 2])

        let inferred = try CSVSchemaInference.infer(path: path, options: options(header: false, delimiter: "\t"))
        #expect(inferred.names == (1...8).map { "column\($0)" })
        #expect(inferred.fields.map(\.type) == [.int64, .int64, .int64, .float64, .string, .float64, .string, .float64])
    }

    @Test func customDelimiterAndQuote() throws {
        let dir = TempDir()
        let path = dir.file("c.csv", "a;b\n'x;y';'it''s'\n1;'multi\nline'\n")
        let o = options(delimiter: ";", schema: "a:string,b:string") { $0.quote = UInt8(ascii: "'") }
        let r = try readAll(path, o)
        #expect(r.rows == [[s("x;y"), s("it's")], [s("1"), s("multi\nline")]])
        #expect(r.lines == [2, 3])

        let pipe = dir.file("p.txt", "1|\"quoted\"\n2|x\n")
        let r2 = try readAll(pipe, options(header: false, delimiter: "|"))
        #expect(r2.rows == [[i(1), s("quoted")], [i(2), s("x")]])
    }

    @Test func nullValuesAndQuotedEmpty() throws {
        let dir = TempDir()
        let path = dir.file("nulls.csv", "s,n,t\nNA,NA,\n\"\",\"\",\"NA\"\n,1,x\n\"NA\",2, \n")
        let o = options(schema: "s:string,n:int64,t:string") { $0.nullValues = ["NA", ""] }
        let r = try readAll(path, o)
        #expect(r.rejects.isEmpty)
        #expect(r.rows == [[null, null, null], [s(""), null, s("NA")], [null, i(1), s("x")], [s("NA"), i(2), s(" ")]])

        // Without "" among the null values an empty field is an empty string, but still null for numbers.
        let o2 = options(schema: "s:string,n:int64,t:string") { $0.nullValues = ["NA"] }
        let r2 = try readAll(path, o2)
        #expect(r2.rows[2] == [s(""), i(1), s("x")])
    }

    @Test func spacesAroundValuesAreTolerated() throws {
        let dir = TempDir()
        let path = dir.file("sp.csv", "a,b,c,d,e\n  12 , 1.5\t, true ,\" 2024-01-02 \", text \n")
        let r = try readAll(path, options(schema: "a:int32,b:float64,c:bool,d:date,e:string"))
        #expect(r.rejects.isEmpty)
        #expect(r.rows == [[i(12), d(1.5), b(true), .date(19724), s(" text ")]])
    }

    @Test func booleanSpellings() throws {
        let dir = TempDir()
        let path = dir.file("b.csv", "v\ntrue\nFALSE\nt\nF\n1\n0\nYes\nno\nmaybe\n")
        let r = try readAll(path, options(schema: "v:bool"))
        #expect(r.column("v") == [true, false, true, false, true, false, true, false].map(b))
        #expect(r.rejects.map(\.line) == [10])
    }

    @Test func timestampsEpochAndISO() throws {
        let dir = TempDir()
        let path = dir.file(
            "ts.csv", "ms,us,s\n1383260400000,2013-10-31T23:00:00Z,2013-11-01T00:00:00+01:00\n-1,1970-01-01T00:00:00.000001,0\n")
        let r = try readAll(path, options(schema: "ms:timestamp(ms),us:timestamp,s:timestamp(s)"))
        #expect(r.rejects.isEmpty)
        #expect(r.rows[0] == [.timestamp(1_383_260_400_000, .ms), .timestamp(1_383_260_400_000_000, .us), .timestamp(1_383_260_400, .s)])
        #expect(r.rows[1] == [.timestamp(-1, .ms), .timestamp(1, .us), .timestamp(0, .s)])
    }

    @Test func dictionaryColumn() throws {
        let dir = TempDir()
        let path = dir.file("d.csv", "k\nred\nblue\nred\n\nred\n\"\"\n")
        let o = options(schema: "k:dictionary")
        let schema = try CSVSchemaInference.infer(path: path, options: o)
        let split = try CSVSplitPlanner.plan(path: path, options: o)[0]
        let reader = try CSVSplitReader(split: split, schema: schema, options: o)
        let chunk = try #require(try reader.next())
        let col = chunk.batch.columns[0]
        #expect(col.type == .dictionary)
        #expect((0..<col.count).map { col.string(at: $0) } == ["red", "blue", "red", "red", ""])
        #expect(col.dictionary?.values.count == 3)
        #expect(try reader.next() == nil)
    }

    @Test func textAfterClosingQuoteIsKept() throws {
        let dir = TempDir()
        let path = dir.file("lenient.csv", "a,b\n\"ab\"cd,x\nq\"uote,\"y\"\"\"z\n")
        let r = try readAll(path, options(schema: "a:string,b:string"))
        #expect(r.rows == [[s("abcd"), s("x")], [s("q\"uote"), s("y\"z")]])
    }

    @Test func smallBatches() throws {
        let dir = TempDir()
        let path = dir.file("many.csv", "v\n" + (1...10).map { "\($0)\n" }.joined())
        let r = try readAll(path, options { $0.batchRows = 3 })
        #expect(r.chunks == 4)
        #expect(r.column("v") == (1...10).map { i(Int64($0)) })
        #expect(r.lines == Array(2...11))
    }

    @Test func emptyFileAndHeaderOnly() throws {
        let dir = TempDir()
        let empty = dir.file("empty.csv", "")
        let r = try readAll(empty)
        #expect(r.rows.isEmpty && r.schema.count == 0)
        let headerOnly = dir.file("h.csv", "a,b\n")
        let r2 = try readAll(headerOnly)
        #expect(r2.rows.isEmpty)
        #expect(r2.schema == Schema([Field("a", .string), Field("b", .string)]))
    }

    @Test func missingFileIsAnIOError() throws {
        let path = "/tmp/sluice-csv-tests/does-not-exist-\(UInt64.random(in: 0...UInt64.max)).csv"
        #expect {
            _ = try CSVSplitPlanner.plan(path: path, options: CSVOptions())
        } throws: { error in
            guard case .io(let p, let message) = error as? SluiceError else { return false }
            return p == path && message.contains("No such file")
        }
        #expect(throws: SluiceError.self) { try CSVSchemaInference.infer(path: path, options: CSVOptions()) }
        let split = CSVSplit(path: path, start: 0, end: 10, firstLine: 1, index: 0, fileSize: 10, modified: 0)
        #expect(throws: SluiceError.self) {
            _ = try CSVSplitReader(split: split, schema: Schema([]), options: CSVOptions())
        }
    }

    @Test func changedFileIsRefused() throws {
        let dir = TempDir()
        let path = dir.file("c.csv", "a\n1\n")
        let split = try CSVSplitPlanner.plan(path: path, options: CSVOptions())[0]
        dir.file("c.csv", "a\n1\n2\n")
        #expect(throws: SluiceError.self) {
            _ = try CSVSplitReader(split: split, schema: Schema([Field("a", .int64)]), options: CSVOptions())
        }
    }

    @Test func invalidOptionsAreRejected() {
        var o = CSVOptions()
        o.delimiter = o.quote
        #expect(throws: SluiceError.self) { try o.validate() }
        o = CSVOptions()
        o.delimiter = UInt8(ascii: "\n")
        #expect(throws: SluiceError.self) { try o.validate() }
    }
}

@Suite struct CSVNullSpellingTests {
    @Test func paddedNullSpellingIsNullForNumbers() throws {
        let dir = TempDir()
        let path = dir.file("pad.csv", "n,s\n NA ,NA\n  , NA \n7,x\n")
        let o = options(schema: "n:int64,s:string") { $0.nullValues = ["NA", ""] }
        let r = try readAll(path, o)
        #expect(r.rejects.isEmpty)
        // Strings are kept byte for byte: only an exact match is null there.
        #expect(r.rows == [[null, null], [null, s(" NA ")], [i(7), s("x")]])
    }
}
