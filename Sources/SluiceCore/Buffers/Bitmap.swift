/// Reading and writing Arrow-style bitmaps (least significant bit first) in a raw buffer.
public enum Bitmap {
    @inlinable public static func get(_ base: UnsafeRawPointer, _ i: Int) -> Bool {
        (base.load(fromByteOffset: i >> 3, as: UInt8.self) >> UInt8(i & 7)) & 1 == 1
    }

    @inlinable public static func set(_ base: UnsafeMutableRawPointer, _ i: Int, _ value: Bool) {
        let p = base.assumingMemoryBound(to: UInt8.self) + (i >> 3)
        let mask = UInt8(1) << UInt8(i & 7)
        p.pointee = value ? (p.pointee | mask) : (p.pointee & ~mask)
    }

    /// Bytes needed for `bits` bits.
    @inlinable public static func byteCount(_ bits: Int) -> Int { (bits + 7) >> 3 }

    /// Counts the zero bits in `[offset, offset + count)`.
    public static func countZeros(_ base: UnsafeRawPointer, offset: Int, count: Int) -> Int {
        var ones = 0
        var i = offset
        let end = offset + count
        while i < end && i & 7 != 0 { if get(base, i) { ones += 1 }; i += 1 }
        while i + 64 <= end {
            ones += base.loadUnaligned(fromByteOffset: i >> 3, as: UInt64.self).nonzeroBitCount
            i += 64
        }
        while i < end { if get(base, i) { ones += 1 }; i += 1 }
        return count - ones
    }
}

/// Builds a validity bitmap lazily: no memory is touched until the first null.
public struct ValidityBuilder: @unchecked Sendable {
    @usableFromInline var bits: Buffer?
    @usableFromInline var count: Int = 0
    public private(set) var nullCount: Int = 0

    public init() {}

    @inlinable public mutating func appendValid() {
        if let b = bits {
            ensure(b, count + 1)
            Bitmap.set(b.base, count, true)
        }
        count += 1
    }

    public mutating func appendNull() {
        let b: Buffer
        if let existing = bits {
            b = existing
        } else {
            b = Buffer(capacity: Swift.max(Bitmap.byteCount(count + 1), 1024))
            b.appendZeros(Bitmap.byteCount(count))
            // Everything before the first null was valid.
            for i in 0..<count { Bitmap.set(b.base, i, true) }
            bits = b
        }
        ensure(b, count + 1)
        Bitmap.set(b.base, count, false)
        count += 1
        nullCount += 1
    }

    @inlinable mutating func ensure(_ b: Buffer, _ n: Int) {
        let need = Bitmap.byteCount(n)
        if need > b.length { b.appendZeros(need - b.length) }
    }

    /// Forgets the last entry (used to roll back a rejected row).
    public mutating func removeLast() {
        precondition(count > 0)
        count -= 1
        if let b = bits, !Bitmap.get(b.base, count) { nullCount -= 1 }
    }

    /// Whether entry `i` was appended as valid.
    public func isValid(_ i: Int) -> Bool {
        guard let b = bits else { return true }
        return Bitmap.get(b.base, i)
    }

    /// Hands over the bitmap (nil when there were no nulls) and starts afresh.
    public mutating func finish() -> (Buffer?, Int) {
        let out = nullCount > 0 ? bits : nil
        let nulls = nullCount
        bits = nil
        count = 0
        nullCount = 0
        return (out, nulls)
    }
}
