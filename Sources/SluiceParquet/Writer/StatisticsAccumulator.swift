#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Tracks min/max/null count of a column chunk as it is encoded, keeping bounds as the PLAIN bytes
/// the footer stores (little-endian numbers; raw bytes for strings, compared unsigned).
struct StatisticsAccumulator {
    var nullCount = 0
    var minBytes: [UInt8]?
    var maxBytes: [UInt8]?
    /// Strings longer than this leave the chunk without bounds rather than bloat the footer.
    static let maxBoundBytes = 4096
    var boundsTooLong = false

    /// Folds the min and max of a run of ordered values; NaN never becomes a bound.
    mutating func update<T: BitwiseCopyable & Comparable>(min lo: T, max hi: T) {
        if let m = minBytes {
            let cur = m.withUnsafeBytes { $0.loadUnaligned(as: T.self) }
            if lo < cur { minBytes = Self.bytes(of: lo) }
        } else {
            minBytes = Self.bytes(of: lo)
        }
        if let m = maxBytes {
            let cur = m.withUnsafeBytes { $0.loadUnaligned(as: T.self) }
            if hi > cur { maxBytes = Self.bytes(of: hi) }
        } else {
            maxBytes = Self.bytes(of: hi)
        }
    }

    static func bytes<T: BitwiseCopyable>(of v: T) -> [UInt8] {
        withUnsafeBytes(of: v) { Array($0) }
    }

    mutating func update(bytes b: UnsafeRawBufferPointer) {
        if b.count > Self.maxBoundBytes { boundsTooLong = true; return }
        if minBytes == nil || Self.less(b, minBytes.unsafelyUnwrapped) { minBytes = Array(b) }
        if maxBytes == nil || Self.less(maxBytes.unsafelyUnwrapped, b) { maxBytes = Array(b) }
    }

    static func less(_ a: UnsafeRawBufferPointer, _ b: [UInt8]) -> Bool {
        b.withUnsafeBytes { less(a, $0) }
    }

    static func less(_ a: [UInt8], _ b: UnsafeRawBufferPointer) -> Bool {
        a.withUnsafeBytes { less($0, b) }
    }

    /// Unsigned lexicographic order, the TYPE_ORDER of BYTE_ARRAY.
    static func less(_ a: UnsafeRawBufferPointer, _ b: UnsafeRawBufferPointer) -> Bool {
        let n = Swift.min(a.count, b.count)
        if n > 0 {
            let c = memcmp(a.baseAddress.unsafelyUnwrapped, b.baseAddress.unsafelyUnwrapped, n)
            if c != 0 { return c < 0 }
        }
        return a.count < b.count
    }

    func statistics() -> Statistics {
        var s = Statistics()
        s.nullCount = Int64(nullCount)
        if !boundsTooLong {
            s.minValue = minBytes
            s.maxValue = maxBytes
        }
        return s
    }
}
