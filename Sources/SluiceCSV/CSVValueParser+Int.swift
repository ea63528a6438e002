extension CSVValueParser {
    /// An optional leading `-` or `+`: whether it was `-`, and where the digits start.
    @inline(__always)
    static func sign(_ p: UnsafePointer<UInt8>) -> (negative: Bool, start: Int) {
        switch p[0] {
        case UInt8(ascii: "-"): (true, 1)
        case UInt8(ascii: "+"): (false, 1)
        default: (false, 0)
        }
    }

    /// `[+-]?[0-9]+` as Int64; nil on any other byte or on overflow.
    @inline(__always)
    static func int64(_ p: UnsafePointer<UInt8>, _ n: Int) -> Int64? {
        guard n > 0 else { return nil }
        var (negative, i) = sign(p)
        guard i < n else { return nil }
        var v: UInt64 = 0
        // 18 digits cannot overflow a UInt64, so most fields skip the overflow checks entirely.
        let unchecked = min(n, i + 18)
        while i < unchecked {
            let d = p[i] &- 48
            guard d <= 9 else { return nil }
            v = v &* 10 &+ UInt64(d)
            i += 1
        }
        while i < n {
            let d = p[i] &- 48
            guard d <= 9 else { return nil }
            let (m, o1) = v.multipliedReportingOverflow(by: 10)
            let (s, o2) = m.addingReportingOverflow(UInt64(d))
            guard !o1, !o2 else { return nil }
            v = s
            i += 1
        }
        if negative {
            guard v <= UInt64(1) << 63 else { return nil }
            return Int64(truncatingIfNeeded: 0 &- v)
        }
        guard v <= UInt64(Int64.max) else { return nil }
        return Int64(v)
    }

    /// `[+-]?[0-9]+` as Int32; nil on any other byte or when out of range.
    @inline(__always)
    static func int32(_ p: UnsafePointer<UInt8>, _ n: Int) -> Int32? {
        guard let v = int64(p, n) else { return nil }
        return Int32(exactly: v)
    }
}
