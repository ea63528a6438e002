/// The shortest decimal text that reads back as the same `Double`, written straight into a byte
/// buffer: what CSV, JSON and COPY sinks emit for every float, so it must not allocate.
///
/// The digits are Schubfach's (R. Giulietti, "The Schubfach way to render doubles", 2020; the
/// algorithm of Java's `Double.toString` since JDK 19): of the decimals that round to the value,
/// one of the shortest, and of those the closest. They are the digits of Swift's `description`;
/// the layout follows it too (plain from 1e-4 up, exponent below and for integers from 1e17),
/// except that integral values below 1e17 are written as integers (`3`, not `3.0`), which every
/// reader parses back exactly.
public enum ShortestDecimal {
    /// Bytes `write` may need: sign, 17 digits, point, `e-324`.
    public static let maxLength = 26

    /// Writes `v` at `out` (room for `maxLength` bytes) and returns the length of its text. The
    /// bytes after the text, up to `maxLength`, may be overwritten. NaN is `nan`, infinities
    /// `inf` and `-inf`.
    @inlinable
    public static func write(_ v: Double, to out: UnsafeMutablePointer<UInt8>) -> Int {
        let bits = v.bitPattern
        let fraction = bits & ((1 << 52) - 1)
        let biased = Int((bits >> 52) & 0x7FF)
        if biased == 0x7FF { return writeSpecial(fraction != 0, negative: bits >> 63 != 0, to: out) }
        var p = out
        if bits >> 63 != 0 {
            p.pointee = UInt8(ascii: "-")
            p += 1
        }
        if biased == 0 {
            if fraction == 0 {
                p.pointee = UInt8(ascii: "0")
                return p + 1 - out
            }
            // Subnormals: c = fraction, q = Q_MIN.
            let d = decimal(q: -1074, c: fraction, subnormalTiny: fraction < 3)
            return p + layout(d.digits, d.exponent, to: p) - out
        }
        let c = fraction | (1 << 52)
        let mq = 1075 - biased  // -q
        if mq > 0 && mq < 53 {
            // Integers below 2^53 need no search: their digits are the integer's.
            let f = c >> UInt64(mq)
            if f << UInt64(mq) == c { return p + writeInteger(f, to: p) - out }
        } else if mq <= 0 && mq > -5 && c << UInt64(-mq) < 100_000_000_000_000_000 {
            // Integers from 2^53 up to 1e17: exact and written as such.
            return p + writeInteger(c << UInt64(-mq), to: p) - out
        }
        let d = decimal(q: -mq, c: c, subnormalTiny: false)
        return p + layout(d.digits, d.exponent, to: p) - out
    }

    /// The shortest text of `v` as a `String`, for messages and tests.
    public static func string(_ v: Double) -> String {
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: maxLength) { buffer in
            guard let base = buffer.baseAddress else { return v.description }
            let n = write(v, to: base)
            return String(decoding: UnsafeBufferPointer(start: base, count: n), as: UTF8.self)
        }
    }

    @usableFromInline
    static func writeSpecial(_ isNaN: Bool, negative: Bool, to out: UnsafeMutablePointer<UInt8>) -> Int {
        var p = out
        if isNaN {
            for b in "nan".utf8 { p.pointee = b; p += 1 }
            return 3
        }
        if negative { p.pointee = UInt8(ascii: "-"); p += 1 }
        for b in "inf".utf8 { p.pointee = b; p += 1 }
        return p - out
    }

    // MARK: Schubfach

    /// `v = c * 2^q` → shortest `digits * 10^exponent` in the rounding interval of v.
    @usableFromInline
    static func decimal(q: Int, c cIn: UInt64, subnormalTiny: Bool) -> (digits: UInt64, exponent: Int) {
        // The paper renders the two smallest subnormals with a second digit (10c, dk = -1) to keep
        // its proofs simple; those two values are exact enough to print from a table instead.
        if subnormalTiny { return cIn == 1 ? (5, -324) : (1, -323) }
        let c = cIn
        let out: UInt64 = c & 1
        let cb = c << 2
        let cbr = cb + 2
        let cbl: UInt64
        let k: Int
        if c != 1 << 52 || q == -1074 {
            cbl = cb - 2
            k = floorLog10Pow2(q)
        } else {
            // At a power of two the interval below is half as wide.
            cbl = cb - 1
            k = floorLog10ThreeQuartersPow2(q)
        }
        let h = q + floorLog2Pow10(-k) + 2
        let index = (k - minK) << 1
        let g1 = g[index]
        let g0 = g[index + 1]
        let vb = roundToOdd(g1, g0, cb << UInt64(h))
        let vbl = roundToOdd(g1, g0, cbl << UInt64(h))
        let vbr = roundToOdd(g1, g0, cbr << UInt64(h))
        let s = vb >> 2
        // Java keeps two digits at least (s >= 100); Swift's digits are the shortest, which
        // matters only for the smallest subnormals, where s can be below 100.
        if s >= 100 || q == -1074 {
            // One digit fewer: s' = floor(s / 10), via a multiply (n = 17, m = 1 in the paper).
            let sp10 = 10 * s.multipliedFullWidth(by: 115_292_150_460_684_698 << 4).high
            let tp10 = sp10 + 10
            let upin = vbl + out <= sp10 << 2
            let wpin = (tp10 << 2) + out <= vbr
            if upin != wpin { return (upin ? sp10 : tp10, k) }
        }
        let t = s + 1
        let uin = vbl + out <= s << 2
        let win = (t << 2) + out <= vbr
        if uin != win { return (uin ? s : t, k) }
        // Both in the interval: the closer one, ties to even.
        let cmp = Int64(bitPattern: vb &- ((s + t) << 1))
        return (cmp < 0 || (cmp == 0 && s & 1 == 0) ? s : t, k)
    }

    /// floor(g * cp / 2^127) with the lost bits folded into the lowest bit (round to odd).
    @inline(__always) @usableFromInline
    static func roundToOdd(_ g1: UInt64, _ g0: UInt64, _ cp: UInt64) -> UInt64 {
        let x1 = g0.multipliedFullWidth(by: cp).high
        let y = g1.multipliedFullWidth(by: cp)
        let z = (y.low >> 1) &+ x1
        let vbp = y.high &+ (z >> 63)
        return vbp | (((z & mask63) &+ mask63) >> 63)
    }

    @usableFromInline static let mask63: UInt64 = (1 << 63) - 1

    /// floor(log10(2^e)) for |e| <= 5456721.
    @inline(__always) @usableFromInline
    static func floorLog10Pow2(_ e: Int) -> Int { (e &* 661_971_961_083) >> 41 }

    /// floor(log10(3/4 * 2^e)) for |e| <= 5456721.
    @inline(__always) @usableFromInline
    static func floorLog10ThreeQuartersPow2(_ e: Int) -> Int { (e &* 661_971_961_083 &- 274_743_187_321) >> 41 }

    /// floor(log2(10^e)) for |e| <= 1233.
    @inline(__always) @usableFromInline
    static func floorLog2Pow10(_ e: Int) -> Int { (e &* 913_124_641_741) >> 38 }

    // MARK: Layout

    /// Writes `digits * 10^exponent` (digits > 0) in Swift's layout.
    @usableFromInline
    static func layout(_ digitsIn: UInt64, _ exponentIn: Int, to out: UnsafeMutablePointer<UInt8>) -> Int {
        var digits = digitsIn
        var exponent = exponentIn
        while digits % 10 == 0 {
            digits /= 10
            exponent += 1
        }
        let n = digitCount(digits)
        let point = n + exponent  // digits before the decimal point
        if point <= 17 && point > -4 {
            if exponent >= 0 { return writeInteger(digits, to: out, trailingZeros: exponent) }
            if point > 0 {
                // ddd.ddd: digits one to the right, then the integer part back one left.
                let head = writeDigits(digits, count: n, to: out + 1)
                if point < 8 {
                    pointInto(out, at: point, head: head)
                } else {
                    for i in 0..<point { out[i] = out[i + 1] }
                    out[point] = UInt8(ascii: ".")
                }
                return n + 1
            }
            // 0.000ddd (at most three zeros after the point): "0.000" at once, the digits over
            // the zeros they do not need.
            let raw = UnsafeMutableRawPointer(out)
            raw.storeBytes(of: UInt32(0x3030_2E30).littleEndian, as: UInt32.self)
            out[4] = UInt8(ascii: "0")
            writeDigits(digits, count: n, to: out + 2 - point)
            return 2 - point + n
        }
        // d.ddde±XX
        var p = out
        writeDigits(digits, count: n, to: p + 1)
        p[0] = p[1]
        if n > 1 {
            p[1] = UInt8(ascii: ".")
            p += n + 1
        } else {
            p += 1
        }
        p[0] = UInt8(ascii: "e")
        var e = point - 1
        p[1] = e < 0 ? UInt8(ascii: "-") : UInt8(ascii: "+")
        e = abs(e)
        p += 2
        if e >= 100 {
            p[0] = UInt8(48 + e / 100)
            p += 1
            e %= 100
        }
        p[0] = UInt8(48 + e / 10)
        p[1] = UInt8(48 + e % 10)
        return p + 2 - out
    }

    /// With the digits written at `out + 1 ...` (`head`: their first eight, as `writeDigits`
    /// returns them), moves the first `point` (1...7) one byte left and puts the decimal point
    /// after them, in one word: its bytes below `point` are the first digits, byte `point` the
    /// point, and the bytes above it the digits as they already stand.
    ///
    /// Implementation note: the integer part is one or two digits for most values; a byte loop
    /// over it costs a mispredicted branch whenever that length changes. The word is built from
    /// `head`, not loaded back: a load across the digits' just-stored words cannot be forwarded
    /// from them and waits for the stores to complete.
    @inline(__always) @usableFromInline
    static func pointInto(_ out: UnsafeMutablePointer<UInt8>, at point: Int, head: UInt64) {
        let shift = UInt64(truncatingIfNeeded: 8 &* point)
        let below = (UInt64(1) &<< shift) &- 1
        let dot = UInt64(UInt8(ascii: ".")) &<< shift
        let word = (head & below) | dot | ((head &<< 8) & ~(below | (0xFF &<< shift)))
        UnsafeMutableRawPointer(out).storeBytes(of: word.littleEndian, as: UInt64.self)
    }

    /// Decimal digits of `v` (1 for 0), from its bit length: log10(2) ≈ 1233 / 4096.
    @inline(__always) @usableFromInline
    static func digitCount(_ v: UInt64) -> Int {
        let t = ((64 - (v | 1).leadingZeroBitCount) &* 1233) >> 12
        return t + ((v | 1) >= powersOfTen[t] ? 1 : 0)
    }

    /// A literal, not built by a closure: a literal global is initialized statically, where a
    /// computed one costs a `swift_once` check on every call.
    @usableFromInline
    static let powersOfTen: [UInt64] = [
        1, 10, 100, 1000, 10_000, 100_000, 1_000_000, 10_000_000, 100_000_000, 1_000_000_000,
        10_000_000_000, 100_000_000_000, 1_000_000_000_000, 10_000_000_000_000, 100_000_000_000_000,
        1_000_000_000_000_000, 10_000_000_000_000_000, 100_000_000_000_000_000,
        1_000_000_000_000_000_000, 10_000_000_000_000_000_000,
    ]

    /// The `count` decimal digits of `v`, most significant first, and no byte more. Returns the
    /// first `min(count, 8)` digits as a little-endian word (the first in the lowest byte, zero
    /// bytes above them), for callers that rearrange them.
    ///
    /// Implementation note: eight digits at a time in one register (`digitText`), without the
    /// chain of dependent divisions by 100 that digit pairs need; the words are stored so that
    /// the last one ends at the last digit, overlapping the one before rather than running past.
    @inline(__always) @usableFromInline @discardableResult
    static func writeDigits(_ v: UInt64, count n: Int, to out: UnsafeMutablePointer<UInt8>) -> UInt64 {
        let raw = UnsafeMutableRawPointer(out)
        if n <= 8 {
            // The digits are the last n bytes of the word: move them down to byte 0.
            let d = digitText(v) >> UInt64(truncatingIfNeeded: 64 &- 8 &* n)
            if n >= 4 {
                raw.storeBytes(of: UInt32(truncatingIfNeeded: d).littleEndian, as: UInt32.self)
                raw.storeBytes(
                    of: UInt32(truncatingIfNeeded: d >> UInt64(truncatingIfNeeded: 8 &* (n &- 4))).littleEndian,
                    toByteOffset: n &- 4, as: UInt32.self)
            } else if n >= 2 {
                raw.storeBytes(of: UInt16(truncatingIfNeeded: d).littleEndian, as: UInt16.self)
                raw.storeBytes(
                    of: UInt16(truncatingIfNeeded: d >> UInt64(truncatingIfNeeded: 8 &* (n &- 2))).littleEndian,
                    toByteOffset: n &- 2, as: UInt16.self)
            } else {
                out.pointee = UInt8(truncatingIfNeeded: d)
            }
            return d
        }
        // Right-aligned in 16 or 24 digit bytes (leading zeros), the last word ending at the
        // last digit; the first word stored starts at the first digit, `skip` bytes into the
        // padded text, so it takes bytes from the padded text's first two words, `a` and `b`.
        let a: UInt64
        let b: UInt64
        let low: UInt64
        let skip: Int
        if n <= 16 {
            let q = v / 100_000_000
            low = digitText(v &- q &* 100_000_000)
            a = digitText(q)
            b = low
            skip = 16 &- n
        } else {
            let top = v / 10_000_000_000_000_000
            let rest = v &- top &* 10_000_000_000_000_000
            let q = rest / 100_000_000
            low = digitText(rest &- q &* 100_000_000)
            a = digitText(top)
            b = digitText(q)
            skip = 24 &- n
            raw.storeBytes(of: b.littleEndian, toByteOffset: n &- 16, as: UInt64.self)
        }
        let shift = UInt64(truncatingIfNeeded: 8 &* (skip & 7))
        let first = shift == 0 ? a : (a >> shift) | (b << (64 &- shift))
        raw.storeBytes(of: first.littleEndian, as: UInt64.self)
        raw.storeBytes(of: low.littleEndian, toByteOffset: n &- 8, as: UInt64.self)
        return first
    }

    /// The eight decimal digits of `v` (below 10^8, leading zeros kept) as ASCII text, the first
    /// digit in the lowest byte (so storing the word's `littleEndian` writes them in order).
    ///
    /// Implementation note: lanes split by multiplying with reciprocals: the two four-digit
    /// halves in 32-bit lanes, each into two-digit quarters in 16-bit lanes (x / 100 is
    /// x * 5243 >> 19 below 10^4), each into digits in bytes (x / 10 is x * 103 >> 10 below 100).
    /// No lane's product reaches the next lane, and the masks drop what shifts in from it.
    @inline(__always) @usableFromInline
    static func digitText(_ v: UInt64) -> UInt64 {
        let upper = v / 10_000
        var x = upper | (v &- upper &* 10_000) << 32
        let hundreds = ((x &* 5243) >> 19) & 0x0000_007F_0000_007F
        x = hundreds | (x &- hundreds &* 100) << 16
        let tens = ((x &* 103) >> 10) & 0x000F_000F_000F_000F
        x = tens | (x &- tens &* 10) << 8
        return x | 0x3030_3030_3030_3030
    }

    /// Inlinable, so that the integer writers of other modules (`IntegerText` in the CSV, JSON
    /// and COPY formatters) run it in their loops instead of calling it per value.
    @inlinable
    static func writeInteger(_ v: UInt64, to out: UnsafeMutablePointer<UInt8>, trailingZeros: Int = 0) -> Int {
        let n = digitCount(v)
        writeDigits(v, count: n, to: out)
        for i in 0..<trailingZeros { out[n + i] = UInt8(ascii: "0") }
        return n + trailingZeros
    }
}
