import Testing

@testable import SluiceCore

/// `BytePattern` must agree with glibc's `regexec` (through `POSIXRegex`) on every pattern it
/// accepts; these tests compare the two, value by value.
@Suite("BytePattern")
struct BytePatternTests {
    func agree(_ pattern: String, _ values: [String], sourceLocation: SourceLocation = #_sourceLocation) throws {
        let regex = try POSIXRegex(pattern)
        let fast = try #require(BytePattern(pattern), "pattern \(pattern) should be in the subset", sourceLocation: sourceLocation)
        var scratch = CStringScratch()
        for v in values {
            var bytes = Array(v.utf8)
            let expected = bytes.withUnsafeBytes { regex.matches($0, &scratch) }
            let got = bytes.withUnsafeBytes { fast.matches($0) }
            #expect(got == expected, "pattern \(pattern) on '\(v)': regexec says \(expected)", sourceLocation: sourceLocation)
            bytes.removeAll()
        }
    }

    @Test func validationPatterns() throws {
        let uuid = "^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$"
        try agree(
            uuid,
            [
                "6f1c2b1e-6a2d-4c59-9f3e-0b8a6e7d4c21", "6F1C2B1E-6A2D-4C59-9F3E-0B8A6E7D4C21", "6f1c2b1e-6a2d-4c59-9f3e-0b8a6e7d4c2",
                "6f1c2b1e-6a2d-4c59-9f3e-0b8a6e7d4c211", "6f1c2b1e6a2d4c599f3e0b8a6e7d4c21", "g f1c2b1e-6a2d-4c59-9f3e-0b8a6e7d4c21",
                "", "not-a-uuid", "6f1c2b1e-6a2d-4c59-9f3e-0b8a6e7d4c2g",
            ])
        try agree("^user_[0-9]+$", ["user_1", "user_", "user_12a", "xuser_1", "user_0042", "USER_1", "user_1\n"])
        try agree("^[A-Z]{2}[0-9]{3,5}$", ["AB123", "AB12", "AB123456", "ab123", "ABC1234"])
        try agree("[[:digit:]]+\\.[[:digit:]]*", ["1.5", "x1.", ".5", "abc", "12.34.56"])
        try agree("", ["", "a"])
        try agree("^$", ["", "a"])
        try agree("a?b*c", ["c", "ac", "abbc", "bbb", "xxacxx", "a"])
        try agree("[^a-c]x", ["ax", "dx", "x", "cxdx"])
        try agree("[]a-]", ["]", "-", "a", "b"])
        try agree("\\$[0-9]+\\.\\*", ["$12.*", "12.*", "$.*"])
        try agree("^.{2,3}$", ["a", "ab", "abc", "abcd", "é"])
    }

    @Test func outsideTheSubset() {
        for p in ["(a|b)", "a|b", "\\w+", "(ab)+", "a^b", "a$b", "[[.a.]]", "a{,3}", "a**", "\\1"] {
            #expect(BytePattern(p) == nil, "\(p)")
        }
    }

    /// Random patterns of the subset over a small alphabet, against random strings over it.
    @Test func randomPatternsAgreeWithRegexec() throws {
        // A linear congruential sequence (Knuth's MMIX constants): deterministic, so a failure replays.
        var rng = LCG(state: 0x5eed)
        let atoms = ["a", "b", "c", "_", ".", "[ab]", "[^a]", "[a-c]", "[[:digit:]]", "0", "1", "\\.", "\\*"]
        let quantifiers = ["", "", "", "*", "+", "?", "{2}", "{1,3}", "{0,2}", "{2,}"]
        let alphabet = Array("abc_01.*x")
        var checked = 0
        for _ in 0..<400 {
            var p = rng.next() % 3 == 0 ? "^" : ""
            for _ in 0..<(1 + Int(rng.next() % 5)) {
                p += atoms[Int(rng.next() % UInt64(atoms.count))] + quantifiers[Int(rng.next() % UInt64(quantifiers.count))]
            }
            if rng.next() % 3 == 0 { p += "$" }
            guard BytePattern(p) != nil else { continue }
            var values: [String] = []
            for _ in 0..<40 {
                let n = Int(rng.next() % 9)
                values.append(String((0..<n).map { _ in alphabet[Int(rng.next() % UInt64(alphabet.count))] }))
            }
            try agree(p, values)
            checked += 1
        }
        #expect(checked > 350)
    }
}

struct LCG {
    var state: UInt64
    mutating func next() -> UInt64 {
        state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
        return state >> 17
    }
}
