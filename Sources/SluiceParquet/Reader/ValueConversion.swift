import SluiceCore

/// Kernels that turn dense physical values into output values for the non-identity conversions.
enum ValueConversion {
    static let int96EpochJulianDay: Int64 = 2_440_588
    static let nanosPerDay: Int64 = 86_400_000_000_000

    /// INT96 (8-byte nanoseconds of the day, 4-byte Julian day) to a count of `unit` since the epoch.
    static func int96(_ src: UnsafeRawPointer, count: Int, unit: TimeUnit, into dst: UnsafeMutablePointer<Int64>) throws(ParquetError) {
        let divisor = 1_000_000_000 / unit.perSecond
        for i in 0..<count {
            let nanos = Int64(littleEndian: src.loadUnaligned(fromByteOffset: i * 12, as: Int64.self))
            let day = Int64(Int32(littleEndian: src.loadUnaligned(fromByteOffset: i * 12 + 8, as: Int32.self)))
            let days = day - int96EpochJulianDay
            if unit == .ns {
                let (m, o1) = days.multipliedReportingOverflow(by: nanosPerDay)
                let (v, o2) = m.addingReportingOverflow(nanos)
                guard !o1, !o2 else {
                    throw corrupt("INT96 timestamp (Julian day \(day)) is outside the range of timestamp(ns); read it with int96Unit .us or .ms")
                }
                dst[i] = v
            } else {
                // Floor division keeps values before the epoch on the right side.
                let perDay = 86_400 * unit.perSecond
                let q = nanos >= 0 ? nanos / divisor : -((-nanos + divisor - 1) / divisor)
                dst[i] = days &* perDay &+ q
            }
        }
    }

    static func uint32ToInt64(_ src: UnsafeRawPointer, count: Int, into dst: UnsafeMutablePointer<Int64>) {
        let s = src.assumingMemoryBound(to: UInt32.self)
        for i in 0..<count { dst[i] = Int64(s[i]) }
    }

    static func uint64ToInt64(_ src: UnsafeRawPointer, count: Int, into dst: UnsafeMutablePointer<Int64>) throws(ParquetError) {
        let s = src.assumingMemoryBound(to: UInt64.self)
        for i in 0..<count {
            guard s[i] <= UInt64(Int64.max) else {
                throw corrupt("UINT_64 value \(s[i]) exceeds Int64.max; the core has no unsigned 64-bit type")
            }
            dst[i] = Int64(s[i])
        }
    }

    /// IEEE half precision to single precision, exactly.
    static func float16(_ src: UnsafeRawPointer, count: Int, into dst: UnsafeMutablePointer<Float>) {
        for i in 0..<count {
            let h = UInt16(littleEndian: src.loadUnaligned(fromByteOffset: i * 2, as: UInt16.self))
            dst[i] = halfToFloat(h)
        }
    }

    static func halfToFloat(_ h: UInt16) -> Float {
        let sign: UInt32 = UInt32(h & 0x8000) << 16
        let exp = Int((h >> 10) & 0x1f)
        let mant = UInt32(h & 0x3ff)
        if exp == 0 {
            // Subnormal or zero: mant * 2^-24.
            let v = Float(mant) * Float(sign: .plus, exponent: -24, significand: 1)
            return sign != 0 ? -v : v
        }
        if exp == 31 {
            return Float(bitPattern: sign | 0x7f80_0000 | (mant << 13))
        }
        return Float(bitPattern: sign | UInt32(exp - 15 + 127) << 23 | (mant << 13))
    }

    static let powersOfTen: [Double] = (0...22).map { k in
        var v = 1.0
        for _ in 0..<k { v *= 10 }
        return v
    }

    /// An unscaled decimal to the nearest double (exact division for scale ≤ 22).
    @inline(__always) static func decimalDouble(_ unscaled: Int64, scale: Int) -> Double {
        if scale >= 0 && scale <= 22 { return Double(unscaled) / powersOfTen[scale] }
        if scale < 0 { return Double(unscaled) * pow10(-scale) }
        return Double(unscaled) / pow10(scale)
    }

    static func pow10(_ k: Int) -> Double {
        var v = 1.0
        for _ in 0..<k { v *= 10 }
        return v
    }

    /// A big-endian two's complement integer of up to 16 bytes.
    static func bigEndianInt128(_ bytes: UnsafeRawBufferPointer) throws(ParquetError) -> Int128 {
        guard bytes.count <= 16 else { throw corrupt("decimal of \(bytes.count) bytes exceeds 16 bytes") }
        if bytes.isEmpty { return 0 }
        var v: Int128 = bytes[0] & 0x80 != 0 ? -1 : 0
        for b in bytes { v = (v << 8) | Int128(b) }
        return v
    }

    /// The exact decimal text of `unscaled / 10^scale`.
    static func decimalText(_ unscaled: Int128, scale: Int) -> String {
        let negative = unscaled < 0
        let magnitude = unscaled.magnitude
        var digits = String(magnitude)
        if scale > 0 {
            if digits.count <= scale { digits = String(repeating: "0", count: scale - digits.count + 1) + digits }
            digits.insert(".", at: digits.index(digits.endIndex, offsetBy: -scale))
        } else if scale < 0 {
            digits += String(repeating: "0", count: -scale)
        }
        return negative ? "-" + digits : digits
    }
}
