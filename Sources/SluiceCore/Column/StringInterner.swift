/// Maps distinct byte strings to dense Int32 ids, storing each string once.
///
/// Implementation note: an open-addressing table of ids keyed by a 64-bit FNV-1a hash, comparing
/// bytes on collision; no Swift `String` or `Array` is created per lookup.
public struct StringInterner {
    private var strings = StringBuilder(capacity: 256, bytesCapacity: 4096)
    private var slots: [Int32] = Array(repeating: -1, count: 1024)
    private var hashes: [UInt64] = []

    public init() {}

    /// Distinct strings so far.
    public var count: Int { hashes.count }

    /// The id of `bytes`, adding it if new.
    public mutating func intern(_ bytes: UnsafeRawBufferPointer) -> Int32 {
        let h = StringInterner.hash(bytes)
        var mask = slots.count - 1
        var i = Int(truncatingIfNeeded: h) & mask
        while true {
            let id = slots[i]
            if id < 0 { break }
            if hashes[Int(id)] == h, equal(Int(id), bytes) { return id }
            i = (i + 1) & mask
        }
        let id = Int32(hashes.count)
        strings.append(bytes)
        hashes.append(h)
        slots[i] = id
        if hashes.count * 2 > slots.count {
            slots = Array(repeating: -1, count: slots.count * 2)
            mask = slots.count - 1
            for (k, hk) in hashes.enumerated() {
                var j = Int(truncatingIfNeeded: hk) & mask
                while slots[j] >= 0 { j = (j + 1) & mask }
                slots[j] = Int32(k)
            }
        }
        return id
    }

    /// The id of `bytes` if it was interned; nothing is added.
    public func lookup(_ bytes: UnsafeRawBufferPointer) -> Int32? {
        let h = StringInterner.hash(bytes)
        let mask = slots.count - 1
        var i = Int(truncatingIfNeeded: h) & mask
        while true {
            let id = slots[i]
            if id < 0 { return nil }
            if hashes[Int(id)] == h, equal(Int(id), bytes) { return id }
            i = (i + 1) & mask
        }
    }

    /// The bytes of string `id`; valid until the next `intern` or `finish`.
    public func bytes(of id: Int32) -> UnsafeRawBufferPointer {
        let offs = strings.offsets.base.assumingMemoryBound(to: Int32.self)
        let start = Int(offs[Int(id)])
        return UnsafeRawBufferPointer(start: strings.data.base + start, count: Int(offs[Int(id) + 1]) - start)
    }

    private func equal(_ id: Int, _ bytes: UnsafeRawBufferPointer) -> Bool {
        let offs = strings.offsets.base.assumingMemoryBound(to: Int32.self)
        let start = Int(offs[id]), end = Int(offs[id + 1])
        guard end - start == bytes.count else { return false }
        if bytes.count == 0 { return true }
        return memcmp(strings.data.base + start, bytes.baseAddress.unsafelyUnwrapped, bytes.count) == 0
    }

    @inline(__always) public static func hash(_ bytes: UnsafeRawBufferPointer) -> UInt64 {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for b in bytes { h = (h ^ UInt64(b)) &* 0x100_0000_01b3 }
        return h ^ (h >> 29)
    }

    /// The distinct strings in id order; the interner starts empty again.
    public mutating func finish() -> Column {
        let col = strings.finish()
        slots = Array(repeating: -1, count: 1024)
        hashes.removeAll(keepingCapacity: true)
        return col
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
