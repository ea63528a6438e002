#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A decimal number as written: sign, the digits as one integer, and the power of ten to apply.
enum CSVDecimal {
    /// `digits` counts significant digits (leading zeros excluded); `mantissa` is only
    /// meaningful when `digits <= 19`.
    case number(negative: Bool, mantissa: UInt64, digits: Int, exponent: Int)
    case infinity(negative: Bool)
    case nan(negative: Bool)
}

extension CSVValueParser {
    /// Recognizes `[+-]?(digits[.digits]|.digits)([eE][+-]?digits)?` and `[+-]?(inf|infinity|nan)`
    /// (ASCII case-insensitive). Hex floats and `nan(…)`, which `strtod` would take, are refused
    /// so that a column of hex ids is not mistaken for floats.
    @inline(__always)
    static func scanDecimal(_ p: UnsafePointer<UInt8>, _ n: Int) -> CSVDecimal? {
        guard n > 0 else { return nil }
        var (negative, i) = sign(p)
        var m: UInt64 = 0
        var digits = 0
        var fraction = 0
        let firstDigit = i
        while i < n {
            let d = p[i] &- 48
            if d > 9 { break }
            m = m &* 10 &+ UInt64(d)
            // Leading zeros are not significant: they neither fill the mantissa nor count.
            if m != 0 { digits += 1 }
            i += 1
        }
        var sawPoint = false
        var sawDigit = i > firstDigit
        if i < n, p[i] == UInt8(ascii: ".") {
            sawPoint = true
            i += 1
            let fractionStart = i
            while i < n {
                let d = p[i] &- 48
                if d > 9 { break }
                m = m &* 10 &+ UInt64(d)
                if m != 0 { digits += 1 }
                i += 1
            }
            fraction = i - fractionStart
            sawDigit = sawDigit || fraction > 0
        }
        if !sawDigit { return sawPoint ? nil : special(p + i, n - i, negative) }
        var e = 0
        if i < n {
            guard p[i] | 0x20 == UInt8(ascii: "e") else { return nil }
            i += 1
            var negativeExponent = false
            if i < n, p[i] == UInt8(ascii: "-") || p[i] == UInt8(ascii: "+") {
                negativeExponent = p[i] == UInt8(ascii: "-")
                i += 1
            }
            var exponentDigits = 0
            while i < n {
                let d = p[i] &- 48
                guard d <= 9 else { return nil }
                // Past 10^5 the value is 0 or infinity anyway; strtod decides which.
                if e < 100_000 { e = e * 10 + Int(d) }
                exponentDigits += 1
                i += 1
            }
            guard exponentDigits > 0 else { return nil }
            if negativeExponent { e = -e }
        }
        return .number(negative: negative, mantissa: m, digits: digits, exponent: e - fraction)
    }

    private static func special(_ p: UnsafePointer<UInt8>, _ n: Int, _ negative: Bool) -> CSVDecimal? {
        @inline(__always) func word(_ w: StaticString) -> Bool {
            guard n == w.utf8CodeUnitCount else { return false }
            let s = w.utf8Start
            for k in 0..<n where p[k] | 0x20 != s[k] { return false }
            return true
        }
        if word("inf") || word("infinity") { return .infinity(negative: negative) }
        if word("nan") { return .nan(negative: negative) }
        return nil
    }

    /// 10^e for 0 ≤ e ≤ 22, all exact in a Double.
    ///
    /// Implementation note: a table, not a switch, which can compile to a jump table: an
    /// indirect branch per number that mispredicts as exponents vary.
    @inline(__always)
    static func exactPowerOfTen(_ e: Int) -> Double { exactPowersOfTen[e] }

    static let exactPowersOfTen: [Double] = [
        1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18,
        1e19, 1e20, 1e21, 1e22,
    ]

    /// A Double, bit for bit what `strtod` gives.
    ///
    /// Implementation note: three tiers. Clinger's fast path: when the digits form an integer of
    /// at most 2^53 and the power of ten is at most 10^22, both are exact Doubles and one IEEE
    /// multiplication or division rounds correctly. Otherwise, up to 19 significant digits,
    /// Eisel-Lemire. Only longer mantissas (which would need big-number arithmetic) go to strtod.
    @inline(__always)
    static func float64(_ p: UnsafePointer<UInt8>, _ n: Int) -> Double? {
        guard let d = scanDecimal(p, n) else { return nil }
        switch d {
        case .infinity(let negative): return negative ? -Double.infinity : Double.infinity
        case .nan(let negative): return negative ? -Double.nan : Double.nan
        case .number(let negative, let m, let digits, let e):
            guard digits <= 19 else { return strtodFallback(p, n) }
            return decimalToDouble(m, e, negative: negative)
        }
    }

    /// `m × 10^e` correctly rounded, for an exact significand `m`.
    @inline(__always)
    static func decimalToDouble(_ m: UInt64, _ e: Int, negative: Bool) -> Double {
        if m <= 1 << 53, e >= -22, e <= 22 {
            var v = Double(m)
            if e < 0 { v /= exactPowerOfTen(-e) } else { v *= exactPowerOfTen(e) }
            return negative ? -v : v
        }
        return eiselLemire(m, e, negative: negative)
    }

    /// A Float, bit for bit what `strtof` gives (same method with 2^24 and 10^10).
    @inline(__always)
    static func float32(_ p: UnsafePointer<UInt8>, _ n: Int) -> Float? {
        guard let d = scanDecimal(p, n) else { return nil }
        switch d {
        case .infinity(let negative): return negative ? -Float.infinity : Float.infinity
        case .nan(let negative): return negative ? -Float.nan : Float.nan
        case .number(let negative, let m, let digits, let e):
            if digits <= 19, m <= 1 << 24, e >= -10, e <= 10 {
                var v = Float(m)
                if e < 0 { v /= Float(exactPowerOfTen(-e)) } else { v *= Float(exactPowerOfTen(e)) }
                return negative ? -v : v
            }
            return strtofFallback(p, n)
        }
    }

    static func strtodFallback(_ p: UnsafePointer<UInt8>, _ n: Int) -> Double? {
        parseTerminated(p, n) { strtod($0, $1) }
    }

    static func strtofFallback(_ p: UnsafePointer<UInt8>, _ n: Int) -> Float? {
        parseTerminated(p, n) { strtof($0, $1) }
    }

    /// The C parsers need a NUL-terminated string: copy to a temporary (on the stack when small)
    /// and accept the result only when the parser consumed every byte.
    @inline(__always)
    private static func parseTerminated<T>(
        _ p: UnsafePointer<UInt8>, _ n: Int,
        _ parse: (UnsafePointer<CChar>, UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>) -> T
    ) -> T? {
        withUnsafeTemporaryAllocation(of: CChar.self, capacity: n + 1) { (buf) -> T? in
            let b = buf.baseAddress.unsafelyUnwrapped
            UnsafeMutableRawPointer(b).copyMemory(from: p, byteCount: n)
            b[n] = 0
            var end: UnsafeMutablePointer<CChar>? = nil
            let v = parse(b, &end)
            guard let end, end - b == n else { return nil }
            return v
        }
    }
}
