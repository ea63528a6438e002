/// Group ids for fixed-width keys: an open-addressing hash table over rows of `width` 64-bit words,
/// each distinct row numbered densely from 0 in order of arrival.
///
/// Implementation note: keys live back to back in one growable word array (group g's key is
/// `keys[g * width ..< (g + 1) * width]`), slots hold group ids, and each group's hash is kept so
/// that growing never rehashes keys. Probing is linear; the table stays at most half full.
struct GroupTable {
    let width: Int
    private(set) var count = 0
    private(set) var keys: [UInt64] = []
    private var hashes: [UInt64] = []
    private var slots: [Int32]
    private var mask: Int

    init(width: Int, capacity: Int = 1024) {
        precondition(width > 0)
        self.width = width
        var size = 16
        while size < 2 * capacity { size <<= 1 }
        slots = Array(repeating: -1, count: size)
        mask = size - 1
    }

    /// Bytes held, for the memory budget.
    var byteSize: Int { keys.capacity * 8 + hashes.capacity * 8 + slots.count * 4 }

    @inline(__always)
    static func hash(_ key: UnsafePointer<UInt64>, width: Int) -> UInt64 {
        var h: UInt64 = 0x9E37_79B9_7F4A_7C15 &* UInt64(truncatingIfNeeded: width)
        for k in 0..<width {
            h = (h ^ key[k]) &* 0xBF58_476D_1CE4_E5B9
            h ^= h >> 31
        }
        return h ^ (h >> 29)
    }

    /// The id of `key` (`width` words), adding it as a new group if unseen.
    @inline(__always)
    mutating func id(of key: UnsafePointer<UInt64>) -> Int32 {
        id(of: key, hash: Self.hash(key, width: width))
    }

    mutating func id(of key: UnsafePointer<UInt64>, hash h: UInt64) -> Int32 {
        let (found, i) = probe(key, hash: h)
        if let g = found { return g }
        let g = Int32(count)
        slots[i] = g
        keys.append(contentsOf: UnsafeBufferPointer(start: key, count: width))
        hashes.append(h)
        count += 1
        if 2 * count > slots.count { grow() }
        return g
    }

    /// The id of `key` if it is a group already; nil otherwise (nothing is added).
    func existingID(of key: UnsafePointer<UInt64>, hash h: UInt64) -> Int32? { probe(key, hash: h).found }

    /// The group of `key`, or the empty slot where it would go.
    private func probe(_ key: UnsafePointer<UInt64>, hash h: UInt64) -> (found: Int32?, slot: Int) {
        var i = Int(truncatingIfNeeded: h) & mask
        let width = self.width
        let found: Int32? = slots.withUnsafeBufferPointer { slots in
            keys.withUnsafeBufferPointer { keys in
                hashes.withUnsafeBufferPointer { hashes in
                    while true {
                        let g = slots[i]
                        if g < 0 { return nil }
                        if hashes[Int(g)] == h {
                            let base = Int(g) * width
                            var same = true
                            for k in 0..<width where keys[base + k] != key[k] {
                                same = false
                                break
                            }
                            if same { return g }
                        }
                        i = (i + 1) & mask
                    }
                }
            }
        }
        return (found, i)
    }

    /// Group ids of `rows` keys laid out back to back in `words`.
    mutating func ids(_ words: UnsafePointer<UInt64>, rows: Int, into out: UnsafeMutablePointer<Int32>) {
        for r in 0..<rows { out[r] = id(of: words + r * width) }
    }

    /// The key of group `g`.
    func key(_ g: Int) -> ArraySlice<UInt64> { keys[g * width ..< (g + 1) * width] }

    private mutating func grow() {
        let size = slots.count * 2
        slots = Array(repeating: -1, count: size)
        mask = size - 1
        slots.withUnsafeMutableBufferPointer { slots in
            for (g, h) in hashes.enumerated() {
                var i = Int(truncatingIfNeeded: h) & mask
                while slots[i] >= 0 { i = (i + 1) & mask }
                slots[i] = Int32(g)
            }
        }
    }
}
