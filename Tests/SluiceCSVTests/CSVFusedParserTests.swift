import Foundation
import SluiceCore
import Testing

@testable import SluiceCSV

/// Random CSV documents for comparing the fused parser with the general path: every type, quotes
/// (with doubled quotes, delimiters and line ends inside), CRLF, empty fields and lines, wrong
/// field counts, spaces, long digit strings, extreme and malformed numbers.
struct RandomCSV {
    var rng: SplitMix64
    let types: [DataType]
    let delimiter: Character
    let crlf: Bool

    init(seed: UInt64) {
        rng = SplitMix64(seed: seed)
        let all: [DataType] = [.int64, .float64, .float64, .int32, .timestamp(.ms), .string, .date, .bool]
        var t: [DataType] = []
        let count = Int(rng.next() % 7) + 1
        for _ in 0..<count { t.append(all[Int(rng.next() % UInt64(all.count))]) }
        types = t
        delimiter = rng.next() % 4 == 0 ? "\t" : ","
        crlf = rng.next() % 3 == 0
    }

    mutating func chance(_ percent: UInt64) -> Bool { rng.next() % 100 < percent }
    mutating func pick<T>(_ items: [T]) -> T { items[Int(rng.next() % UInt64(items.count))] }

    mutating func digits(_ n: Int) -> String {
        var s = ""
        for _ in 0..<n { s += String(rng.next() % 10) }
        return s
    }

    mutating func integer() -> String {
        let sign = pick(["", "", "", "-", "+"])
        return sign + String(rng.next() % 9 + 1) + digits(Int(rng.next() % 19))
    }

    mutating func decimal() -> String {
        switch rng.next() % 10 {
        case 0:
            return pick([
                "1e-320", "1.7976931348623157e308", "4.9406564584124654e-324", "0.30000000000000004", "2.5E-8",
                "-0.0", ".5", "5.", "1e23", "9007199254740993", "123456789012345678901234567890.5", "0.000000000000000000000123",
                "inf", "-nan", "1e400", "2.2250738585072011e-308",
            ])
        case 1:
            // Long digit strings, past what the kernel takes.
            return digits(Int(rng.next() % 5) + 1) + "." + digits(Int(rng.next() % 25) + 10)
        default:
            let sign = pick(["", "", "", "-"])
            let whole = rng.next() % 5 == 0 ? "0" : String(rng.next() % 9 + 1) + digits(Int(rng.next() % 6))
            return sign + whole + "." + digits(Int(rng.next() % 18) + 1)
        }
    }

    mutating func text() -> String {
        let alphabet = Array("abcxyz 019-.\"'é") + [delimiter]
        var s = ""
        for _ in 0..<Int(rng.next() % 12) { s.append(pick(alphabet)) }
        if chance(5) { s += crlf ? "\r\n" : "\n" }
        return s
    }

    /// A field's text, quoted when it must be (or now and then when it need not).
    mutating func field(_ type: DataType) -> String {
        if chance(15) { return "" }
        var value: String
        if chance(3) {
            value = pick(["abc", "1.2.3", "12a", "--1", "99999999999999999999", "2024-13-40", "NA", "tru"])
        } else {
            switch type {
            case .int64: value = integer()
            case .int32: value = chance(10) ? "3000000000" : String(Int(rng.next() % 101_000) - 1000)
            case .float64: value = decimal()
            case .timestamp: value = chance(20) ? "2024-02-29T12:30:00.250Z" : integer()
            case .date: value = pick(["2024-02-29", "1970-01-01", "1999-12-31"])
            case .bool: value = pick(["true", "false", "1", "0", "T", "no"])
            default: value = text()
            }
            if chance(3) { value = " " + value + " " }
        }
        let special = value.contains(delimiter) || value.contains("\"") || value.contains("\n")
        let mustQuote = special && (value.first == "\"" || value.contains(delimiter) || value.contains("\n"))
        if mustQuote || chance(4) {
            return "\"" + value.replacingOccurrences(of: "\"", with: "\"\"") + "\""
        }
        return value
    }

    /// A document of `rows` lines after the header.
    mutating func document(rows: Int) -> String {
        let end = crlf ? "\r\n" : "\n"
        var out = types.indices.map { "c\($0)" }.joined(separator: String(delimiter)) + end
        for _ in 0..<rows {
            if chance(1) {
                out += end
                continue
            }
            var fields = types.map { field($0) }
            if chance(2) { fields.removeLast() }
            if chance(2) { fields.append("extra") }
            out += fields.joined(separator: String(delimiter)) + end
        }
        if chance(30) { out.removeLast(crlf ? 2 : 1) }
        return out
    }
}

@Suite struct CSVFusedParserTests {
    /// Reads `path` with and without the fused parser and expects the same rows (doubles bit for
    /// bit), line numbers and rejects.
    static func expectSameAsGeneralPath(
        _ path: String, _ options: CSVOptions, blockSize: Int? = nil, _ comment: String
    ) throws {
        let fused = try readAll(path, options, fused: true, blockSize: blockSize)
        let general = try readAll(path, options, fused: false, blockSize: blockSize)
        #expect(fused.rows.count == general.rows.count, "\(comment)")
        #expect(sameRows(fused.rows, general.rows), "\(comment)")
        #expect(fused.lines == general.lines, "\(comment)")
        #expect(fused.rejects.map(\.line) == general.rejects.map(\.line), "\(comment)")
        #expect(fused.rejects.map(\.rule) == general.rejects.map(\.rule), "\(comment)")
        #expect(fused.rejects.map(\.column) == general.rejects.map(\.column), "\(comment)")
        #expect(fused.rejects.map(\.reason) == general.rejects.map(\.reason), "\(comment)")
    }

    @Test func randomDocumentsReadAsTheGeneralPathReadsThem() throws {
        let dir = TempDir()
        for seed in UInt64(1)...120 {
            var doc = RandomCSV(seed: seed)
            let path = dir.file("r\(seed).csv", doc.document(rows: Int(doc.rng.next() % 400) + 1))
            var o = CSVOptions()
            o.delimiter = doc.delimiter.asciiValue ?? UInt8(ascii: ",")
            o.schema = Schema(doc.types.enumerated().map { Field("c\($0.offset)", $0.element) })
            o.batchRows = doc.chance(50) ? Int(doc.rng.next() % 50) + 1 : 65_536
            if doc.chance(20) { o.nullValues = doc.pick([["", "NA"], ["", "-1"], ["NULL"], ["", "0.5"]]) }
            if doc.chance(40) {
                o.projection = doc.types.indices.filter { _ in doc.chance(50) }
            }
            let blockSize: Int? = doc.chance(50) ? Int(doc.rng.next() % 2000) + 64 : nil
            try Self.expectSameAsGeneralPath(path, o, blockSize: blockSize, "seed \(seed) types \(doc.types) \(o.projection ?? [])")
        }
    }

    @Test func numbersTheWayTheTelecomFileHasThem() throws {
        // Runs long enough to cross many buffer refills and batches, floats with 15 significant
        // digits and about half of them empty.
        let dir = TempDir()
        var rng = SplitMix64(seed: 31)
        var text = "square_id,time_interval,country_code,sms_in,internet\n"
        for i in 0..<20_000 {
            var row = "\(i % 10_000 + 1),\(1_383_260_400_000 + Int64(i / 100) * 600_000),\(rng.next() % 356)"
            for _ in 0..<2 {
                if rng.next() % 2 == 0 {
                    row += ","
                } else {
                    let v = Double(rng.next() % 1_000_000_000) / 1e6 * pow(10, Double(Int(rng.next() % 6) - 3))
                    row += "," + String(format: "%.15g", v)
                }
            }
            text += row + "\n"
        }
        let path = dir.file("telecom.csv", text)
        var o = CSVOptions()
        o.schema = try Schema(parsing: "square_id:int64,time_interval:int64,country_code:int64,sms_in:float64,internet:float64")
        for blockSize in [nil, 100, 4096] {
            try Self.expectSameAsGeneralPath(path, o, blockSize: blockSize, "block \(blockSize ?? 0)")
        }
        o.projection = [4]
        try Self.expectSameAsGeneralPath(path, o, "internet only")
        // An independent check of the floats: strtod on the text.
        let r = try readAll(path, o)
        let texts = text.split(separator: "\n").dropFirst().map { $0.split(separator: ",", omittingEmptySubsequences: false)[4] }
        #expect(r.rows.count == texts.count)
        for (row, t) in zip(r.rows, texts) {
            if t.isEmpty {
                #expect(row[0] == .null)
            } else if case .double(let v) = row[0] {
                #expect(v.bitPattern == CSVFloatParserTests.libc64(String(t))?.bitPattern, "\(t)")
            } else {
                Issue.record("\(t) read as \(row[0])")
            }
        }
    }

    @Test func recordsTheFusedParserHandsOver() throws {
        // Each document has records the fused parser must stop at; the rows around them must still
        // come out right, in order, with their lines.
        let dir = TempDir()
        let docs = [
            "a,b\n1,2\n\"3\",4\n5,6\n",  // a quoted field
            "a,b\n1,2\n\n7,8\n\r\n9,10\n",  // empty lines
            "a,b\n1,2\n3\n4,5,6\n7,8\n",  // too few, too many fields
            "a,b\n1,2\n3,x\n4, 5\n6,7 \n",  // a bad value, spaces
            "a,b\r\n1,2\r\n3,\r\n,4\r\n5,6",  // CRLF, empty fields, no final line end
            "a,b\n1,2.5e3\n2,1e-320\n3,-inf\n4,00000000000000000000001.5\n",  // beyond the kernel
            "a,b\n1,\"x\ny\"\n2,3\n",  // a quoted line end
            "a,b\n12345678901234567890,1\n-9223372036854775808,2\n",  // long integers
        ]
        for (k, doc) in docs.enumerated() {
            let path = dir.file("d\(k).csv", doc)
            for schema in ["a:int64,b:float64", "a:float64,b:string", "a:int32,b:timestamp"] {
                try Self.expectSameAsGeneralPath(path, options(schema: schema), "doc \(k) \(schema)")
                try Self.expectSameAsGeneralPath(path, options(schema: schema) { $0.projection = [1] }, "doc \(k) \(schema) [1]")
                try Self.expectSameAsGeneralPath(path, options(schema: schema) { $0.projection = [] }, "doc \(k) \(schema) []")
            }
        }
    }

    @Test func delimitersAndQuotesThatLookLikeNumbers() throws {
        // A point, a sign or a digit as the delimiter or quote must not be read as part of a number.
        let dir = TempDir()
        let cases: [(String, Character, Character, String)] = [
            ("a.b\n1.5\n-2.25\n", ".", "\"", "a:int64,b:int64"),
            ("a-b\n1-5\n-2-\n", "-", "\"", "a:float64,b:int64"),
            ("a+b\n1.5+2\n+\n", "+", "\"", "a:float64,b:float64"),
            ("a,b\n1,2\n'3',4\n", ",", "1", "a:int64,b:int64"),
        ]
        for (k, (text, delimiter, quote, schema)) in cases.enumerated() {
            let path = dir.file("x\(k).csv", text)
            let o = options(delimiter: delimiter, schema: schema) { $0.quote = quote.asciiValue ?? 0 }
            try Self.expectSameAsGeneralPath(path, o, "case \(k)")
        }
        let r = try readAll(dir.file("dot.csv", "a.b\n1.5\n"), options(delimiter: ".", schema: "a:int64,b:int64"))
        #expect(r.rows == [[i(1), i(5)]])
    }

    @Test func nullSpellingsThatLookLikeNumbers() throws {
        let dir = TempDir()
        let path = dir.file("n.csv", "a,b\n-1,2\n3,-1\n-1,-1.0\n")
        let r = try readAll(path, options(schema: "a:int64,b:float64") { $0.nullValues = ["", "-1"] })
        #expect(r.rows == [[null, d(2)], [i(3), null], [null, d(-1)]])
        try Self.expectSameAsGeneralPath(path, options(schema: "a:int64,b:float64") { $0.nullValues = ["-1"] }, "-1")
    }
}
