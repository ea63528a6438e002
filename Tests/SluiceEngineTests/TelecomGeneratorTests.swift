import Foundation
import Testing
import SluiceCore
@testable import SluiceEngine

@Suite struct TelecomGeneratorTests {
    static let header = "square_id,time_interval,country_code,sms_in,sms_out,call_in,call_out,internet"
    static let codes: Set<Int> = [0, 1, 7, 33, 34, 39, 40, 41, 44, 49, 86, 212, 351, 355]
    static let start = 1_383_260_400_000
    static let step = 600_000

    private func generate(_ options: TelecomGenerator.Options, _ label: String) throws -> (dir: String, files: [(path: String, rows: Int)]) {
        let dir = try GeneratorTestSupport.scratchDirectory(label)
        let target = options.files == 1 ? dir + "/out.csv" : dir + "/days"
        return (dir, try TelecomGenerator(options).write(to: target))
    }

    @Test func sameSeedSameBytesOtherSeedOtherBytes() throws {
        var options = TelecomGenerator.Options(rows: 20_000)
        options.seed = 7
        let (d1, f1) = try generate(options, "tel-a")
        let (d2, f2) = try generate(options, "tel-b")
        options.seed = 8
        let (d3, f3) = try generate(options, "tel-c")
        defer { [d1, d2, d3].forEach(GeneratorTestSupport.remove) }
        let a = try GeneratorTestSupport.bytes(f1[0].path)
        #expect(a.count > 20_000 * 30)
        #expect(a == (try GeneratorTestSupport.bytes(f2[0].path)))
        #expect(a != (try GeneratorTestSupport.bytes(f3[0].path)))
    }

    @Test func rowsSplitAcrossDailyFilesInNewDirectories() throws {
        var options = TelecomGenerator.Options(rows: 10_001)
        options.files = 3
        let dir = try GeneratorTestSupport.scratchDirectory("tel-files")
        defer { GeneratorTestSupport.remove(dir) }
        let target = dir + "/nested/deeper"
        let files = try TelecomGenerator(options).write(to: target)
        let names = ["sms-call-internet-mi-2013-11-01.csv", "sms-call-internet-mi-2013-11-02.csv",
                     "sms-call-internet-mi-2013-11-03.csv"]
        #expect(files.map(\.path) == names.map { target + "/" + $0 })
        #expect(files.map(\.rows) == [3334, 3334, 3333])
        // Nothing but the three files: the temporary names were renamed away.
        #expect(try GeneratorTestSupport.listing(target) == names)
        for (day, file) in files.enumerated() {
            let lines = try GeneratorTestSupport.lines(file.path)
            #expect(lines.first == Self.header)
            #expect(lines.count == file.rows + 1)
            let first = GeneratorTestSupport.fields(lines[1])
            #expect(first[0] == "1")
            #expect(first[1] == String(Self.start + day * 144 * Self.step))
        }
        #expect(TelecomGenerator.fileName(day: 30) == "sms-call-internet-mi-2013-12-01.csv")
    }

    @Test func tabDelimitedWithoutHeader() throws {
        var options = TelecomGenerator.Options(rows: 500)
        options.delimiter = UInt8(ascii: "\t")
        options.header = false
        let (dir, files) = try generate(options, "tel-tab")
        defer { GeneratorTestSupport.remove(dir) }
        let lines = try GeneratorTestSupport.lines(files[0].path)
        #expect(lines.count == 500)
        #expect(lines[0].hasPrefix("1\t1383260400000\t"))
        for line in lines {
            #expect(GeneratorTestSupport.fields(line, delimiter: UInt8(ascii: "\t")).count == 8)
            #expect(!line.contains(","))
        }
    }

    @Test func zeroRowsWritesTheHeaderOnly() throws {
        let (dir, files) = try generate(TelecomGenerator.Options(rows: 0), "tel-zero")
        defer { GeneratorTestSupport.remove(dir) }
        #expect(files.map(\.rows) == [0])
        #expect(try GeneratorTestSupport.lines(files[0].path) == [Self.header])
    }

    @Test func rejectsBadOptions() {
        var negative = TelecomGenerator.Options(rows: -1)
        #expect(throws: SluiceError.self) { try TelecomGenerator(negative).write(to: "/tmp/never.csv") }
        negative.rows = 10
        negative.files = 0
        #expect(throws: SluiceError.self) { try TelecomGenerator(negative).write(to: "/tmp/never.csv") }
        var delimiter = TelecomGenerator.Options(rows: 10)
        delimiter.delimiter = UInt8(ascii: "x")
        #expect(throws: SluiceError.self) { try TelecomGenerator(delimiter).write(to: "/tmp/never.csv") }
    }

    @Test func pairsMapToSquaresThenIntervals() {
        #expect(TelecomGenerator.location(ofPair: 0) == (1, 0))
        #expect(TelecomGenerator.location(ofPair: 143) == (1, 143))
        #expect(TelecomGenerator.location(ofPair: 144) == (2, 0))
        #expect(TelecomGenerator.location(ofPair: 10_000 * 144 - 1) == (10_000, 143))
        // Past the last square the file continues with the next day's intervals.
        #expect(TelecomGenerator.location(ofPair: 10_000 * 144) == (1, 144))
        #expect(TelecomGenerator.location(ofPair: 10_000 * 144 + 145) == (2, 145))
    }

    /// 100k rows checked line by line: shape, order, ranges, formatting, and missing-value rates.
    @Test func valuesHaveTheScriptsShape() throws {
        let (dir, files) = try generate(TelecomGenerator.Options(rows: 100_000), "tel-shape")
        defer { GeneratorTestSupport.remove(dir) }
        let lines = try GeneratorTestSupport.lines(files[0].path)
        #expect(lines.count == 100_001)
        #expect(lines[0] == Self.header)

        var previous: (Int, Int, Int) = (0, 0, -1)
        var problems: [String] = []
        var italyRows = 0, otherRows = 0
        var italyEmpty = [Int](repeating: 0, count: 5)
        var otherEmpty = [Int](repeating: 0, count: 5)
        var perCode: [Int: Int] = [:]
        var pairs = 0
        var pairHasItaly = true
        for line in lines.dropFirst() {
            let f = GeneratorTestSupport.fields(line)
            guard f.count == 8, let square = Int(f[0]), let time = Int(f[1]), let code = Int(f[2]) else {
                problems.append("malformed: \(line)")
                continue
            }
            if !(1...10_000).contains(square) { problems.append("square \(square)") }
            let offset = time - Self.start
            if offset < 0 || offset % Self.step != 0 || offset / Self.step >= 144 { problems.append("time \(time)") }
            if !Self.codes.contains(code) { problems.append("code \(code)") }
            let key = (square, offset / Self.step, code)
            if !(key > previous) { problems.append("order \(previous) then \(key)") }
            if (key.0, key.1) != (previous.0, previous.1) {
                if !pairHasItaly { problems.append("pair \(previous) has no Italy row") }
                pairs += 1
                pairHasItaly = false
            }
            previous = key
            perCode[code, default: 0] += 1
            let italy = code == 39
            if italy { pairHasItaly = true; italyRows += 1 } else { otherRows += 1 }
            var present = 0
            for m in 0..<5 {
                let text = f[3 + m]
                if text.isEmpty {
                    if italy { italyEmpty[m] += 1 } else { otherEmpty[m] += 1 }
                    continue
                }
                present += 1
                guard let v = Double(text), v > 0, v.isFinite else {
                    problems.append("value '\(text)'")
                    continue
                }
                if text != GeneratorTestSupport.printfG15(v) { problems.append("'\(text)' is not %.15g") }
            }
            if present == 0 { problems.append("no measure: \(line)") }
            if problems.count > 20 { break }
        }
        #expect(problems.isEmpty, "\(problems.prefix(20))")

        // Presence rates, including the script's rule that a row with none gets one at random.
        let italyP = [0.93, 0.90, 0.90, 0.93, 0.97]
        let otherP = [0.30, 0.22, 0.22, 0.30, 0.25]
        func expectedEmpty(_ p: [Double], _ m: Int) -> Double {
            let none = p.reduce(1) { $0 * (1 - $1) }
            return 1 - p[m] - none / 5
        }
        for m in 0..<5 {
            let italy = Double(italyEmpty[m]) / Double(italyRows)
            let other = Double(otherEmpty[m]) / Double(otherRows)
            #expect(abs(italy - expectedEmpty(italyP, m)) < 0.01, "Italy measure \(m): \(italy)")
            #expect(abs(other - expectedEmpty(otherP, m)) < 0.01, "other measure \(m): \(other)")
        }
        // Each code appears on its probability's share of (square, interval) pairs.
        let probabilities: [Int: Double] = [
            0: 0.55, 1: 0.12, 7: 0.08, 33: 0.25, 34: 0.20, 39: 1.0, 40: 0.15, 41: 0.15, 44: 0.20,
            49: 0.25, 86: 0.18, 212: 0.05, 351: 0.05, 355: 0.10,
        ]
        for (code, p) in probabilities {
            let share = Double(perCode[code, default: 0]) / Double(pairs)
            #expect(abs(share - p) < 0.02, "code \(code): \(share)")
        }
    }
}
