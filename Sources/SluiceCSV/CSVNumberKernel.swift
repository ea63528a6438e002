/// Word-at-a-time (SWAR) number parsing for the fused record parser: integers and plain decimals
/// read straight from the block buffer, stopping at the first byte that is not part of the number
/// and returning where that is, so that a number's end is also its field's end.
///
/// Implementation note: one unaligned 8-byte load yields both how many of the next bytes are
/// digits and, with three multiplications, their value, so a number costs a few word steps and
/// no per-digit loop or branch. Callers guarantee that the 32 bytes from the position passed in
/// are readable: `CSVRecordCursor` pads its buffer for this.
enum CSVNumberKernel {
    static let asciiZeros: UInt64 = 0x3030_3030_3030_3030

    /// 10^k for 0 ≤ k ≤ 19.
    ///
    /// Implementation note: a table, not a switch: a switch of integer constants compiles to a
    /// jump table, an indirect branch per number that mispredicts as lengths vary.
    static let powersOfTen: [UInt64] = [
        1, 10, 100, 1000, 10_000, 100_000, 1_000_000, 10_000_000, 100_000_000, 1_000_000_000,
        10_000_000_000, 100_000_000_000, 1_000_000_000_000, 10_000_000_000_000, 100_000_000_000_000,
        1_000_000_000_000_000, 10_000_000_000_000_000, 100_000_000_000_000_000,
        1_000_000_000_000_000_000, 10_000_000_000_000_000_000,
    ]

    /// The value of eight digits held one per byte (0...9), the first byte most significant.
    @inline(__always)
    static func eightDigits(_ v: UInt64) -> UInt64 {
        // Pairs: byte 2i becomes 10·d(2i) + d(2i+1); then pairs 0 and 2 and pairs 1 and 3 are
        // combined by two multiplications that leave the total in the upper 32 bits.
        let pairs = v &* 10 &+ (v >> 8)
        let mask: UInt64 = 0x0000_00FF_0000_00FF
        let a = (pairs & mask) &* (100 &+ (1_000_000 &<< 32))
        let b = ((pairs >> 16) & mask) &* (1 &+ (10_000 &<< 32))
        return (a &+ b) >> 32
    }

    /// The next eight bytes with '0'...'9' mapped to 0...9 (other bytes to anything), and how
    /// many of them, from the first, are digits (0...8).
    @inline(__always)
    static func load(_ p: UnsafePointer<UInt8>) -> (bytes: UInt64, digits: Int) {
        // fast_float's test: a byte is a digit when adding 0x46 and subtracting 0x30 both leave
        // its top bit clear. Carries and borrows only run from a non-digit byte upwards, so the
        // lowest flagged byte is exactly the first non-digit.
        let raw = UnsafeRawPointer(p).loadUnaligned(as: UInt64.self)
        let x = raw &- asciiZeros
        let nondigit = ((raw &+ 0x4646_4646_4646_4646) | x) & 0x8080_8080_8080_8080
        return (x, nondigit.trailingZeroBitCount &>> 3)
    }

    /// The value of the first `k` (0...8) digit bytes of `x`: moved to the top, the bytes below
    /// act as leading zeros. Two equal shifts, since a single one by 64 (k = 0) would leave the
    /// word unchanged.
    @inline(__always)
    static func leadingDigits(_ x: UInt64, _ k: Int) -> UInt64 {
        let half = UInt64(truncatingIfNeeded: 32 &- k &* 4)
        return eightDigits((x &<< half) &<< half)
    }

    /// `[0-9]{1,18}` from `p`: the value, and the end; nil when there is no digit or more
    /// than 18 (which could overflow: the checked general parser takes those).
    ///
    /// Branches only on the number of words, which is steady within a column.
    @inline(__always)
    static func digits(_ p: UnsafePointer<UInt8>) -> (value: UInt64, end: UnsafePointer<UInt8>)? {
        let w0 = load(p)
        if w0.digits < 8 {
            guard w0.digits > 0 else { return nil }
            return (leadingDigits(w0.bytes, w0.digits), p + w0.digits)
        }
        let w1 = load(p + 8)
        if w1.digits < 8 {
            let v = eightDigits(w0.bytes) &* powersOfTen[w1.digits] &+ leadingDigits(w1.bytes, w1.digits)
            return (v, p + 8 + w1.digits)
        }
        let w2 = load(p + 16)
        guard w2.digits <= 2 else { return nil }
        let high = eightDigits(w0.bytes) &* 100_000_000 &+ eightDigits(w1.bytes)
        return (high &* powersOfTen[w2.digits] &+ leadingDigits(w2.bytes, w2.digits), p + 16 + w2.digits)
    }

    /// `[+-]?[0-9]{1,18}` from `p` as Int64, and its end; nil when the general parser must decide.
    @inline(__always)
    static func int64(_ p: UnsafePointer<UInt8>) -> (value: Int64, end: UnsafePointer<UInt8>)? {
        let c = p.pointee
        let negative = c == UInt8(ascii: "-")
        guard let d = digits(negative || c == UInt8(ascii: "+") ? p + 1 : p) else { return nil }
        return (negative ? 0 &- Int64(d.value) : Int64(d.value), d.end)
    }

    /// How many of the digit values in `x` (bytes minus '0', as `load` gives them), from the
    /// first, are digits: a value is one when it is below 10.
    @inline(__always)
    static func leadingDigitCount(_ x: UInt64) -> Int {
        // Adding 0x76 sets the top bit of values 10...0x89; values from 0x80 have it already.
        // Carries only run upwards from a non-digit, so the lowest flag is exact.
        (((x &+ 0x7676_7676_7676_7676) | x) & 0x8080_8080_8080_8080).trailingZeroBitCount &>> 3
    }

    /// A plain decimal `[+-]?(digits[.digits]|.digits)` from `p`, correctly rounded, and its end;
    /// nil when it is beyond this path (eight or more integer digits, more than 19 digits) or not
    /// there, for the general parser to decide.
    ///
    /// Implementation note: the digits are read as one string with the point taken out. The first
    /// word keeps the bytes before the point and takes the rest from the word one byte further
    /// on; the next words start past the point. A number of up to 16 digits then costs two word
    /// conversions, and the only branches are on how many words its digits fill, which is steady
    /// for a column of similar numbers.
    @inline(__always)
    static func double(_ p: UnsafePointer<UInt8>) -> (value: Double, end: UnsafePointer<UInt8>)? {
        let c = p.pointee
        let negative = c == UInt8(ascii: "-")
        let s = negative || c == UInt8(ascii: "+") ? p + 1 : p
        let w0 = load(s)
        let k = w0.digits
        guard k < 8 else { return nil }
        let shift = UInt64(truncatingIfNeeded: k &* 8)
        // The byte after the integer digits: '.' - '0' is 0xFE (no borrow reaches it, the bytes
        // below being digits).
        let point = (w0.bytes &>> shift) & 0xFF == 0xFE
        let skip = point ? 1 : 0
        let below = (UInt64(1) &<< shift) &- 1
        // XOR, not subtraction: the point below these bytes must not borrow from them.
        let next = UnsafeRawPointer(s + 1).loadUnaligned(as: UInt64.self) ^ asciiZeros
        let first = point ? (w0.bytes & below) | (next & ~below) : w0.bytes
        var n = leadingDigitCount(first)
        var mantissa: UInt64
        if n < 8 {
            mantissa = leadingDigits(first, n)
        } else {
            let w1 = load(s + 8 + skip)
            n = 8 &+ w1.digits
            mantissa = eightDigits(first) &* powersOfTen[w1.digits] &+ leadingDigits(w1.bytes, w1.digits)
            if w1.digits == 8 {
                let w2 = load(s + 16 + skip)
                n = 16 &+ w2.digits
                guard n <= 19 else { return nil }
                mantissa = mantissa &* powersOfTen[w2.digits] &+ leadingDigits(w2.bytes, w2.digits)
            }
        }
        guard n > 0 else { return nil }
        let fraction = point ? n &- k : 0
        let end = s + n + skip
        // Clinger's fast path (both exact, one rounding) as in `decimalToDouble`, whose exponent
        // checks this path does not need: the power is at most 10^19.
        if mantissa <= 1 << 53 {
            let v = Double(mantissa) / CSVValueParser.exactPowersOfTen[fraction]
            return (negative ? -v : v, end)
        }
        return (CSVValueParser.eiselLemire(mantissa, -fraction, negative: negative), end)
    }
}
