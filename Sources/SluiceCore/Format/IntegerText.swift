/// Decimal text of integers straight into a byte buffer, eight digits per step.
public enum IntegerText {
    /// Bytes `write` may need: sign and 19 digits.
    public static let maxLength = 20

    /// Writes `v` at `out` (room for `maxLength` bytes) and returns the number of bytes written.
    @inlinable
    public static func write(_ v: Int64, to out: UnsafeMutablePointer<UInt8>) -> Int {
        if v < 0 {
            out.pointee = UInt8(ascii: "-")
            return 1 + ShortestDecimal.writeInteger(v.magnitude, to: out + 1)
        }
        return ShortestDecimal.writeInteger(UInt64(v), to: out)
    }
}
