import SluiceCore
import Testing

@testable import SluiceCSV

@Suite struct CSVInferenceTests {
    @Test func eachTypeIsInferred() throws {
        let dir = TempDir()
        let path = dir.file(
            "inf.csv",
            """
            flag,count,ratio,day,at,name,empty,bits,mixed,big
            true,1,1,2024-01-01,2024-01-01T10:00:00Z,x,,0,1,1
            no,-2,2.5,2024-01-02,2024-01-02,y,,1,2024-01-01,99999999999999999999
            ,,,,,"",,,,
            T,30, 1e3 ,2024-12-31,2024-01-02 03:04:05.123+02:00,z,,1,a,3

            """)
        let schema = try CSVSchemaInference.infer(path: path, options: CSVOptions())
        #expect(
            schema
                == Schema([
                    Field("flag", .bool), Field("count", .int64), Field("ratio", .float64), Field("day", .date),
                    Field("at", .timestamp(.us)), Field("name", .string), Field("empty", .string),
                    Field("bits", .int64), Field("mixed", .string), Field("big", .float64),
                ]))
        let r = try readAll(path)
        #expect(r.rejects.isEmpty)
        #expect(r.rows.count == 4)
        #expect(r.column("ratio") == [d(1), d(2.5), null, d(1000)])
        #expect(r.column("at")[2] == null)
    }

    @Test func inferenceSamplesOnlyInferenceRows() throws {
        let dir = TempDir()
        let path = dir.file("sample.csv", "v\n1\n2\n3\nx\n")
        #expect(try CSVSchemaInference.infer(path: path, options: options { $0.inferenceRows = 3 }) == Schema([Field("v", .int64)]))
        #expect(try CSVSchemaInference.infer(path: path, options: CSVOptions()) == Schema([Field("v", .string)]))
        // The fourth row is then rejected by the reader, not silently loaded.
        let r = try readAll(path, options { $0.inferenceRows = 3 })
        #expect(r.rows.count == 3)
        #expect(r.rejects.map(\.line) == [5])
    }

    @Test func headerNamesAreDeduplicated() throws {
        let dir = TempDir()
        let path = dir.file("dup.csv", "a,b,a,,a,a_2\n1,2,3,4,5,6\n")
        let schema = try CSVSchemaInference.infer(path: path, options: CSVOptions())
        #expect(schema.names == ["a", "b", "a_2", "column4", "a_3", "a_2_2"])
        #expect(try CSVSchemaInference.headerNames(path: path, options: CSVOptions()) == ["a", "b", "a", "", "a", "a_2"])
        #expect(try CSVSchemaInference.headerNames(path: path, options: options(header: false)) == nil)
    }

    @Test func quotedHeaderSpanningLines() throws {
        let dir = TempDir()
        let path = dir.file("qh.csv", "\"first\nname\",\"b,c\"\nx,1\n")
        #expect(try CSVSchemaInference.headerNames(path: path, options: CSVOptions()) == ["first\nname", "b,c"])
        let r = try readAll(path)
        #expect(r.rows == [[s("x"), i(1)]])
        #expect(r.lines == [3])
    }

    @Test func explicitSchemaIsCheckedAgainstHeader() throws {
        let dir = TempDir()
        let path = dir.file("h.csv", "a,b,c\n1,2,3\n")
        let good = options(schema: "x:int32,y:string,z:float64")
        #expect(try CSVSchemaInference.infer(path: path, options: good) == good.schema)
        let r = try readAll(path, good)
        #expect(r.rows == [[i(1), s("2"), d(3)]])

        let bad = options(schema: "x:int32,y:string")
        #expect(throws: SluiceError.data(file: path, line: 1, column: nil, message: "the schema has 2 fields but the header has 3")) {
            try CSVSchemaInference.infer(path: path, options: bad)
        }
        let noHeader = options(header: false, schema: "x:int32,y:string")
        #expect(try CSVSchemaInference.infer(path: path, options: noHeader) == noHeader.schema)
    }

    @Test func raggedRowsWithoutHeaderUseFirstRecord() throws {
        let dir = TempDir()
        let path = dir.file("r.csv", "1,a\n2,b,extra\n3\n")
        let schema = try CSVSchemaInference.infer(path: path, options: options(header: false))
        #expect(schema == Schema([Field("column1", .int64), Field("column2", .string)]))
        let r = try readAll(path, options(header: false))
        #expect(r.rows == [[i(1), s("a")]])
        #expect(r.rejects.map(\.rule) == ["field_count", "field_count"])
    }
}
