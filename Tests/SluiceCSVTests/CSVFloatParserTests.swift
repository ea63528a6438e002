import Foundation
import Testing

@testable import SluiceCSV
import SluiceCore

@Suite struct CSVFloatParserTests {
    static func parse64(_ text: String) -> Double? {
        var t = text
        return t.withUTF8 { CSVValueParser.float64($0.baseAddress ?? UnsafePointer(bitPattern: 1)!, $0.count) }
    }

    static func parse32(_ text: String) -> Float? {
        var t = text
        return t.withUTF8 { CSVValueParser.float32($0.baseAddress ?? UnsafePointer(bitPattern: 1)!, $0.count) }
    }

    static func libc64(_ text: String) -> Double? {
        text.withCString { p in
            var end: UnsafeMutablePointer<CChar>? = nil
            let v = strtod(p, &end)
            return end.map { $0 - UnsafeMutablePointer(mutating: p) } == text.utf8.count && !text.isEmpty ? v : nil
        }
    }

    static func libc32(_ text: String) -> Float? {
        text.withCString { p in
            var end: UnsafeMutablePointer<CChar>? = nil
            let v = strtof(p, &end)
            return end.map { $0 - UnsafeMutablePointer(mutating: p) } == text.utf8.count && !text.isEmpty ? v : nil
        }
    }

    static let edgeCases = [
        "1e-320", "1.7976931348623157e308", "1.7976931348623159e308", "0.30000000000000004", "5e-324", "2e-324",
        "-0.0", "0", "-0", "+0.0", "0.1", "0.2", "0.3", "1e22", "1e23", "9007199254740992", "9007199254740993",
        "123456789012345678", "1.00000000000000011102230246251565404236316680908203125",
        "2.2250738585072011e-308", "2.2250738585072014e-308", "4.9406564584124654e-324",
        "3.14159265358979323846264338327950288", "12345678901234567890123", "1e308", "1e309", "-1e400", "1e-400",
        ".5", "5.", "+.5e1", "1E+2", "1e-22", "123.456e-2", "1234567890123456e-10", "0.000000000000000000001",
        "00000000000000000000000001.5", "999999999999999999999999e-24", "4.35", "8.589973e9", "1.2e3",
        "7.038531e-26", "2.5E-8", "89255.0e-22", "3.4028235677973366e38", "1.17549435e-38", "1.4e-45",
    ]

    @Test func edgeCasesMatchStrtodBitForBit() {
        for text in Self.edgeCases {
            let ours = Self.parse64(text)
            let theirs = Self.libc64(text)
            #expect(ours?.bitPattern == theirs?.bitPattern, "float64 \(text)")
            let ours32 = Self.parse32(text)
            let theirs32 = Self.libc32(text)
            #expect(ours32?.bitPattern == theirs32?.bitPattern, "float32 \(text)")
        }
        #expect(Self.parse64("-0.0")?.sign == .minus)
        #expect(Self.parse64("5e-324") == Double.leastNonzeroMagnitude)
        #expect(Self.parse64("1.7976931348623157e308") == Double.greatestFiniteMagnitude)
    }

    @Test func specialValues() {
        #expect(Self.parse64("inf") == .infinity)
        #expect(Self.parse64("-Infinity") == -.infinity)
        #expect(Self.parse64("NaN")?.isNaN == true)
        #expect(Self.parse32("-INF") == -.infinity)
        for bad in ["", "-", "+", ".", "e5", "1e", "1e+", "1.5.2", "1,5", "0x1p3", "nan(1)", "infx", "1 2", "--1", "1d", "١"] {
            #expect(Self.parse64(bad) == nil, "\(bad)")
            #expect(Self.parse32(bad) == nil, "\(bad)")
        }
    }

    @Test func randomDecimalsMatchStrtod() {
        var rng = SplitMix64(seed: 7)
        var mismatches: [String] = []
        for _ in 0..<60_000 {
            let digits = Int(rng.next() % 20) + 1
            var mantissa = ""
            for k in 0..<digits { mantissa += String(k == 0 ? rng.next() % 9 + 1 : rng.next() % 10) }
            let point = Int(rng.next() % UInt64(digits + 1))
            var text = String(mantissa.prefix(point)) + "." + String(mantissa.dropFirst(point))
            if rng.next() % 3 == 0 { text += "e\(Int(rng.next() % 80) - 40)" }
            if rng.next() % 2 == 0 { text = "-" + text }
            if Self.parse64(text)?.bitPattern != Self.libc64(text)?.bitPattern { mismatches.append(text) }
            if Self.parse32(text)?.bitPattern != Self.libc32(text)?.bitPattern { mismatches.append("f32 " + text) }
        }
        #expect(mismatches.isEmpty, "\(mismatches.prefix(10))")
    }

    @Test func roundTripOfRandomDoubles() {
        var rng = SplitMix64(seed: 11)
        for _ in 0..<20_000 {
            let v = Double(bitPattern: rng.next())
            guard v.isFinite else { continue }
            #expect(Self.parse64(v.description)?.bitPattern == v.bitPattern, "\(v)")
            #expect(Self.parse64(ShortestDecimal.string(v))?.bitPattern == v.bitPattern, "\(v)")
        }
    }

    @Test func integersAndBooleans() {
        func int(_ t: String) -> Int64? {
            var t = t
            return t.withUTF8 { CSVValueParser.int64($0.baseAddress ?? UnsafePointer(bitPattern: 1)!, $0.count) }
        }
        #expect(int("0") == 0 && int("-0") == 0 && int("+17") == 17)
        #expect(int("9223372036854775807") == .max && int("-9223372036854775808") == .min)
        #expect(int("9223372036854775808") == nil && int("-9223372036854775809") == nil)
        #expect(int("99999999999999999999") == nil && int("1_000") == nil && int("") == nil && int("+") == nil)
    }
}
