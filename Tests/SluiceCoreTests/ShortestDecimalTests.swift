import Testing
@testable import SluiceCore

@Suite struct ShortestDecimalTests {
    /// What Swift's `description` (an independent shortest round-trip implementation) says, with
    /// integral values below 1e17 as plain integers.
    static func expected(_ v: Double) -> String {
        if v.isNaN { return "nan" }
        if v.isInfinite { return v < 0 ? "-inf" : "inf" }
        if v == v.rounded(.towardZero), Swift.abs(v) < 1e17 {
            return v == 0 && v.sign == .minus ? "-0" : String(Int64(v))
        }
        return v.description
    }

    @Test func knownValues() {
        let cases: [(Double, String)] = [
            (0, "0"), (-0.0, "-0"), (1, "1"), (-3, "-3"), (0.1, "0.1"), (0.1 + 0.2, "0.30000000000000004"),
            (0.0001, "0.0001"), (0.00012, "0.00012"), (0.00001, "1e-05"), (2.5e-5, "2.5e-05"),
            (1e16, "10000000000000000"), (1e17, "1e+17"), (1.5e17, "1.5e+17"), (1e22, "1e+22"), (1e23, "1e+23"),
            (123456789012345.6, "123456789012345.6"), (9007199254740993.0, "9007199254740992"),
            (99999999999999984, "99999999999999984"),
            (5e-324, "5e-324"), (1e-323, "1e-323"), (1.5e-323, "1.5e-323"), (1e-320, "1e-320"),
            (2.2250738585072014e-308, "2.2250738585072014e-308"),
            (1.7976931348623157e308, "1.7976931348623157e+308"), (-1.7976931348623157e308, "-1.7976931348623157e+308"),
            (0.0387073089354354, "0.0387073089354354"), (21.9929958764343, "21.9929958764343"),
            (.infinity, "inf"), (-.infinity, "-inf"), (.nan, "nan"), (12345678.9, "12345678.9"),
        ]
        for (v, text) in cases {
            #expect(ShortestDecimal.string(v) == text, "\(v.debugDescription)")
        }
    }

    @Test func powersOfTwoAndTen() {
        var v = 1.0
        for _ in 0..<1100 {
            v /= 2
            #expect(ShortestDecimal.string(v) == Self.expected(v))
        }
        v = 1.0
        for _ in 0..<1030 {
            v *= 2
            #expect(ShortestDecimal.string(v) == Self.expected(v))
        }
        for e in -330...310 {
            let p = Double("1e\(e)") ?? .nan
            #expect(ShortestDecimal.string(p) == Self.expected(p), "1e\(e)")
        }
    }

    /// Random bit patterns cover every exponent; every result must be Swift's digits and read back.
    @Test func randomBitPatternsMatchSwift() {
        var rng = SystemRandomNumberGenerator()
        var mismatches: [String] = []
        for _ in 0..<300_000 {
            let v = Double(bitPattern: rng.next())
            let s = ShortestDecimal.string(v)
            if s != Self.expected(v) || (v.isFinite && Double(s) != v) {
                if mismatches.count < 5 { mismatches.append("\(v.bitPattern): \(s) vs \(Self.expected(v))") }
            }
        }
        #expect(mismatches.isEmpty, "\(mismatches)")
    }

    /// Decimals of up to 17 random digits at every scale, the shape real data has.
    @Test func randomDecimalsRoundTrip() {
        var rng = SystemRandomNumberGenerator()
        var mismatches: [String] = []
        for _ in 0..<300_000 {
            let digits = Int.random(in: 1...17, using: &rng)
            var text = ""
            for i in 0..<digits { text.append(Character(Unicode.Scalar(UInt8(Int.random(in: (i == 0 ? 1 : 0)...9, using: &rng)) + 48))) }
            text += "e\(Int.random(in: -330...310, using: &rng))"
            guard let v = Double(text) else { continue }
            let s = ShortestDecimal.string(v)
            if s != Self.expected(v) || (v.isFinite && Double(s) != v) {
                if mismatches.count < 5 { mismatches.append("\(text): \(s) vs \(Self.expected(v))") }
            }
        }
        #expect(mismatches.isEmpty, "\(mismatches)")
    }

    /// Every plain layout: 1 to 17 digits with the point after any of the first 17 of them or
    /// up to three zeros in front, each written after a buffer of filler bytes, so that a layout
    /// that moved a wrong byte or wrote before its start shows.
    @Test func everyPointPosition() {
        var rng = SystemRandomNumberGenerator()
        let room = 8 + ShortestDecimal.maxLength
        let buffer = UnsafeMutablePointer<UInt8>.allocate(capacity: room)
        defer { buffer.deallocate() }
        var checked = 0
        for n in 1...17 {
            for point in -3...17 {
                var digits = ""
                for i in 0..<n {
                    let low = i == 0 || i == n - 1 ? 1 : 0  // no leading or trailing zero
                    digits.append(Character(Unicode.Scalar(UInt8(Int.random(in: low...9, using: &rng)) + 48)))
                }
                guard let v = Double("0.\(digits)e\(point)") else { continue }
                buffer.initialize(repeating: UInt8(ascii: "#"), count: room)
                let length = ShortestDecimal.write(v, to: buffer + 8)
                let text = String(decoding: UnsafeBufferPointer(start: buffer + 8, count: length), as: UTF8.self)
                #expect(text == Self.expected(v), "0.\(digits)e\(point)")
                #expect((0..<8).allSatisfy { buffer[$0] == UInt8(ascii: "#") }, "0.\(digits)e\(point) wrote before its start")
                checked += 1
            }
        }
        #expect(checked == 17 * 21)
    }

    @Test func subnormalsAndNeighbours() {
        for bits: UInt64 in [1, 2, 3, 4, 5, 9, 10, 99, 100, 0xF_FFFF_FFFF_FFFF, 0x10_0000_0000_0000, 0x10_0000_0000_0001] {
            let v = Double(bitPattern: bits)
            #expect(ShortestDecimal.string(v) == Self.expected(v), "bits \(bits)")
            #expect(Double(ShortestDecimal.string(v)) == v)
        }
    }
}
