import SluiceCore

/// The build side of a hash join: a lookup table's rows, indexed by their key.
///
/// Keys go through the same word encoding as grouping (`GroupKeyEncoder`), so strings and
/// dictionary entries are compared as interned ids; the probe side only looks strings up, so
/// probing never grows the table. Rows with the same key are chained (`first` per key, `next`
/// per row) in build order. A null in any key column matches nothing, as in SQL.
///
/// Built once, then read-only: probing is safe from many workers at once.
public final class HashJoinTable: @unchecked Sendable {
    /// All build rows, concatenated.
    public let rows: RecordBatch
    public let keyNames: [String]
    public let keyTypes: [DataType]
    private let encoder: GroupKeyEncoder
    private let table: GroupTable
    private let first: [Int32]
    private let next: [Int32]

    /// Indexes `batches` (of `schema`) by the columns named `keys`.
    public init(batches: [RecordBatch], schema: Schema, keys: [String]) throws(SluiceError) {
        var keyIndices: [Int] = []
        for k in keys {
            guard let i = schema.index(of: k) else {
                throw .invalidArgument("join key '\(k)' is not a column of the lookup table (columns: \(schema.names.joined(separator: ", ")))")
            }
            keyIndices.append(i)
        }
        let columns = schema.fields.indices.map { j in Column.concatenate(batches.map { $0.columns[j] }, type: schema[j].type) }
        rows = RecordBatch(schema: schema, columns: columns, count: batches.reduce(0) { $0 + $1.count })
        keyNames = keys
        keyTypes = keyIndices.map { schema[$0].type }
        var encoder = GroupKeyEncoder(types: keyTypes)
        var table = GroupTable(width: keys.count + 1, capacity: Swift.max(16, rows.count))
        var next = [Int32](repeating: -1, count: rows.count)
        var first: [Int32] = []
        var last: [Int32] = []
        let n = rows.count
        let width = encoder.width
        var words = [UInt64](repeating: 0, count: Swift.max(1, n * width))
        words.withUnsafeMutableBufferPointer { w in
            guard let w = w.baseAddress else { return }
            encoder.encode(keyIndices.map { columns[$0] }, rows: n, into: w)
            for r in 0..<n where w[r * width] == 0 {
                let g = Int(table.id(of: w + r * width))
                if g == first.count {
                    first.append(Int32(r))
                    last.append(Int32(r))
                } else {
                    next[Int(last[g])] = Int32(r)
                    last[g] = Int32(r)
                }
            }
        }
        self.encoder = encoder
        self.table = table
        self.first = first
        self.next = next
    }

    /// Distinct non-null keys.
    public var keyCount: Int { table.count }

    /// The pairs (probe row, build row) of matching rows, probe rows in order, each one's matches
    /// in build order. With `keepUnmatched` (a left join), a probe row without a match appears
    /// once with build row -1.
    public func match(_ probeKeys: [Column], rows n: Int, keepUnmatched: Bool) -> (probe: [Int32], build: [Int32]) {
        let width = encoder.width
        var words = [UInt64](repeating: 0, count: Swift.max(1, n * width))
        var probe: [Int32] = []
        var build: [Int32] = []
        probe.reserveCapacity(n)
        build.reserveCapacity(n)
        words.withUnsafeMutableBufferPointer { w in
            guard let w = w.baseAddress else { return }
            encoder.encodeForLookup(probeKeys, rows: n, into: w)
            for r in 0..<n {
                let key = UnsafePointer(w + r * width)
                var row: Int32 = -1
                if key[0] == 0, let g = table.existingID(of: key, hash: GroupTable.hash(key, width: width)) {
                    row = first[Int(g)]
                }
                if row < 0 {
                    if keepUnmatched {
                        probe.append(Int32(r))
                        build.append(-1)
                    }
                    continue
                }
                while row >= 0 {
                    probe.append(Int32(r))
                    build.append(row)
                    row = next[Int(row)]
                }
            }
        }
        return (probe, build)
    }

    /// Build column `j` at `indices`, -1 giving null.
    public func column(_ j: Int, at indices: [Int32]) -> Column {
        let type = rows.schema[j].type
        guard rows.count > 0 else { return Column.make(type, Array(repeating: .null, count: indices.count)) }
        guard indices.contains(-1) else { return rows.columns[j].take(indices) }
        let taken = rows.columns[j].take(indices.map { Swift.max($0, 0) })
        let valid = indices.map { $0 >= 0 }
        return valid.withUnsafeBufferPointer { taken.masked($0) }
    }
}
