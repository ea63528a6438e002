import SluiceCore

/// `count_distinct(x)`: the distinct (group, value) pairs in a table of their own, and a count per
/// group bumped when a pair is new. Nulls are not counted, as in SQL.
final class CountDistinctAccumulator: GroupAccumulator {
    private var pairs = GroupTable(width: 2)
    private var counts: [Int64] = []
    private var encoder: GroupKeyEncoder
    private var scratch: [UInt64] = []

    init(type: DataType) { encoder = GroupKeyEncoder(types: [type]) }

    private func grow(_ n: Int) {
        if counts.count < n { counts.append(contentsOf: repeatElement(0, count: n - counts.count)) }
    }

    func update(_ column: Column?, groups: UnsafePointer<Int32>, rows: Int, groupCount: Int) {
        guard let column else { return }
        grow(groupCount)
        // The encoder writes (null flag, value) per row; the flag's slot then takes the group.
        if scratch.count < 2 * rows { scratch = Array(repeating: 0, count: 2 * rows) }
        scratch.withUnsafeMutableBufferPointer { words in
            guard let w = words.baseAddress else { return }
            encoder.encode([column], rows: rows, into: w)
            for r in 0..<rows where w[2 * r] == 0 {
                w[2 * r] = UInt64(UInt32(bitPattern: groups[r]))
                let before = pairs.count
                _ = pairs.id(of: w + 2 * r)
                if pairs.count > before { counts[Int(groups[r])] += 1 }
            }
        }
    }

    func merge(_ other: any GroupAccumulator, mapping: UnsafePointer<Int32>, groupCount: Int) {
        guard let o = other as? CountDistinctAccumulator else { return }
        grow(groupCount)
        let stringIDs = o.encoder.types[0].isStringLike
        var pair: [UInt64] = [0, 0]
        for p in 0..<o.pairs.count {
            let key = o.pairs.key(p)
            let g = Int(mapping[Int(key[key.startIndex])])
            pair[0] = UInt64(g)
            pair[1] = key[key.startIndex + 1]
            if stringIDs {
                // The other's string ids are its own; carry the bytes over.
                pair[1] = UInt64(UInt32(bitPattern: encoder.internString(o.encoder.string(Int32(truncatingIfNeeded: pair[1])))))
            }
            let before = pairs.count
            pair.withUnsafeBufferPointer { _ = pairs.id(of: $0.baseAddress.unsafelyUnwrapped) }
            if pairs.count > before { counts[g] += 1 }
        }
    }

    func finish(groupCount: Int) -> Column {
        GroupColumns.int64(groupCount) { $0 < counts.count ? counts[$0] : 0 }
    }

    var byteSize: Int { pairs.byteSize + counts.capacity * 8 }
}
