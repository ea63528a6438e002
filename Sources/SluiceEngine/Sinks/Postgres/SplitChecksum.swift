/// A 64-bit checksum of the bytes a split sends to its sink, independent of how they were cut
/// into batches: the same rows give the same checksum whatever `batch_rows` is. Used to tell a
/// split loaded before (same bytes) from a changed one; not a cryptographic hash.
///
/// Implementation note: eight bytes at a time, multiply-xorshift mixing (as in wyhash/xxh3's
/// finalizers), which runs at several GB/s; a partial word is carried to the next call.
struct SplitChecksum {
    var state: UInt64 = 0x243F_6A88_85A3_08D3
    var carry: UInt64 = 0
    var carryBytes = 0
    var total = 0

    @inline(__always) static func mix(_ h: UInt64, _ w: UInt64) -> UInt64 {
        var x = (h ^ w) &* 0x9E37_79B9_7F4A_7C15
        x ^= x >> 29
        x = x &* 0xBF58_476D_1CE4_E5B9
        return x ^ (x >> 32)
    }

    mutating func update(_ bytes: UnsafeRawBufferPointer) {
        guard let base = bytes.baseAddress else { return }
        let n = bytes.count
        total += n
        var i = 0
        while carryBytes > 0, carryBytes < 8, i < n {
            carry |= UInt64(base.load(fromByteOffset: i, as: UInt8.self)) << UInt64(carryBytes * 8)
            carryBytes += 1
            i += 1
        }
        if carryBytes == 8 {
            state = Self.mix(state, carry)
            carry = 0
            carryBytes = 0
        }
        var h = state
        while i + 8 <= n {
            h = Self.mix(h, UInt64(littleEndian: base.loadUnaligned(fromByteOffset: i, as: UInt64.self)))
            i += 8
        }
        state = h
        while i < n {
            carry |= UInt64(base.load(fromByteOffset: i, as: UInt8.self)) << UInt64(carryBytes * 8)
            carryBytes += 1
            i += 1
        }
    }

    /// The checksum of everything so far, as 16 hex digits.
    var hex: String {
        var h = state
        if carryBytes > 0 { h = Self.mix(h, carry ^ (UInt64(carryBytes) << 56)) }
        h = Self.mix(h, UInt64(total))
        let s = String(h, radix: 16)
        return String(repeating: "0", count: 16 - s.count) + s
    }
}
