import SluiceCore
import Testing

@testable import SluiceCSV

/// The split planner's state machine must find exactly the record ends the record scanner finds,
/// on any input, however it is fed in pieces.
@Suite struct CSVBoundaryKernelTests {
    static func scannerRecordEnds(_ bytes: [UInt8], delimiter: UInt8, quote: UInt8) -> [Int] {
        let scanner = CSVRecordScanner(delimiter: delimiter, quote: quote)
        let fields = CSVFieldIndex()
        var ends: [Int] = []
        bytes.withUnsafeBufferPointer { buf in
            guard let base = buf.baseAddress else { return }
            var pos = 0
            while pos < buf.count {
                guard case .record(let next, _) = scanner.scan(base, from: pos, to: buf.count, atEOF: true, into: fields)
                else { break }
                if buf[next - 1] == UInt8(ascii: "\n") { ends.append(next) }
                pos = next
            }
        }
        return ends
    }

    static func kernelRecordEnds(_ bytes: [UInt8], delimiter: UInt8, quote: UInt8, rng: inout SplitMix64) -> [Int] {
        var kernel = CSVBoundaryKernel(delimiter: delimiter, quote: quote)
        var ends: [Int] = []
        bytes.withUnsafeBufferPointer { buf in
            guard let base = buf.baseAddress else { return }
            var from = 0
            while from < buf.count {
                let to = min(buf.count, from + 1 + Int(rng.next() % 40))
                var i = from
                while let after = kernel.scan(base, from: i, to: to, cutFrom: 0) {
                    ends.append(after)
                    i = after
                }
                from = to
            }
        }
        #expect(kernel.newlines == bytes.filter { $0 == UInt8(ascii: "\n") }.count)
        return ends
    }

    @Test func kernelAgreesWithScannerOnRandomInput() {
        var rng = SplitMix64(seed: 3)
        let alphabet = Array("ab,,\"\"\n\r xyzw;".utf8)
        for round in 0..<4000 {
            let length = Int(rng.next() % 200)
            let bytes = (0..<length).map { _ in alphabet[Int(rng.next() % UInt64(alphabet.count))] }
            let delimiter = round % 2 == 0 ? UInt8(ascii: ",") : UInt8(ascii: ";")
            let quote = round % 3 == 0 ? UInt8(ascii: "x") : UInt8(ascii: "\"")
            let expected = Self.scannerRecordEnds(bytes, delimiter: delimiter, quote: quote)
            let found = Self.kernelRecordEnds(bytes, delimiter: delimiter, quote: quote, rng: &rng)
            #expect(found == expected, "\(String(decoding: bytes, as: UTF8.self).debugDescription)")
            if found != expected { break }
        }
    }

    @Test func countBytesCountsNewlinesAndSeesQuotes() {
        var bytes = [UInt8](repeating: UInt8(ascii: "\n"), count: CSVBoundaryKernel.stretch)
        bytes.withUnsafeBytes { raw in
            let r = CSVBoundaryKernel.countBytes(raw.baseAddress!, count: raw.count, quote: UInt8(ascii: "\""))
            #expect(r.newlines == CSVBoundaryKernel.stretch && !r.hasQuote)
        }
        bytes[4000] = UInt8(ascii: "\"")
        bytes[17] = UInt8(ascii: "a")
        bytes.withUnsafeBytes { raw in
            let r = CSVBoundaryKernel.countBytes(raw.baseAddress!, count: raw.count, quote: UInt8(ascii: "\""))
            #expect(r.newlines == CSVBoundaryKernel.stretch - 2 && r.hasQuote)
        }
    }

    @Test func plannedSplitsOfRandomFilesMatchOneSplit() throws {
        let dir = TempDir()
        var rng = SplitMix64(seed: 5)
        let alphabet = Array("ab,\"\n\r 1".utf8)
        for round in 0..<40 {
            var bytes = Array("h1,h2\n".utf8)
            bytes += (0..<20_000).map { _ in alphabet[Int(rng.next() % UInt64(alphabet.count))] }
            let path = dir.file("r\(round).csv", bytes: bytes)
            var o = CSVOptions()
            o.schema = Schema([Field("h1", .string), Field("h2", .string)])
            o.splitBytes = 1 << 40
            let one = try readAll(path, o)
            o.splitBytes = 500 + Int(rng.next() % 1500)
            let many = try readAll(path, o)
            #expect(many.rows == one.rows)
            #expect(many.lines == one.lines)
            #expect(many.rejects == one.rejects)
        }
    }

    @Test func typedReadsOfRandomBytesAgreeAcrossSplits() throws {
        let dir = TempDir()
        var rng = SplitMix64(seed: 17)
        let tokens: [[UInt8]] = [
            Array("12".utf8), Array("-9223372036854775808".utf8), Array("99999999999999999999".utf8), Array("1.5".utf8),
            Array("-0.0".utf8), Array("1e-320".utf8), Array("0.30000000000000004".utf8), Array(" 7 ".utf8),
            Array("true".utf8), Array("F".utf8), Array("x".utf8), Array("".utf8), Array("\"\"".utf8),
            Array("\"a,\nb\"".utf8), Array("\"q\"\"q\"".utf8), Array("2024-01-02T03:04:05Z".utf8),
            Array("1383260400000".utf8), [0xC3, 0xA9], [0xFF, 0x41], Array("un\"quoted".utf8), Array("\"tail\"x".utf8),
            Array("nan".utf8), Array("inf".utf8),
        ]
        let text = ["\"a,\nb\"", "\"q\"\"q\"", "un\"quoted", "\"tail\"x", "x", "\"\"", "\u{e9}t\u{e9}"]
        let valid: [[String]] = [
            ["12", "-9223372036854775808", " 7 ", ""], ["1.5", "-0.0", "1e-320", "0.30000000000000004", "nan", ""],
            text, ["true", "F", ""], text, ["1.5", "-0.0", "3.4e38", ""], ["1383260400000", "2024-01-02T03:04:05Z", ""],
        ]
        for round in 0..<30 {
            var bytes = round % 2 == 0 ? Array("a,b,c,d,e,f,g\n".utf8) : []
            for _ in 0..<1500 {
                let r = rng.next() % 100
                let count = r < 3 ? 6 : r < 6 ? 8 : 7
                for k in 0..<count {
                    if k > 0 { bytes.append(UInt8(ascii: ",")) }
                    if k < 7, rng.next() % 100 < 97 {
                        let choices = valid[k]
                        bytes += Array(choices[Int(rng.next() % UInt64(choices.count))].utf8)
                    } else {
                        bytes += tokens[Int(rng.next() % UInt64(tokens.count))]
                    }
                }
                bytes += rng.next() % 4 == 0 ? Array("\r\n".utf8) : Array("\n".utf8)
                if rng.next() % 40 == 0 { bytes.append(UInt8(ascii: "\n")) }
            }
            let path = dir.file("t\(round).csv", bytes: bytes)
            var o = CSVOptions()
            o.header = round % 2 == 0
            o.schema = Schema([
                Field("a", .int64), Field("b", .float64), Field("c", .string), Field("d", .bool),
                Field("e", .dictionary), Field("f", .float32), Field("g", .timestamp(.ms)),
            ])
            o.batchRows = 7 + round
            o.splitBytes = 1 << 40
            let one = try readAll(path, o)
            o.splitBytes = 300 + Int(rng.next() % 3000)
            let many = try readAll(path, o)
            #expect(one.rows.count > 100 && one.rejects.count > 100)
            #expect(many.rows.count == one.rows.count)
            #expect(many.lines == one.lines)
            #expect(many.rejects == one.rejects)
            #expect(sameRows(many.rows, one.rows))
        }
    }
}
