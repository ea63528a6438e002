import SluiceCore

/// Turns the key columns of a batch into fixed-width rows of 64-bit words, so grouping compares
/// and hashes integers only: word 0 has bit j set when key j is null, word j + 1 holds key j.
///
/// Strings become ids of one interner shared by all batches; a dictionary-encoded column maps
/// each dictionary entry once (and remembers the dictionary), never each row's string. Floats are
/// canonical (0.0 and -0.0 one group, every NaN one group), as SQL's GROUP BY treats them.
struct GroupKeyEncoder {
    let types: [DataType]
    var width: Int { types.count + 1 }
    private(set) var strings = StringInterner()
    /// Per key column: the last dictionary seen and its entries' string ids. The dictionary is
    /// held, not just its identity: a freed dictionary's address can be reused by the next one.
    private var dictionaryIDs: [(dictionary: DictionaryValues, ids: [Int32], inserted: Bool)?]

    init(types: [DataType]) {
        precondition(types.count <= 64, "at most 64 group keys")
        self.types = types
        dictionaryIDs = Array(repeating: nil, count: types.count)
    }

    /// The word of a string this encoder has never seen: no key holding it matches a stored one.
    static let absentString: UInt64 = UInt64(UInt32.max)

    /// Writes the keys of `rows` rows of `columns` to `words` (`rows * width` words). With
    /// `insert: false` (the probe side of a join) unseen strings are not added but encoded as
    /// `absentString`, so probing never grows the interner.
    mutating func encode(_ columns: [Column], rows: Int, into words: UnsafeMutablePointer<UInt64>, insert: Bool = true) {
        let width = self.width
        for r in 0..<rows { words[r * width] = 0 }
        for (j, column) in columns.enumerated() {
            let nullBit: UInt64 = 1 << UInt64(j)
            @inline(__always) func fill(_ value: (Int) -> UInt64) {
                var p = words + j + 1
                if column.nullCount == 0 {
                    for r in 0..<rows {
                        p.pointee = value(r)
                        p += width
                    }
                } else {
                    for r in 0..<rows {
                        if column.isValid(r) {
                            p.pointee = value(r)
                        } else {
                            p.pointee = 0
                            words[r * width] |= nullBit
                        }
                        p += width
                    }
                }
            }
            switch column.type {
            case .bool: fill { column.bool(at: $0) ? 1 : 0 }
            case .int32, .date: fill { UInt64(bitPattern: Int64(column.value($0, as: Int32.self))) }
            case .int64, .timestamp: fill { UInt64(bitPattern: column.value($0, as: Int64.self)) }
            case .float32: fill { Self.canonical(Double(column.value($0, as: Float.self))) }
            case .float64: fill { Self.canonical(column.value($0, as: Double.self)) }
            case .string:
                if insert {
                    fill { UInt64(UInt32(bitPattern: strings.intern(column.stringBytes(at: $0)))) }
                } else {
                    fill { strings.lookup(column.stringBytes(at: $0)).map { UInt64(UInt32(bitPattern: $0)) } ?? Self.absentString }
                }
            case .dictionary:
                let ids = dictionaryMapping(column, j, insert: insert)
                ids.withUnsafeBufferPointer { ids in
                    fill { UInt64(UInt32(bitPattern: ids[Int(column.value($0, as: Int32.self))])) }
                }
            }
            withExtendedLifetime(column) {}
        }
    }

    /// Like `encode(_:rows:into:insert: false)` but without touching this encoder (dictionary
    /// entries are looked up per call, not cached), so that many threads may probe at once.
    func encodeForLookup(_ columns: [Column], rows: Int, into words: UnsafeMutablePointer<UInt64>) {
        var copy = self
        copy.dictionaryIDs = Array(repeating: nil, count: types.count)
        copy.encode(columns, rows: rows, into: words, insert: false)
    }

    /// The id of a string in this encoder's interner (adding it), for merging another encoder's keys.
    mutating func internString(_ bytes: UnsafeRawBufferPointer) -> Int32 { strings.intern(bytes) }

    /// The bytes behind a string id; valid until the next `internString`, `encode` or `decode`.
    func string(_ id: Int32) -> UnsafeRawBufferPointer { strings.bytes(of: id) }

    @inline(__always)
    static func canonical(_ v: Double) -> UInt64 {
        if v == 0 { return 0 }
        if v.isNaN { return Double.nan.bitPattern }
        return v.bitPattern
    }

    private mutating func dictionaryMapping(_ column: Column, _ j: Int, insert: Bool) -> [Int32] {
        guard let dictionary = column.dictionary else { return [] }
        if let cached = dictionaryIDs[j], cached.dictionary === dictionary, cached.inserted == insert { return cached.ids }
        let values = dictionary.values
        let ids = (0..<values.count).map { k in
            insert ? strings.intern(values.stringBytes(at: k)) : strings.lookup(values.stringBytes(at: k)) ?? Int32(bitPattern: UInt32.max)
        }
        withExtendedLifetime(dictionary) {}
        dictionaryIDs[j] = (dictionary, ids, insert)
        return ids
    }

    /// The key columns of all groups of `table`, in group order. Strings come out dictionary
    /// encoded over the interner's strings (no string is copied per group).
    mutating func decode(_ table: GroupTable) -> [Column] {
        let n = table.count
        let width = self.width
        var dictionary: DictionaryValues? = nil
        if types.contains(where: \.isStringLike) { dictionary = DictionaryValues(strings.finish()) }
        return table.keys.withUnsafeBufferPointer { keys in
            types.enumerated().map { j, type in
                let builder = ColumnBuilder(type.isStringLike ? .int32 : type, capacity: n)
                for g in 0..<n {
                    let base = g * width
                    if keys[base] & (1 << UInt64(j)) != 0 {
                        builder.appendNull()
                        continue
                    }
                    let w = keys[base + j + 1]
                    switch type {
                    case .bool: builder.append(.bool(w != 0))
                    case .int32, .int64: builder.append(.int(Int64(bitPattern: w)))
                    case .date: builder.append(.date(Int32(truncatingIfNeeded: Int64(bitPattern: w))))
                    case .timestamp(let u): builder.append(.timestamp(Int64(bitPattern: w), u))
                    case .float32, .float64: builder.append(.double(Double(bitPattern: w)))
                    case .string, .dictionary: builder.append(.int(Int64(w)))
                    }
                }
                let column = builder.finish()
                guard type.isStringLike, let dictionary else { return column }
                return Column(
                    type: .dictionary, count: column.count, nullCount: column.nullCount, validity: column.validity,
                    values: column.values, dictionary: dictionary)
            }
        }
    }
}
