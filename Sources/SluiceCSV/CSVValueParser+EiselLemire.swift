extension CSVValueParser {
    /// `w × 10^q` correctly rounded to the nearest Double (ties to even), for an exact decimal
    /// significand `w` (at most 19 digits, so it fits a UInt64).
    ///
    /// Implementation note: the Eisel-Lemire algorithm as fast_float and Go's strconv implement it.
    /// `w`, normalized to 64 bits, times a 128-bit approximation of 5^q gives the binary significand
    /// with enough guard bits that, when `w` is exact, the truncated product always rounds as the
    /// exact one would (Mushtak and Lemire, "Fast number parsing without fallback", 2023). The one
    /// ambiguous case, a result exactly halfway between two Doubles, can only arise for
    /// -4 ≤ q ≤ 23 (fast_float's bounds) and is resolved to even here.
    @inline(__always)
    static func eiselLemire(_ w: UInt64, _ q: Int, negative: Bool) -> Double {
        let signBit: UInt64 = negative ? 1 << 63 : 0
        if w == 0 || q < CSVPowersOfFive.smallestExponent {
            return Double(bitPattern: signBit)
        }
        if q > CSVPowersOfFive.largestExponent {
            return Double(bitPattern: signBit | 0x7FF0_0000_0000_0000)
        }
        let lz = w.leadingZeroBitCount
        let normalized = w &<< UInt64(lz)
        let index = 2 &* (q &- CSVPowersOfFive.smallestExponent)
        let table = CSVPowersOfFive.table
        var (high, low) = normalized.multipliedFullWidth(by: table[index])
        // The high word keeps 55 bits that matter (the 53 of the result, a round bit and the
        // possible extra top bit); when the 9 below them are all ones, a carry from the product
        // with the next 64 bits of 5^q could still reach them, so that product is added in.
        let precisionMask = UInt64.max >> 55
        if high & precisionMask == precisionMask {
            let (secondHigh, _) = normalized.multipliedFullWidth(by: table[index &+ 1])
            low = low &+ secondHigh
            if secondHigh > low { high &+= 1 }
        }
        let upperBit = Int(high >> 63)
        let shift = UInt64(upperBit &+ 9)
        var mantissa = high >> shift
        // floor(log2(5^q)) + q + 63, exact for |q| < 350, gives the binary exponent before biasing.
        var power2 = (((152_170 &+ 65_536) &* q) >> 16) &+ 63 &+ upperBit &- lz &+ 1023

        if power2 <= 0 {
            // Subnormal (or zero): shift into place, then round half up. Round-to-even ties cannot
            // occur this far from q = 0.
            if 1 &- power2 >= 64 { return Double(bitPattern: signBit) }
            mantissa >>= UInt64(1 &- power2)
            mantissa &+= mantissa & 1
            mantissa >>= 1
            // Rounding up may carry into the smallest normal exponent.
            power2 = mantissa < (1 << 52) ? 0 : 1
            return Double(bitPattern: signBit | UInt64(power2) << 52 | (mantissa & ((1 << 52) - 1)))
        }
        if low <= 1, q >= -4, q <= 23, mantissa & 3 == 1, mantissa &<< shift == high {
            // Exactly halfway: the bits shifted out were all zero. Round down to even.
            mantissa &= ~1
        }
        mantissa &+= mantissa & 1
        mantissa >>= 1
        if mantissa >= 2 << 52 {
            mantissa = 1 << 52
            power2 &+= 1
        }
        mantissa &= ~(1 << 52)
        if power2 >= 0x7FF {
            return Double(bitPattern: signBit | 0x7FF0_0000_0000_0000)
        }
        return Double(bitPattern: signBit | UInt64(power2) << 52 | mantissa)
    }
}
