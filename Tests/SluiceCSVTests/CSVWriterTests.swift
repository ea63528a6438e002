import Foundation
import SluiceCore
import Testing

@testable import SluiceCSV

@Suite struct CSVWriterTests {
    static func write(_ batches: [RecordBatch], schema: Schema, to path: String, delimiter: UInt8 = UInt8(ascii: ","), header: Bool = true) throws {
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        #expect(fd >= 0)
        defer { close(fd) }
        let writer = CSVWriter(fileDescriptor: fd, schema: schema, delimiter: delimiter, header: header)
        for batch in batches { try writer.write(batch) }
        try writer.flush()
    }

    static let schema = Schema([
        Field("id", .int64), Field("small", .int32), Field("text", .string), Field("kind", .dictionary),
        Field("x", .float64), Field("f", .float32), Field("ok", .bool), Field("day", .date),
        Field("at", .timestamp(.us)), Field("ms", .timestamp(.ms)), Field("ns", .timestamp(.ns)),
    ])

    static let texts: [String?] = [
        "plain", "with,comma", "with \"quotes\"", "multi\nline", "cr\r\nlf", " leading", "trailing ", "", nil,
        "ünïcödé ✓", "tab\there", "'single'",
    ]
    static let doubles: [Double?] = [
        0.1, -0.0, 3, 1e20, .leastNonzeroMagnitude, .greatestFiniteMagnitude, nil, 0.30000000000000004, -123.456, 1e16, 2.5e-8, .infinity,
    ]

    static func batch(rows: Int, offset: Int = 0) -> RecordBatch {
        var cols: [[Scalar]] = Array(repeating: [], count: schema.count)
        for r in 0..<rows {
            let k = r + offset
            cols[0].append(k % 7 == 3 ? .null : .int(Int64(k) * 1_000_000_007 - 5_000_000_000))
            cols[1].append(.int(k % 9 == 0 ? 0 : Int64(Int32.min) + Int64(k)))
            cols[2].append(texts[k % texts.count].map(Scalar.string) ?? .null)
            cols[3].append(k % 5 == 4 ? .null : .string(["red", "green, blue", "\"q\""][k % 3]))
            cols[4].append(doubles[k % doubles.count].map(Scalar.double) ?? .null)
            cols[5].append(.double(Double(Float(k) / 3)))
            cols[6].append(k % 4 == 0 ? .null : .bool(k % 2 == 0))
            cols[7].append(.date(Int32(k * 37 - 20_000)))
            cols[8].append(.timestamp(Int64(k) * 1_234_567_891 - 9_000_000_000_000, .us))
            cols[9].append(.timestamp(Int64(k) * 1001, .ms))
            cols[10].append(.timestamp(Int64(k) * 1_000_000_007, .ns))
        }
        return RecordBatch(schema: schema, columns: zip(schema.fields, cols).map { Column.make($0.type, $1) })
    }

    @Test func roundTrip() throws {
        let dir = TempDir()
        let path = "\(dir.path)/out.csv"
        let batches = [Self.batch(rows: 100), Self.batch(rows: 37, offset: 100)]
        try Self.write(batches, schema: Self.schema, to: path)
        var o = CSVOptions()
        o.schema = Self.schema
        let r = try readAll(path, o)
        #expect(r.rejects.isEmpty)
        let expected = batches.flatMap { b in (0..<b.count).map { b.row($0) } }
        #expect(r.rows.count == 137)
        #expect(sameRows(r.rows, expected))
        #expect(try CSVSchemaInference.headerNames(path: path, options: o) == Self.schema.names)
    }

    /// Batches longer than one formatting run (2048 rows) and runs of different widths.
    @Test func roundTripAcrossRuns() throws {
        let dir = TempDir()
        let path = "\(dir.path)/long.csv"
        let batches = [Self.batch(rows: 5000), Self.batch(rows: 2048, offset: 5000), Self.batch(rows: 1, offset: 7048)]
        try Self.write(batches, schema: Self.schema, to: path)
        var o = CSVOptions()
        o.schema = Self.schema
        let r = try readAll(path, o)
        #expect(r.rejects.isEmpty)
        let expected = batches.flatMap { b in (0..<b.count).map { b.row($0) } }
        #expect(r.rows.count == 7049)
        #expect(sameRows(r.rows, expected))
    }

    @Test func roundTripAsTSVWithoutHeader() throws {
        let dir = TempDir()
        let path = "\(dir.path)/out.tsv"
        let batch = Self.batch(rows: 60)
        try Self.write([batch], schema: Self.schema, to: path, delimiter: UInt8(ascii: "\t"), header: false)
        var o = CSVOptions()
        o.schema = Self.schema
        o.header = false
        o.delimiter = UInt8(ascii: "\t")
        let r = try readAll(path, o)
        #expect(r.rejects.isEmpty)
        #expect(sameRows(r.rows, (0..<60).map { batch.row($0) }))
    }

    @Test func exactOutput() throws {
        let dir = TempDir()
        let path = "\(dir.path)/exact.csv"
        let schema = Schema([Field("name", .string), Field("x", .float64), Field("d", .date), Field("t", .timestamp(.ms)), Field("b", .bool)])
        let batch = RecordBatch(schema: schema, columns: [
            Column.make(.string, [.string("a,b"), .string("say \"hi\""), .null, .string(" x"), .string("")]),
            Column.make(.float64, [.double(3), .double(0.1), .null, .double(-0.0), .double(1e300)]),
            Column.make(.date, [.date(0), .date(19782), .null, .date(-1), .date(2_932_896)]),
            Column.make(.timestamp(.ms), [.timestamp(0, .ms), .timestamp(1_500, .ms), .null, .timestamp(-1, .ms), .timestamp(86_400_000, .ms)]),
            Column.make(.bool, [.bool(true), .bool(false), .null, .bool(true), .bool(false)]),
        ])
        try Self.write([batch], schema: schema, to: path)
        let text = try String(contentsOfFile: path, encoding: .utf8)
        let expected = [
            #"name,x,d,t,b"#,
            #""a,b",3,1970-01-01,1970-01-01T00:00:00Z,true"#,
            #""say ""hi""",0.1,2024-02-29,1970-01-01T00:00:01.5Z,false"#,
            #",,,,"#,
            #"" x",-0,1969-12-31,1969-12-31T23:59:59.999Z,true"#,
            #""",1e+300,9999-12-31,1970-01-02T00:00:00Z,false"#,
        ]
        #expect(text == expected.map { $0 + "\n" }.joined())
    }

    @Test func extremeTimestampsAndDatesDoNotTrap() throws {
        let dir = TempDir()
        let path = "\(dir.path)/x.csv"
        let schema = Schema([Field("s", .timestamp(.s)), Field("ns", .timestamp(.ns)), Field("d", .date)])
        let batch = RecordBatch(schema: schema, columns: [
            Column.make(.timestamp(.s), [.timestamp(.min, .s), .timestamp(.max, .s), .timestamp(-1, .s)]),
            Column.make(.timestamp(.ns), [.timestamp(.min, .ns), .timestamp(.max, .ns), .timestamp(-1, .ns)]),
            Column.make(.date, [.date(.min), .date(.max), .date(-719_529)]),
        ])
        try Self.write([batch], schema: schema, to: path)
        let lines = try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n")
        #expect(lines.count == 4)
        #expect(lines[2].hasPrefix("292277026596-12-04T15:30:07Z,2262-04-11T23:47:16.854775807Z,5881580-07-11"))
        #expect(lines[3] == "1969-12-31T23:59:59Z,1969-12-31T23:59:59.999999999Z,-0001-12-31")
    }

    @Test func headerOnlyWhenNoBatches() throws {
        let dir = TempDir()
        let path = "\(dir.path)/h.csv"
        try Self.write([], schema: Schema([Field("a b", .int32), Field("c,d", .string)]), to: path)
        #expect(try String(contentsOfFile: path, encoding: .utf8) == "a b,\"c,d\"\n")
    }

    @Test func mismatchedBatchIsRefused() throws {
        let dir = TempDir()
        let fd = open("\(dir.path)/m.csv", O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        defer { close(fd) }
        let writer = CSVWriter(fileDescriptor: fd, schema: Schema([Field("a", .int32)]))
        let batch = RecordBatch(schema: Schema([Field("a", .int64)]), columns: [Column.make(.int64, [.int(1)])])
        #expect(throws: SluiceError.self) { try writer.write(batch) }
    }

    @Test func singleColumnNullsSurvive() throws {
        let dir = TempDir()
        let path = "\(dir.path)/one.csv"
        let schema = Schema([Field("v", .int64)])
        let batch = RecordBatch(schema: schema, columns: [Column.make(.int64, [.int(1), .null, .int(3)])])
        try Self.write([batch], schema: schema, to: path)
        var o = CSVOptions()
        o.schema = schema
        #expect(try readAll(path, o).rows == [[i(1)], [null], [i(3)]])
    }
}
