#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import SluiceCore

/// Maps distinct byte strings to dense Int32 ids in order of first appearance, storing each once.
/// Used to build dictionary pages when writing, and to fold PLAIN fallback pages into a
/// dictionary column when reading.
///
/// Implementation note: open addressing over a power-of-two table of ids, keyed by a 64-bit
/// hash; bytes are compared only when hashes match. The table and the hashes live in raw memory
/// owned by this object and each lookup reads the object's properties once into locals, so a
/// lookup pays no per-probe exclusivity checks and creates no String or Array.
final class ByteArrayInterner {
    let values = ByteArraySink(capacity: 256, bytes: 4096)
    private var slots: UnsafeMutablePointer<Int32>
    private var slotCount: Int
    private var hashes: UnsafeMutablePointer<UInt64>
    private var hashCapacity: Int
    private var used = 0

    init() {
        slotCount = 1024
        slots = .allocate(capacity: slotCount)
        slots.initialize(repeating: -1, count: slotCount)
        hashCapacity = 512
        hashes = .allocate(capacity: hashCapacity)
    }

    deinit {
        slots.deallocate()
        hashes.deallocate()
    }

    var count: Int { used }
    /// Bytes of distinct values held: what a dictionary page would cost, before its length prefixes.
    var byteSize: Int { values.data.length }

    func intern(_ bytes: UnsafeRawBufferPointer) throws(ParquetError) -> Int32 {
        let h = Self.hash(bytes)
        let slots = self.slots, hashes = self.hashes
        let mask = slotCount - 1
        let offsets = UnsafePointer(values.offsets.base.assumingMemoryBound(to: Int32.self))
        let data = UnsafeRawPointer(values.data.base)
        var i = Int(truncatingIfNeeded: h) & mask
        while true {
            let id = Int(slots[i])
            if id < 0 { break }
            if hashes[id] == h {
                let s = Int(offsets[id]), len = Int(offsets[id + 1]) - s
                if len == bytes.count && (len == 0 || memcmp(data + s, bytes.baseAddress.unsafelyUnwrapped, len) == 0) {
                    return Int32(id)
                }
            }
            i = (i + 1) & mask
        }
        let id = used
        try values.append(bytes)
        if id == hashCapacity { growHashes() }
        self.hashes[id] = h
        slots[i] = Int32(id)
        used = id + 1
        if used * 2 > slotCount { growSlots() }
        return Int32(id)
    }

    private func growHashes() {
        let bigger = UnsafeMutablePointer<UInt64>.allocate(capacity: hashCapacity * 2)
        bigger.update(from: hashes, count: used)
        hashes.deallocate()
        hashes = bigger
        hashCapacity *= 2
    }

    private func growSlots() {
        slots.deallocate()
        slotCount *= 2
        slots = .allocate(capacity: slotCount)
        slots.initialize(repeating: -1, count: slotCount)
        let mask = slotCount - 1
        for k in 0..<used {
            var j = Int(truncatingIfNeeded: hashes[k]) & mask
            while slots[j] >= 0 { j = (j + 1) & mask }
            slots[j] = Int32(k)
        }
    }

    @inline(__always) static func hash(_ bytes: UnsafeRawBufferPointer) -> UInt64 {
        // 8 bytes at a time with multiply-xorshift mixing; the tail byte by byte.
        var h: UInt64 = 0x9E37_79B9_7F4A_7C15 ^ UInt64(bytes.count)
        var i = 0
        let n = bytes.count
        while i + 8 <= n {
            let w = bytes.loadUnaligned(fromByteOffset: i, as: UInt64.self)
            h = (h ^ w) &* 0xBF58_476D_1CE4_E5B9
            h ^= h >> 31
            i += 8
        }
        while i < n {
            h = (h ^ UInt64(bytes[i])) &* 0x94D0_49BB_1331_11EB
            i += 1
        }
        h ^= h >> 29
        return h &* 0xBF58_476D_1CE4_E5B9
    }
}
