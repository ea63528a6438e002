import SluiceCore
import Testing

@testable import SluiceCSV

@Suite struct CSVSplitTests {
    /// A few MB of awkward CSV: quoted fields with newlines (some right where cuts tend to fall),
    /// doubled quotes, quotes inside unquoted fields, CRLF and LF, empty lines.
    static func awkwardFile(rows: Int) -> (text: String, idSum: Int64, newlineFields: Int) {
        var rng = SplitMix64(seed: 42)
        var out = "id,text,value,note\n"
        var idSum: Int64 = 0
        var newlineFields = 0
        for id in 0..<rows {
            idSum += Int64(id)
            let text: String
            switch rng.next() % 6 {
            case 0:
                text = "\"multi\nline \(id)\n\""
                newlineFields += 1
            case 1: text = "\"with \"\"quotes\"\", and comma\""
            case 2: text = "plain\(id)"
            case 3: text = "un\"quoted\"inside"
            case 4:
                text = "\"\(String(repeating: "\n", count: Int(rng.next() % 4)))\""
                newlineFields += 1
            default: text = "\"\""
            }
            let value = Double(rng.next() % 1_000_000) / 100
            let note = rng.next() % 5 == 0 ? "\"a,\nb\"" : "n"
            if note != "n" { newlineFields += 1 }
            let end = rng.next() % 3 == 0 ? "\r\n" : "\n"
            out += "\(id),\(text),\(value),\(note)\(end)"
            if rng.next() % 50 == 0 { out += "\n" }
        }
        return (out, idSum, newlineFields)
    }

    @Test func splitsGiveTheSameRowsAsOneSplit() throws {
        let dir = TempDir()
        let (text, idSum, _) = Self.awkwardFile(rows: 60_000)
        let path = dir.file("big.csv", text)
        let schema = Schema([Field("id", .int64), Field("text", .string), Field("value", .float64), Field("note", .string)])
        var whole = CSVOptions()
        whole.schema = schema
        whole.splitBytes = 1 << 40
        let one = try CSVSplitPlanner.plan(path: path, options: whole)
        #expect(one.count == 1)
        let reference = try readSplit(one[0], schema: schema, options: whole)
        #expect(reference.rejects.isEmpty)
        #expect(reference.rows.count == 60_000)
        #expect(reference.rows.reduce(Int64(0)) { if case .int(let v) = $1[0] { $0 + v } else { $0 } } == idSum)

        for splitBytes in [4096, 65_536, 100_003, 1 << 20] {
            var o = whole
            o.splitBytes = splitBytes
            let splits = try CSVSplitPlanner.plan(path: path, options: o)
            #expect(splits.count > 1)
            #expect(splits == (try CSVSplitPlanner.plan(path: path, options: o)))
            // Contiguous, in order, covering the data.
            #expect(splits.first?.start == one[0].start)
            #expect(splits.last?.end == Int64(text.utf8.count))
            for (a, b) in zip(splits, splits.dropFirst()) {
                #expect(a.end == b.start)
                #expect(b.index == a.index + 1)
            }
            // Read in reverse order, then reassemble by split index.
            var parts: [Int: ReadResult] = [:]
            for split in splits.reversed() {
                parts[split.index] = try readSplit(split, schema: schema, options: o)
                if let first = parts[split.index]?.lines.first {
                    #expect(first >= split.firstLine)
                }
            }
            let rows = splits.flatMap { parts[$0.index]?.rows ?? [] }
            let lines = splits.flatMap { parts[$0.index]?.lines ?? [] }
            #expect(splits.allSatisfy { parts[$0.index]?.rejects.isEmpty ?? false })
            #expect(rows.count == reference.rows.count)
            #expect(lines == reference.lines)
            #expect(rows == reference.rows)
        }
    }

    @Test func cutsNeverFallInsideQuotes() throws {
        let dir = TempDir()
        // Every record has a long quoted field full of newlines and delimiters, so almost every
        // candidate cut position is inside quotes.
        var text = "k,blob\n"
        for k in 0..<3000 {
            text += "\(k),\"" + String(repeating: "x,\n\"\"", count: 40) + "\"\n"
        }
        let path = dir.file("q.csv", text)
        var o = CSVOptions()
        o.schema = Schema([Field("k", .int32), Field("blob", .string)])
        o.splitBytes = 1000
        let splits = try CSVSplitPlanner.plan(path: path, options: o)
        #expect(splits.count > 100)
        var next = 0
        for split in splits {
            let part = try readSplit(split, schema: o.schema ?? Schema([]), options: o)
            #expect(part.rejects.isEmpty)
            for (row, line) in zip(part.rows, part.lines) {
                #expect(row[0] == i(Int64(next)))
                #expect(line == 2 + next * 41)
                next += 1
            }
            #expect(part.lines.first == split.firstLine)
        }
        #expect(next == 3000)
    }

    @Test func recordsLongerThanTheReadBlock() throws {
        let dir = TempDir()
        var text = "id,blob\n"
        text.reserveCapacity(14 << 20)
        let filler = String(repeating: "0123456789abcdef", count: 4)
        for k in 0..<60_000 { text += "\(k),\(filler)\n" }
        // 6 MiB in one quoted field, newlines and doubled quotes included: bigger than a read block.
        let big = String(repeating: "x\"\"y,\n", count: 1 << 20)
        text += "60000,\"\(big)\"\n"
        for k in 60_001..<120_000 { text += "\(k),\(filler)\n" }
        let path = dir.file("long.csv", text)
        var o = CSVOptions()
        o.schema = Schema([Field("id", .int64), Field("blob", .string)])
        o.splitBytes = 1 << 40
        let one = try readAll(path, o)
        #expect(one.rejects.isEmpty)
        #expect(one.rows.count == 120_000)
        #expect(one.column("id") == (0..<120_000).map { i(Int64($0)) })
        #expect(one.rows[60_000][1] == s(String(repeating: "x\"y,\n", count: 1 << 20)))
        #expect(one.lines[60_000] == 60_002)
        #expect(one.lines[60_001] == 60_003 + (1 << 20))
        o.splitBytes = 1 << 20
        let many = try readAll(path, o)
        #expect(many.lines == one.lines)
        #expect(many.rows == one.rows)
    }

    @Test func smallFilesAreOneSplitAndIdsAreStable() throws {
        let dir = TempDir()
        let path = dir.file("s.csv", "a,b\n1,2\n")
        let splits = try CSVSplitPlanner.plan(path: path, options: CSVOptions())
        #expect(splits.count == 1)
        let s = try #require(splits.first)
        #expect(s.start == 4 && s.end == 8 && s.firstLine == 2 && s.index == 0 && s.fileSize == 8)
        #expect(s.id == "\(path)#8-\(s.modified)#4-8")
        #expect(s.modified > 0)
        let reader = try CSVSplitReader(split: s, schema: Schema([Field("a", .int64), Field("b", .int64)]), options: CSVOptions())
        while try reader.next() != nil {}
        #expect(reader.bytesRead == s.length)
    }

    @Test func largeQuoteFreeFileUsesFastCounting() throws {
        let dir = TempDir()
        var text = ""
        text.reserveCapacity(3 << 20)
        for k in 0..<150_000 { text += "\(k)\t\(k * 7)\t\(Double(k) / 8)\n" }
        let path = dir.file("fast.tsv", text)
        var o = options(header: false, delimiter: "\t", schema: "a:int64,b:int64,c:float64")
        o.splitBytes = 256 << 10
        let splits = try CSVSplitPlanner.plan(path: path, options: o)
        #expect(splits.count > 5)
        var total = 0
        var sum: Int64 = 0
        for split in splits {
            let part = try readSplit(split, schema: o.schema ?? Schema([]), options: o)
            #expect(part.lines.first == split.firstLine)
            #expect(part.lines.first.map { Int64($0 - 1) } == part.rows.first.flatMap { if case .int(let v) = $0[0] { v } else { nil } })
            total += part.rows.count
            for row in part.rows { if case .int(let v) = row[1] { sum += v } }
        }
        #expect(total == 150_000)
        #expect(sum == 7 * Int64(150_000 * 149_999 / 2))
    }
}

/// A small deterministic generator, so the test files are the same on every run.
struct SplitMix64 {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
