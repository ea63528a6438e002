import SluiceCore

extension CSVValueParser {
    /// `YYYY-MM-DD` as days since 1970-01-01.
    @inline(__always)
    static func date(_ p: UnsafePointer<UInt8>, _ n: Int) -> Int32? {
        CivilTime.parseDate(UnsafeRawBufferPointer(start: p, count: n))
    }

    /// An integer is an epoch value already in `unit`; anything else must be ISO-8601.
    @inline(__always)
    static func timestamp(_ p: UnsafePointer<UInt8>, _ n: Int, unit: TimeUnit) -> Int64? {
        if n > 0, p[0] &- 48 <= 9 || p[0] == UInt8(ascii: "-") || p[0] == UInt8(ascii: "+"),
            let v = int64(p, n)
        {
            return v
        }
        return CivilTime.parseTimestamp(UnsafeRawBufferPointer(start: p, count: n), unit: unit)
    }
}
