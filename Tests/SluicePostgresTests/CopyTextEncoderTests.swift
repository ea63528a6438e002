import NIOCore
import SluiceCore
import Testing

@testable import SluicePostgres

/// Exact COPY text bytes for every type, nulls, escapes and dictionaries; the expected text is
/// written out by hand from PostgreSQL's COPY text rules, not produced by the code under test.
@Suite("COPY text encoder")
struct CopyTextEncoderTests {
    func text(_ batch: RecordBatch) -> String {
        var b = ByteBuffer()
        CopyTextEncoder(schema: batch.schema).encode(batch, into: &b)
        return b.readString(length: b.readableBytes) ?? "<not UTF-8>"
    }

    func one(_ type: DataType, _ build: (ColumnBuilder) -> Void) -> RecordBatch {
        let b = ColumnBuilder(type)
        build(b)
        return RecordBatch(schema: Schema([Field("c", type)]), columns: [b.finish()])
    }

    @Test func integersIncludingExtremesAndNulls() {
        let i32 = PrimitiveBuilder<Int32>(.int32)
        let i64 = PrimitiveBuilder<Int64>(.int64)
        for v: Int32 in [0, -1, 7, Int32.max, Int32.min] { i32.append(v) }
        i32.appendNull()
        for v: Int64 in [0, -1, 1_234_567_890_123, Int64.max, Int64.min, 10] { i64.append(v) }
        let batch = RecordBatch(
            schema: Schema([Field("a", .int32), Field("b", .int64)]), columns: [i32.finish(), i64.finish()])
        #expect(
            text(batch) == """
                0\t0
                -1\t-1
                7\t1234567890123
                2147483647\t9223372036854775807
                -2147483648\t-9223372036854775808
                \\N\t10

                """)
    }

    @Test func floatsReadBackExactly() {
        let values: [Double] = [
            0, -0.0, 1, -2.5, 0.1, 57.799, 0.000123, 1e-7, 123456.789, 1e15, 1e300, 5e-324, 0.1 + 0.2,
            Double.pi, -1234.5678, 9_007_199_254_740_993, .infinity, -.infinity, .nan,
        ]
        let f64 = PrimitiveBuilder<Double>(.float64)
        for v in values { f64.append(v) }
        f64.appendNull()
        let out = text(RecordBatch(schema: Schema([Field("x", .float64)]), columns: [f64.finish()]))
        let lines = out.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        #expect(Array(lines.prefix(9)) == ["0", "-0", "1", "-2.5", "0.1", "57.799", "0.000123", "1e-07", "123456.789"])
        #expect(Array(lines[9...13]) == ["1000000000000000", "1e+300", "5e-324", "0.30000000000000004", "3.141592653589793"])
        #expect(Array(lines[14...18]) == ["-1234.5678", "9007199254740992", "Infinity", "-Infinity", "NaN"])
        #expect(lines[19] == "\\N" && lines[20] == "" && lines.count == 21)
        // Every finite value parses back (as PostgreSQL's strtod would) to the identical double.
        for (k, v) in values.enumerated() where v.isFinite {
            #expect(Double(lines[k]) == v, "\(lines[k]) should read back as \(v)")
            if v != v.rounded() {
                #expect(lines[k].count <= v.description.count, "\(lines[k]) is longer than \(v.description)")
            }
        }
    }

    @Test func randomDoublesReadBackAndAreNoLongerThanSwiftsShortest() {
        var rng = SystemRandomNumberGenerator()
        var values: [Double] = []
        for _ in 0..<50_000 {
            // values as a %.15g file holds them, and arbitrary bit patterns
            let digits = Double(Int64.random(in: 1...999_999_999_999_999, using: &rng))
            values.append(digits / CopyTextFormat.powerOfTen(Int.random(in: 0...18, using: &rng)))
            let bits = Double(bitPattern: UInt64.random(in: 0...UInt64.max, using: &rng))
            if bits.isFinite { values.append(bits) }
        }
        let p = UnsafeMutablePointer<UInt8>.allocate(capacity: CopyTextFormat.maxFixedBytes)
        defer { p.deallocate() }
        for v in values {
            let n = CopyTextFormat.writeDouble(v, to: p)
            let text = String(decoding: UnsafeBufferPointer(start: p, count: n), as: UTF8.self)
            #expect(Double(text) == v, "\(text) for \(v)")
            let swift = v.description
            if !swift.contains("e"), v != v.rounded() {
                #expect(text.count <= swift.count, "\(text) is longer than \(swift)")
            }
        }
    }

    @Test func float32() {
        let b = one(.float32) { b in
            if case .float32(let p) = b {
                for v: Float in [0.1, -3.25, 16_777_216, 1e-8, .nan] { p.append(v) }
            }
        }
        #expect(text(b) == "0.1\n-3.25\n16777216\n1e-08\nNaN\n")
    }

    @Test func boolsDatesTimestamps() {
        let bo = BoolBuilder()
        bo.append(true)
        bo.append(false)
        bo.appendNull()
        let d = PrimitiveBuilder<Int32>(.date)
        d.append(0)
        d.append(19_783)  // 2024-03-01
        d.append(-1)
        let ms = PrimitiveBuilder<Int64>(.timestamp(.ms))
        ms.append(1_709_294_400_123)  // 2024-03-01T12:00:00.123Z
        ms.append(0)
        ms.appendNull()
        let us = PrimitiveBuilder<Int64>(.timestamp(.us))
        us.append(1_709_294_400_000_001)
        us.append(-1)
        us.append(86_400_000_000)
        let batch = RecordBatch(
            schema: Schema([Field("b", .bool), Field("d", .date), Field("t", .timestamp(.ms)), Field("u", .timestamp(.us))]),
            columns: [bo.finish(), d.finish(), ms.finish(), us.finish()])
        #expect(
            text(batch) == """
                t\t1970-01-01\t2024-03-01T12:00:00.123Z\t2024-03-01T12:00:00.000001Z
                f\t2024-03-01\t1970-01-01T00:00:00Z\t1969-12-31T23:59:59.999999Z
                \\N\t1969-12-31\t\\N\t1970-01-02T00:00:00Z

                """)
    }

    @Test func stringsAreEscaped() {
        let s = StringBuilder()
        for v in ["plain", "tab\there", "line\nbreak", "cr\rlf", "back\\slash", "\\N", "", "naïve ☃"] { s.append(v) }
        s.appendNull()
        let out = text(RecordBatch(schema: Schema([Field("s", .string)]), columns: [s.finish()]))
        #expect(
            out == "plain\ntab\\there\nline\\nbreak\ncr\\rlf\nback\\\\slash\n\\\\N\n\nnaïve ☃\n\\N\n")
    }

    @Test func dictionaryStringsEscapedOncePerEntry() {
        let d = DictionaryBuilder()
        for v in ["a\tb", "x", "a\tb", "x", "\\"] { d.append(v) }
        d.appendNull()
        let col = d.finish()
        #expect(col.dictionary?.values.count == 3)
        let batch = RecordBatch(schema: Schema([Field("d", .dictionary)]), columns: [col])
        #expect(text(batch) == "a\\tb\nx\na\\tb\nx\n\\\\\n\\N\n")
        // A slice reads the right rows through the shared dictionary.
        #expect(text(batch.slice(2, 3)) == "a\\tb\nx\n\\\\\n")
    }

    @Test func largeDictionaryPathMatchesSmallOne() {
        let d = DictionaryBuilder()
        for k in 0..<10_000 { d.append("v\(k)\t\(k % 7)") }
        let col = d.finish()
        let batch = RecordBatch(schema: Schema([Field("d", .dictionary)]), columns: [col])
        // Two rows of a 10,000-entry dictionary: escaped per row, not per entry.
        #expect(text(batch.slice(9_998, 2)) == "v9998\\t2\nv9999\\t3\n")
        #expect(text(batch.slice(0, 3)) == "v0\\t0\nv1\\t1\nv2\\t2\n")
    }

    @Test func manyRowsCrossBufferChunksIntact() {
        let i = PrimitiveBuilder<Int64>(.int64)
        let s = StringBuilder()
        var want = ""
        for k in 0..<50_000 {
            i.append(Int64(k) * 3)
            let v = String(repeating: "é\t", count: k % 5)
            s.append(v)
            want += "\(k * 3)\t" + v.replacing("\t", with: "\\t") + "\n"
        }
        let batch = RecordBatch(schema: Schema([Field("i", .int64), Field("s", .string)]), columns: [i.finish(), s.finish()])
        let got = text(batch)
        #expect(got.utf8.count == want.utf8.count)
        #expect(got == want)
    }
}

@Suite("COPY binary encoder")
struct CopyBinaryEncoderTests {
    @Test func exactBytesForEveryType() {
        let i32 = PrimitiveBuilder<Int32>(.int32)
        i32.append(-2)
        let i64 = PrimitiveBuilder<Int64>(.int64)
        i64.appendNull()
        let f64 = PrimitiveBuilder<Double>(.float64)
        f64.append(1.5)
        let bo = BoolBuilder()
        bo.append(true)
        let s = DictionaryBuilder()
        s.append("hé")
        let d = PrimitiveBuilder<Int32>(.date)
        d.append(10_958)  // 2000-01-02
        let t = PrimitiveBuilder<Int64>(.timestamp(.ms))
        t.append(946_684_800_001)  // 2000-01-01T00:00:00.001Z
        let batch = RecordBatch(
            schema: Schema([
                Field("a", .int32), Field("b", .int64), Field("c", .float64), Field("d", .bool), Field("e", .dictionary),
                Field("f", .date), Field("g", .timestamp(.ms)),
            ]),
            columns: [i32.finish(), i64.finish(), f64.finish(), bo.finish(), s.finish(), d.finish(), t.finish()])
        let bytes = CopyBinaryEncoder(schema: batch.schema).encodeBytes(batch)
        let want: [UInt8] =
            [0, 7]  // fields
            + [0, 0, 0, 4, 0xFF, 0xFF, 0xFF, 0xFE]  // int4 -2
            + [0xFF, 0xFF, 0xFF, 0xFF]  // null
            + [0, 0, 0, 8, 0x3F, 0xF8, 0, 0, 0, 0, 0, 0]  // float8 1.5
            + [0, 0, 0, 1, 1]  // true
            + [0, 0, 0, 3, 0x68, 0xC3, 0xA9]  // "hé"
            + [0, 0, 0, 4, 0, 0, 0, 1]  // one day after 2000-01-01
            + [0, 0, 0, 8, 0, 0, 0, 0, 0, 0, 0x03, 0xE8]  // 1000 µs after 2000-01-01
        #expect(bytes == want)
        #expect(CopyBinaryEncoder.header.count == 19)
    }

    @Test func usedOnlyForNaturalColumnTypes() {
        let schema = Schema([Field("a", .int64), Field("t", .timestamp(.us))])
        #expect(CopyBinaryEncoder.supports(schema, columnTypes: ["a": "bigint", "t": "timestamp with time zone"]))
        #expect(!CopyBinaryEncoder.supports(schema, columnTypes: ["a": "numeric", "t": "timestamp with time zone"]))
        #expect(!CopyBinaryEncoder.supports(schema, columnTypes: ["a": "bigint"]))
        #expect(!CopyBinaryEncoder.supports(Schema([Field("t", .timestamp(.ns))]), columnTypes: ["t": "timestamp with time zone"]))
    }
}
