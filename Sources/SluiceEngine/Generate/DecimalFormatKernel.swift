import SluiceCore

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Number-to-text kernels for the generators, writing ASCII straight into a byte buffer.
///
/// Implementation note: the telecom generator prints millions of Doubles as C's (and Python's)
/// `%.15g`. `vsnprintf` gets that right but costs several hundred nanoseconds a value, more than
/// everything else in a row together. `writeG15` computes the 15 correctly rounded significant
/// digits exactly with 128-bit integer arithmetic for the values `%g` prints in fixed notation
/// (1e-4 <= |v| < 1e15, the whole range the generator produces) and hands anything else
/// (exponent notation, zero, subnormals, infinities, NaN) to `vsnprintf`. The tests compare the
/// two paths on hundreds of thousands of values, ties included.
enum DecimalFormatKernel {
    /// Bytes `writeG15` may write, including the NUL the `vsnprintf` fallback appends.
    static let g15Capacity = 32

    /// 5^0 ... 5^27: every power whose product with a 53-bit significand fits in 128 bits.
    private static let powersOf5: [UInt64] = {
        var p: [UInt64] = [1]
        for _ in 1...27 { p.append(p[p.count - 1] &* 5) }
        return p
    }()

    /// Writes `v` formatted as `%.15g` at `p` (which must have `g15Capacity` bytes) and returns
    /// the number of bytes written, without a terminator.
    @inline(__always)
    static func writeG15(_ v: Double, to p: UnsafeMutablePointer<UInt8>) -> Int {
        if v.isNormal {
            if v > 0 {
                if let n = fixedG15(v, p) { return n }
            } else {
                p[0] = UInt8(ascii: "-")
                if let n = fixedG15(-v, p + 1) { return n + 1 }
            }
        }
        return printfG15(v, p)
    }

    /// The `vsnprintf` path, for values outside the fast path.
    static func printfG15(_ v: Double, _ p: UnsafeMutablePointer<UInt8>) -> Int {
        let n = withVaList([v]) { args in
            p.withMemoryRebound(to: CChar.self, capacity: g15Capacity) { vsnprintf($0, g15Capacity, "%.15g", args) }
        }
        return Int(Swift.max(0, Swift.min(n, Int32(g15Capacity - 1))))
    }

    /// `%.15g` of a positive normal `v` when `%g` chooses fixed notation, else nil.
    private static func fixedG15(_ v: Double, _ p: UnsafeMutablePointer<UInt8>) -> Int? {
        // floor(log10(v)) is e0 or e0 + 1, where e0 = floor(floor(log2 v) * log10(2)).
        var e = (Int(v.exponent) * 78913) >> 18
        guard e >= -5 && e <= 14 else { return nil }
        let significand = UInt128(v.significandBitPattern | (1 << 52))
        let binaryExponent = Int(v.exponentBitPattern) - 1075
        guard var (digits, roundUp) = scaled(significand, binaryExponent, 14 - e) else { return nil }
        if digits >= 1_000_000_000_000_000 {
            e += 1
            guard let again = scaled(significand, binaryExponent, 14 - e) else { return nil }
            (digits, roundUp) = again
        }
        guard digits >= 100_000_000_000_000 && digits < 1_000_000_000_000_000 else { return nil }
        if roundUp {
            digits += 1
            if digits == 1_000_000_000_000_000 {
                digits = 100_000_000_000_000
                e += 1
            }
        }
        guard e >= -4 && e <= 14 else { return nil }
        // `%g` drops trailing zeros (and then a bare decimal point).
        var count = 15
        while count > 1 && digits % 10 == 0 {
            digits /= 10
            count -= 1
        }
        return layOut(digits, count: count, exponent: e, p)
    }

    /// The integer part of v * 10^k = significand * 5^k * 2^(binaryExponent + k), and whether
    /// rounding the dropped fraction to nearest (ties to even) goes up.
    @inline(__always)
    private static func scaled(_ significand: UInt128, _ binaryExponent: Int, _ k: Int) -> (UInt64, Bool)? {
        guard k >= 0 && k < powersOf5.count else { return nil }
        let n = significand * UInt128(powersOf5[k])
        let shift = -(binaryExponent + k)
        // In the fast-path range the product always has fraction bits; anything else falls back.
        guard shift > 0 && shift < 128 else { return nil }
        let integer = n >> shift
        guard integer < (1 << 63) else { return nil }
        let remainder = n & ((1 << shift) - 1)
        let half = UInt128(1) << (shift - 1)
        let up = remainder > half || (remainder == half && integer & 1 == 1)
        return (UInt64(integer), up)
    }

    /// Writes `count` significant digits with the decimal point placed for decimal exponent `e`.
    @inline(__always)
    private static func layOut(_ digits: UInt64, count: Int, exponent e: Int, _ p: UnsafeMutablePointer<UInt8>) -> Int {
        var d = digits
        if e < 0 {
            // 0.000ddd
            let leading = -e - 1
            let length = 2 + leading + count
            p[0] = UInt8(ascii: "0")
            p[1] = UInt8(ascii: ".")
            for i in 0..<leading { p[2 + i] = UInt8(ascii: "0") }
            var i = length - 1
            while i >= 2 + leading {
                p[i] = UInt8(truncatingIfNeeded: d % 10) &+ 48
                d /= 10
                i -= 1
            }
            return length
        }
        let integerDigits = e + 1
        if count <= integerDigits {
            // An integer: the significant digits, then zeros up to the decimal point.
            var i = count - 1
            while i >= 0 {
                p[i] = UInt8(truncatingIfNeeded: d % 10) &+ 48
                d /= 10
                i -= 1
            }
            for j in count..<integerDigits { p[j] = UInt8(ascii: "0") }
            return integerDigits
        }
        let length = count + 1
        var i = length - 1
        while i > integerDigits {
            p[i] = UInt8(truncatingIfNeeded: d % 10) &+ 48
            d /= 10
            i -= 1
        }
        p[integerDigits] = UInt8(ascii: ".")
        i = integerDigits - 1
        while i >= 0 {
            p[i] = UInt8(truncatingIfNeeded: d % 10) &+ 48
            d /= 10
            i -= 1
        }
        return length
    }

    /// Writes `v` in decimal and returns the number of bytes (at most 20).
    @inline(__always)
    static func writeDecimal(_ v: UInt64, to p: UnsafeMutablePointer<UInt8>) -> Int {
        var length = 1
        var probe = v
        while probe >= 10 {
            probe /= 10
            length += 1
        }
        var d = v
        var i = length - 1
        while i >= 0 {
            p[i] = UInt8(truncatingIfNeeded: d % 10) &+ 48
            d /= 10
            i -= 1
        }
        return length
    }

    /// Writes `v` (>= 0) in decimal, left-padded with zeros to `width` digits, like `%0*d`.
    @inline(__always)
    static func writeZeroPadded(_ v: Int, width: Int, to p: UnsafeMutablePointer<UInt8>) -> Int {
        let n = writeDecimal(UInt64(Swift.max(v, 0)), to: p)
        guard n < width else { return n }
        let pad = width - n
        (p + pad).update(from: p, count: n)
        for i in 0..<pad { p[i] = UInt8(ascii: "0") }
        return width
    }

    /// Writes an amount of cents like Python's `"%.2f" % (cents / 100)`: `-12.05`, `0.99`.
    @inline(__always)
    static func writeCents(_ cents: Int, to p: UnsafeMutablePointer<UInt8>) -> Int {
        var n = 0
        if cents < 0 {
            p[0] = UInt8(ascii: "-")
            n = 1
        }
        let magnitude = cents.magnitude
        n += writeDecimal(UInt64(magnitude / 100), to: p + n)
        p[n] = UInt8(ascii: ".")
        let fraction = magnitude % 100
        p[n + 1] = UInt8(truncatingIfNeeded: fraction / 10) &+ 48
        p[n + 2] = UInt8(truncatingIfNeeded: fraction % 10) &+ 48
        return n + 3
    }
}
