import SluiceCore

/// Hash aggregation: rows of batches fold into one state per distinct key, and partial
/// aggregators (one per worker) merge into one.
///
/// Keys are encoded to fixed-width words (`GroupKeyEncoder`) and numbered by a `GroupTable`;
/// each aggregate keeps its state in columns indexed by group number (`GroupAccumulator`). The
/// result is one row per group, in order of first appearance: the key columns, then the
/// aggregates. Not thread-safe: one aggregator per task.
public final class HashAggregator {
    public let keys: [Field]
    public let calls: [AggregateCall]
    public let outputSchema: Schema
    private var encoder: GroupKeyEncoder
    private var table: GroupTable
    private let accumulators: [any GroupAccumulator]
    private var words: [UInt64] = []
    private var ids: [Int32] = []

    /// An aggregator grouping by `keys` and computing `calls` over value columns of `valueTypes`
    /// (a call's `input` indexes them).
    public init(keys: [Field], valueTypes: [DataType], calls: [AggregateCall]) throws(SluiceError) {
        guard keys.count <= 64 else { throw .invalidArgument("at most 64 group keys (got \(keys.count))") }
        self.keys = keys
        self.calls = calls
        var fields = keys.map { Field($0.name, $0.type.isStringLike ? .dictionary : $0.type) }
        var accumulators: [any GroupAccumulator] = []
        for call in calls {
            let type = call.input.map { valueTypes[$0] }
            let output: DataType
            switch call.outputType(input: type) {
            case .success(let t): output = t
            case .failure(let e): throw .invalidArgument("aggregate '\(call.name)': \(e)")
            }
            fields.append(Field(call.name, output))
            switch (call.function, type) {
            case (.count, _): accumulators.append(CountAccumulator())
            case (.countDistinct, let t?): accumulators.append(CountDistinctAccumulator(type: t))
            case (.sum, let t?) where t.isInteger: accumulators.append(IntegerSumAccumulator(name: call.name))
            case (.sum, _): accumulators.append(FloatSumAccumulator(average: false))
            case (.avg, _): accumulators.append(FloatSumAccumulator(average: true))
            case (.min, let t?), (.any, let t?):
                accumulators.append(t.isStringLike ? StringMinMaxAccumulator(isMax: false) : MinMaxAccumulator(type: t, isMax: false))
            case (.max, let t?):
                accumulators.append(t.isStringLike ? StringMinMaxAccumulator(isMax: true) : MinMaxAccumulator(type: t, isMax: true))
            case (.countDistinct, nil), (.min, nil), (.max, nil), (.any, nil):
                throw .invalidArgument("aggregate '\(call.name)': \(call.function.rawValue) needs a column")
            }
        }
        self.accumulators = accumulators
        self.outputSchema = Schema(fields)
        encoder = GroupKeyEncoder(types: keys.map(\.type))
        table = GroupTable(width: keys.count + 1)
    }

    /// Distinct keys so far.
    public var groupCount: Int { table.count }

    /// Bytes of state held (keys and aggregates), for the memory budget.
    public var byteSize: Int { table.byteSize + accumulators.reduce(0) { $0 + $1.byteSize } }

    /// Folds in `rows` rows: `keyColumns` in the order of `keys`, `values` as the calls index them.
    public func add(keyColumns: [Column], values: [Column], rows: Int) {
        guard rows > 0 else { return }
        let width = encoder.width
        if words.count < rows * width { words = Array(repeating: 0, count: rows * width) }
        if ids.count < rows { ids = Array(repeating: 0, count: rows) }
        words.withUnsafeMutableBufferPointer { w in
            ids.withUnsafeMutableBufferPointer { g in
                guard let w = w.baseAddress, let g = g.baseAddress else { return }
                encoder.encode(keyColumns, rows: rows, into: w)
                table.ids(w, rows: rows, into: g)
                for (call, accumulator) in zip(calls, accumulators) {
                    accumulator.update(call.input.map { values[$0] }, groups: g, rows: rows, groupCount: table.count)
                }
            }
        }
    }

    /// Like `add`, but rows whose key is not a group yet are left out rather than starting a
    /// group: their row numbers and key hashes come back, for the caller to set aside. This is
    /// how a full aggregator keeps its memory while still absorbing rows of the groups it has.
    public func addExisting(keyColumns: [Column], values: [Column], rows: Int) -> (rows: [Int32], hashes: [UInt64]) {
        guard rows > 0 else { return ([], []) }
        let width = encoder.width
        if words.count < rows * width { words = Array(repeating: 0, count: rows * width) }
        var known: [Int32] = []
        var knownIDs: [Int32] = []
        var left: [Int32] = []
        var hashes: [UInt64] = []
        words.withUnsafeMutableBufferPointer { w in
            guard let w = w.baseAddress else { return }
            encoder.encode(keyColumns, rows: rows, into: w)
            for r in 0..<rows {
                let key = UnsafePointer(w + r * width)
                let h = GroupTable.hash(key, width: width)
                if let g = table.existingID(of: key, hash: h) {
                    known.append(Int32(r))
                    knownIDs.append(g)
                } else {
                    left.append(Int32(r))
                    hashes.append(h)
                }
            }
        }
        if !known.isEmpty {
            let kept = known.count == rows ? values : values.map { $0.take(known) }
            knownIDs.withUnsafeBufferPointer { g in
                guard let g = g.baseAddress else { return }
                for (call, accumulator) in zip(calls, accumulators) {
                    accumulator.update(call.input.map { kept[$0] }, groups: g, rows: known.count, groupCount: table.count)
                }
            }
        }
        return (left, hashes)
    }

    /// Folds in the groups of `other` (same keys and calls), e.g. another worker's partial.
    public func merge(_ other: HashAggregator) {
        let width = encoder.width
        let stringKeys = keys.indices.filter { keys[$0].type.isStringLike }
        var mapping = [Int32](repeating: 0, count: other.table.count)
        var key = [UInt64](repeating: 0, count: width)
        for g in 0..<other.table.count {
            let source = other.table.key(g)
            for k in 0..<width { key[k] = source[source.startIndex + k] }
            for j in stringKeys where key[0] & (1 << UInt64(j)) == 0 {
                let id = Int32(truncatingIfNeeded: key[j + 1])
                key[j + 1] = UInt64(UInt32(bitPattern: encoder.internString(other.encoder.string(id))))
            }
            mapping[g] = key.withUnsafeBufferPointer { table.id(of: $0.baseAddress.unsafelyUnwrapped) }
        }
        mapping.withUnsafeBufferPointer { m in
            guard let m = m.baseAddress else { return }
            for (mine, theirs) in zip(accumulators, other.accumulators) {
                mine.merge(theirs, mapping: m, groupCount: table.count)
            }
        }
    }

    /// One row per group: keys, then aggregates. The aggregator is spent afterwards.
    public func finish() throws(SluiceError) -> RecordBatch {
        let n = table.count
        var columns = encoder.decode(table)
        for a in accumulators { columns.append(try a.finish(groupCount: n)) }
        return RecordBatch(schema: outputSchema, columns: columns, count: n)
    }
}
