import Foundation
import Testing

@testable import SluiceCSV

/// The fused parser's word-at-a-time number kernels must agree with the general parsers on every
/// number they take, and find its end exactly; Eisel-Lemire must match strtod bit for bit.
@Suite struct CSVNumberKernelTests {
    /// `text` followed by `terminator` and zero padding, as the kernels see a field in the buffer.
    static func withField<R>(_ text: String, terminator: UInt8 = UInt8(ascii: ","), _ body: (UnsafePointer<UInt8>) -> R) -> R {
        let bytes = Array(text.utf8) + [terminator] + [UInt8](repeating: 0, count: 48)
        return bytes.withUnsafeBufferPointer { body($0.baseAddress.unsafelyUnwrapped) }
    }

    /// The kernel's double and where it ended (offset from the field start), or nil.
    static func kernelDouble(_ text: String) -> (value: Double, end: Int)? {
        withField(text) { p in CSVNumberKernel.double(p).map { ($0.value, $0.end - p) } }
    }

    static func kernelInt(_ text: String) -> (value: Int64, end: Int)? {
        withField(text) { p in CSVNumberKernel.int64(p).map { ($0.value, $0.end - p) } }
    }

    static func general(_ text: String) -> Double? { CSVFloatParserTests.parse64(text) }

    static func randomDecimal(_ rng: inout SplitMix64) -> String {
        let integerDigits = Int(rng.next() % 9)
        let fractionDigits = Int(rng.next() % 22)
        var text = ""
        switch rng.next() % 6 {
        case 0: text = "-"
        case 1: text = "+"
        default: break
        }
        for k in 0..<integerDigits {
            // Leading zeros now and then.
            text += String(k == 0 && rng.next() % 4 != 0 ? rng.next() % 9 + 1 : rng.next() % 10)
        }
        if rng.next() % 8 != 0 || integerDigits == 0 {
            text += "."
            for _ in 0..<fractionDigits { text += String(rng.next() % 10) }
        }
        return text
    }

    @Test func decimalsMatchTheGeneralParser() {
        var rng = SplitMix64(seed: 21)
        var mismatches: [String] = []
        var taken = 0
        for _ in 0..<200_000 {
            let text = Self.randomDecimal(&rng)
            guard let fast = Self.kernelDouble(text) else { continue }
            taken += 1
            if fast.end != text.utf8.count || fast.value.bitPattern != Self.general(text)?.bitPattern {
                mismatches.append(text)
            }
        }
        #expect(mismatches.isEmpty, "\(mismatches.prefix(10))")
        #expect(taken > 100_000)
    }

    @Test func decimalsTheKernelMustTake() {
        // Up to seven integer digits and 19 digits in all, with or without a sign or a point.
        let cases = [
            "0", "-0", "+0.0", "0.0387073089354354", "1452.41312611377", "0.000462708276267268", "30516.2178496873",
            "1", "12", "1234567", "1.", ".5", "-.25", "0.1", "0.30000000000000004", "9007199.254740993",
            "1234567.123456789012", ".0000000000000000001", "999999.9999999999999", ".9999999999999999999",
        ]
        for text in cases {
            let fast = Self.kernelDouble(text)
            #expect(fast?.end == text.utf8.count, "\(text)")
            #expect(fast?.value.bitPattern == Self.general(text)?.bitPattern, "\(text)")
        }
        #expect(Self.kernelDouble("-0")?.value.sign == .minus)
    }

    @Test func decimalsLeftToTheGeneralParser() {
        // Not a plain decimal, or beyond the kernel: nil, or an end short of the field.
        for text in ["", "-", "+", ".", "12345678.5", "1.2.3", "1e5", "1.5E-3", "inf", "nan", "0x10", " 1", "1 ", "12345678901234567890"] {
            if let fast = Self.kernelDouble(text) {
                #expect(fast.end != text.utf8.count, "\(text)")
            }
        }
        // More than 19 digits in all (leading zeros count), or eight integer digits.
        for text in ["1.2345678901234567890", "0.0000000000000000001", "0.9999999999999999999", "9007199254740993"] {
            #expect(Self.kernelDouble(text) == nil, "\(text)")
        }
    }

    @Test func theFieldEndIsFoundWhateverFollows() {
        // The kernel stops at the first byte that is not part of the number.
        for (text, end) in [("1.5,", 3), ("1.5\r\n", 3), ("12;", 2), ("0.25|x", 4), ("7\n", 1), ("3.\t", 2)] {
            let bytes = Array(text.utf8) + [UInt8](repeating: 0, count: 48)
            let got = bytes.withUnsafeBufferPointer { b in
                CSVNumberKernel.double(b.baseAddress.unsafelyUnwrapped).map { $0.end - b.baseAddress.unsafelyUnwrapped }
            }
            #expect(got == end, "\(text)")
        }
    }

    @Test func integersMatchTheGeneralParser() {
        var rng = SplitMix64(seed: 22)
        var mismatches: [String] = []
        for _ in 0..<100_000 {
            var text = ["", "-", "+"][Int(rng.next() % 3)]
            for _ in 0..<Int(rng.next() % 21) { text += String(rng.next() % 10) }
            let general = text.utf8.isEmpty ? nil : Self.withField(text) { CSVValueParser.int64($0, text.utf8.count) }
            if let fast = Self.kernelInt(text) {
                if fast.end != text.utf8.count || fast.value != general { mismatches.append(text) }
            } else if general != nil && text.filter(\.isNumber).count <= 18 {
                // The kernel leaves only 19 or more digits to the checked parser.
                mismatches.append(text)
            }
        }
        #expect(mismatches.isEmpty, "\(mismatches.prefix(10))")
        #expect(Self.kernelInt("1383260400000")?.value == 1_383_260_400_000)
        #expect(Self.kernelInt("-999999999999999999")?.value == -999_999_999_999_999_999)
        #expect(Self.kernelInt("1234567890123456789") == nil)
    }

    @Test func eiselLemireMatchesStrtod() {
        var rng = SplitMix64(seed: 23)
        var mismatches: [String] = []
        func check(_ w: UInt64, _ q: Int) {
            let text = "\(w)e\(q)"
            let ours = CSVValueParser.eiselLemire(w, q, negative: false)
            let theirs = CSVFloatParserTests.libc64(text)
            if ours.bitPattern != theirs?.bitPattern { mismatches.append(text) }
            if CSVValueParser.eiselLemire(w, q, negative: true).bitPattern != (-(theirs ?? 0)).bitPattern {
                mismatches.append("-" + text)
            }
        }
        for _ in 0..<100_000 {
            // Mantissas of 1 to 19 digits, exponents over the whole range and past it.
            let digits = Int(rng.next() % 19) + 1
            var w: UInt64 = rng.next() % 9 + 1
            for _ in 1..<digits { w = w * 10 + rng.next() % 10 }
            check(w, Int(rng.next() % 700) - 360)
        }
        // Halfway cases and the ends of the range.
        let hard: [(UInt64, Int)] = [
            (9_007_199_254_740_993, 0), (9_007_199_254_740_995, 0), (2_251_799_813_685_249, 1), (1, -324), (2, -324),
            (3, -324), (4_940_656_458_412_465, -339), (17_976_931_348_623_157, 292), (17_976_931_348_623_159, 292),
            (22_250_738_585_072_011, -324), (22_250_738_585_072_014, -324), (1, 308), (1, 309), (1, -343), (1, -342),
            (9_999_999_999_999_999_999, -342), (9_999_999_999_999_999_999, 308), (7, -4), (7, 23), (12_345, -2),
        ]
        for (w, q) in hard { check(w, q) }
        #expect(mismatches.isEmpty, "\(mismatches.prefix(10))")
    }
}
