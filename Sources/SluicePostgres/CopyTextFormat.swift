import SluiceCore

/// Writers for single values in PostgreSQL's COPY text format, straight into raw bytes.
///
/// Implementation note: these are the only places the COPY path formats a value; every writer
/// takes the destination pointer and returns how many bytes it wrote, so the encoder never
/// makes a `String` per value (only the rare float without a short fixed-point form does, see
/// `writeDouble`).
public enum CopyTextFormat {
    /// The most bytes a fixed-width value (number, bool, date, timestamp) can take.
    @inlinable public static var maxFixedBytes: Int { 48 }

    /// Decimal digits of `v`.
    @inlinable public static func writeInteger(_ v: Int64, to p: UnsafeMutablePointer<UInt8>) -> Int {
        var n = 0
        if v < 0 {
            p[0] = UInt8(ascii: "-")
            n = 1
        }
        return n + writeUnsigned(v.magnitude, to: p + n)
    }

    @inlinable public static func writeUnsigned(_ v: UInt64, to p: UnsafeMutablePointer<UInt8>) -> Int {
        let n = digitCount(v)
        writeDigits(v, count: n, to: p)
        return n
    }

    /// Decimal digits in `v` (1 for 0).
    @inlinable static func digitCount(_ v: UInt64) -> Int {
        var n = 1
        var t = v
        if t >= 10_000_000_000_000_000 {
            n += 16
            t /= 10_000_000_000_000_000
        }
        if t >= 100_000_000 {
            n += 8
            t /= 100_000_000
        }
        if t >= 10_000 {
            n += 4
            t /= 10_000
        }
        if t >= 100 {
            n += 2
            t /= 100
        }
        if t >= 10 { n += 1 }
        return n
    }

    /// The last `count` decimal digits of `v`, two at a time.
    @inlinable static func writeDigits(_ v: UInt64, count: Int, to p: UnsafeMutablePointer<UInt8>) {
        var x = v
        var k = count
        while k >= 2 {
            let r = UInt8(truncatingIfNeeded: x % 100)
            x /= 100
            k -= 2
            p[k] = 48 &+ r / 10
            p[k + 1] = 48 &+ r % 10
        }
        if k == 1 { p[0] = UInt8(truncatingIfNeeded: 48 &+ x % 10) }
    }

    /// 10^k for k in 0...19.
    ///
    /// Implementation note: a `switch` over literals compiles to a constant table; a global
    /// array would go through a lazy-initialization check on every access in the hot loop.
    @inlinable static func unsignedPowerOfTen(_ k: Int) -> UInt64 {
        switch k {
        case 0: 1
        case 1: 10
        case 2: 100
        case 3: 1_000
        case 4: 10_000
        case 5: 100_000
        case 6: 1_000_000
        case 7: 10_000_000
        case 8: 100_000_000
        case 9: 1_000_000_000
        case 10: 10_000_000_000
        case 11: 100_000_000_000
        case 12: 1_000_000_000_000
        case 13: 10_000_000_000_000
        case 14: 100_000_000_000_000
        case 15: 1_000_000_000_000_000
        case 16: 10_000_000_000_000_000
        case 17: 100_000_000_000_000_000
        case 18: 1_000_000_000_000_000_000
        default: 10_000_000_000_000_000_000
        }
    }

    /// 10^k as a Double for k in 0...22 (all exact).
    @inlinable static func powerOfTen(_ k: Int) -> Double {
        switch k {
        case 0: 1e0
        case 1: 1e1
        case 2: 1e2
        case 3: 1e3
        case 4: 1e4
        case 5: 1e5
        case 6: 1e6
        case 7: 1e7
        case 8: 1e8
        case 9: 1e9
        case 10: 1e10
        case 11: 1e11
        case 12: 1e12
        case 13: 1e13
        case 14: 1e14
        case 15: 1e15
        case 16: 1e16
        case 17: 1e17
        case 18: 1e18
        case 19: 1e19
        case 20: 1e20
        case 21: 1e21
        default: 1e22
        }
    }

    /// A float64 as the shortest text that reads back as exactly `v` (`ShortestDecimal`, shared
    /// with the CSV and JSON writers); NaN and infinities use PostgreSQL's spellings.
    @inlinable public static func writeDouble(_ v: Double, to p: UnsafeMutablePointer<UInt8>) -> Int {
        if v.isNaN { return writeASCII("NaN", to: p) }
        if v.isInfinite { return writeASCII(v < 0 ? "-Infinity" : "Infinity", to: p) }
        return ShortestDecimal.write(v, to: p)
    }

    /// A float32 that reads back as exactly `v`: the shortest fixed-point form with up to seven
    /// significant digits when there is one (the bound is 2^21), otherwise Swift's `description`.
    @inlinable public static func writeFloat(_ v: Float, to p: UnsafeMutablePointer<UInt8>) -> Int {
        if v.isNaN { return writeASCII("NaN", to: p) }
        if v.isInfinite { return writeASCII(v < 0 ? "-Infinity" : "Infinity", to: p) }
        if v == 0 { return v.sign == .minus ? writeASCII("-0", to: p) : writeASCII("0", to: p) }
        let a = Swift.abs(v)
        if a < 1.0e17, a == a.rounded(.towardZero) { return writeInteger(Int64(v), to: p) }
        if a < 1.0e6, a >= 1.0e-4 {
            var k = 0
            while k <= 10 {
                let scale = Float(powerOfTen(k))
                let scaled = a * scale
                if scaled >= 2_097_152 { break }  // 2^21
                let m = scaled.rounded()
                if m / scale == a {
                    var n = 0
                    if v < 0 {
                        p[0] = UInt8(ascii: "-")
                        n = 1
                    }
                    return n + writeFixedPoint(UInt64(m), fractionDigits: k, to: p + n)
                }
                k += 1
            }
        }
        return writeString(v.description, to: p)
    }

    /// `m` with a decimal point `fractionDigits` from the right (`1234, 2` → `12.34`, `5, 3` → `0.005`).
    @inlinable public static func writeFixedPoint(_ m: UInt64, fractionDigits k: Int, to p: UnsafeMutablePointer<UInt8>) -> Int {
        if k == 0 { return writeUnsigned(m, to: p) }
        let digits = digitCount(m)
        let intDigits = Swift.max(digits - k, 1)
        let scale = unsignedPowerOfTen(k)
        writeDigits(m / scale, count: intDigits, to: p)
        p[intDigits] = UInt8(ascii: ".")
        writeDigits(m % scale, count: k, to: p + intDigits + 1)
        return intDigits + 1 + k
    }

    @inlinable static func writeASCII(_ s: StaticString, to p: UnsafeMutablePointer<UInt8>) -> Int {
        let n = s.utf8CodeUnitCount
        p.update(from: s.utf8Start, count: n)
        return n
    }

    @usableFromInline static func writeString(_ s: String, to p: UnsafeMutablePointer<UInt8>) -> Int {
        var s = s
        return s.withUTF8 { u in
            let n = Swift.min(u.count, maxFixedBytes)
            if let b = u.baseAddress { p.update(from: b, count: n) }
            return n
        }
    }

    /// Text with COPY's escapes: backslash, tab, newline and carriage return get a backslash.
    /// Writes at most `2 * bytes.count` bytes.
    @inlinable public static func writeEscaped(_ bytes: UnsafeRawBufferPointer, to p: UnsafeMutablePointer<UInt8>) -> Int {
        guard let src = bytes.baseAddress?.assumingMemoryBound(to: UInt8.self) else { return 0 }
        var out = 0
        for i in 0..<bytes.count {
            let b = src[i]
            // All four specials are at most 0x5C; most text bytes are above it or plain printable.
            if b > 0x5C || (b > 0x0D && b != 0x5C) {
                p[out] = b
                out &+= 1
                continue
            }
            switch b {
            case 0x5C: p[out] = 0x5C; p[out &+ 1] = 0x5C; out &+= 2
            case 0x09: p[out] = 0x5C; p[out &+ 1] = UInt8(ascii: "t"); out &+= 2
            case 0x0A: p[out] = 0x5C; p[out &+ 1] = UInt8(ascii: "n"); out &+= 2
            case 0x0D: p[out] = 0x5C; p[out &+ 1] = UInt8(ascii: "r"); out &+= 2
            default: p[out] = b; out &+= 1
            }
        }
        return out
    }
}
