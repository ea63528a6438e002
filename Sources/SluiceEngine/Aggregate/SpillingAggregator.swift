#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import SluiceCore

/// Hash aggregation in bounded memory, for any number of groups.
///
/// Rows fold into an in-memory `HashAggregator` until its state passes the budget. From then on
/// the groups it has keep absorbing their rows, and rows of new keys are set aside, by a hash of
/// their key, into 16 spill files. Each key therefore lives in exactly one place: in memory from
/// its first row, or in one spill file with all its rows. `finish` emits the in-memory groups,
/// then aggregates each spill file the same way, one at a time, with other hash bits (so a file
/// that is still too big splits again; after eight levels the budget is exceeded rather than
/// failing).
public final class SpillingAggregator {
    public let outputSchema: Schema
    private let keys: [Field]
    private let valueTypes: [DataType]
    private let calls: [AggregateCall]
    private let budget: Int
    private let directory: String
    private let level: Int
    private var memory: HashAggregator
    private var partitions: [BatchSpillFile]? = nil
    /// Rows written to spill files at this level and below.
    public private(set) var spilledRows = 0

    static let fanOut = 16
    static let maxLevel = 8

    /// An aggregator holding at most about `memoryBudget` bytes of group state, spilling into
    /// `spillDirectory`.
    public convenience init(
        keys: [Field], valueTypes: [DataType], calls: [AggregateCall], memoryBudget: Int, spillDirectory: String
    ) throws(SluiceError) {
        try self.init(keys: keys, valueTypes: valueTypes, calls: calls, budget: memoryBudget, directory: spillDirectory, level: 0)
    }

    private init(
        keys: [Field], valueTypes: [DataType], calls: [AggregateCall], budget: Int, directory: String, level: Int
    ) throws(SluiceError) {
        self.keys = keys
        self.valueTypes = valueTypes
        self.calls = calls
        self.budget = budget
        self.directory = directory
        self.level = level
        memory = try HashAggregator(keys: keys, valueTypes: valueTypes, calls: calls)
        outputSchema = memory.outputSchema
    }

    /// Groups held in memory (spilled groups are not counted until `finish`).
    public var groupsInMemory: Int { memory.groupCount }

    public func add(keyColumns: [Column], values: [Column], rows: Int) throws(SluiceError) {
        guard let partitions else {
            memory.add(keyColumns: keyColumns, values: values, rows: rows)
            if memory.byteSize > budget && level < Self.maxLevel { try startSpilling() }
            return
        }
        let (left, hashes) = memory.addExisting(keyColumns: keyColumns, values: values, rows: rows)
        guard !left.isEmpty else { return }
        var byPartition = [[Int32]](repeating: [], count: Self.fanOut)
        let shift = UInt64(60 - 4 * level)
        for (r, h) in zip(left, hashes) { byPartition[Int((h >> shift) & 15)].append(r) }
        for (p, rowsOfP) in byPartition.enumerated() where !rowsOfP.isEmpty {
            try partitions[p].append((keyColumns + values).map { $0.take(rowsOfP) }, rows: rowsOfP.count)
        }
        spilledRows += left.count
    }

    private func startSpilling() throws(SluiceError) {
        let fields = keys.enumerated().map { Field("k\($0)", $1.type) } + valueTypes.enumerated().map { Field("v\($0)", $1) }
        let schema = Schema(fields)
        let stamp = "\(getpid())-\(UInt64.random(in: 0...UInt64.max))"
        var files: [BatchSpillFile] = []
        for p in 0..<Self.fanOut {
            let path = FileIO.join(directory, "sluice-aggregate-\(stamp)-\(level)-\(p).spill")
            files.append(try BatchSpillFile(path: path, schema: schema, flushThreshold: Swift.max(64 << 10, Swift.min(4 << 20, budget / 64))))
        }
        partitions = files
    }

    /// Emits every group once: those in memory, then each spill file's, in batches.
    public func finish(_ emit: (RecordBatch) throws(SluiceError) -> Void) throws(SluiceError) {
        try emit(try memory.finish())
        guard let files = partitions else { return }
        partitions = nil
        let k = keys.count
        for file in files where file.rows > 0 {
            let next = try SpillingAggregator(
                keys: keys, valueTypes: valueTypes, calls: calls, budget: budget, directory: directory, level: level + 1)
            try file.forEachBatch { (columns: [Column], n: Int) throws(SluiceError) in
                try next.add(keyColumns: Array(columns[..<k]), values: Array(columns[k...]), rows: n)
            }
            try next.finish(emit)
            spilledRows += next.spilledRows
        }
    }
}
