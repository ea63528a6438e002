import SluiceCore

/// Per-column statistics over a stream of `RecordBatch`es: non-null count, nulls, minimum,
/// maximum and sum, accumulated batch by batch in typed loops over the column buffers.
///
/// - Integers: min, max, and an exact sum; the sum is `.int` while it fits Int64 and the
///   correctly rounded `.double` beyond (accumulated in Int128, so no order of batches loses
///   precision or traps).
/// - Floats: min, max (NaN counts as the largest value, as in DuckDB), and a compensated
///   (Kahan–Babuška–Neumaier) sum as `.double`.
/// - Dates and timestamps: min and max in their own type; strings (plain and dictionary): byte-wise
///   min and max; booleans: min, max, and the number of `true`s as the sum.
///
/// Statistics from several workers combine with `merge(_:)`.
public struct ColumnStatistics: Sendable {
    /// The statistics of one column. `min`, `max` and `sum` are `Scalar.null` when the column has
    /// no non-null value or the statistic does not apply to its type.
    public struct Entry: Sendable, Equatable {
        public var name: String
        public var type: DataType
        /// Non-null values.
        public var count: Int
        public var nulls: Int
        public var min: Scalar
        public var max: Scalar
        public var sum: Scalar
        /// The exact sum of an integer column whose sum does not fit Int64 (then `sum` holds it
        /// rounded to a Double); nil otherwise.
        public var exactIntegerSum: Int128? = nil

        /// The sum as text: exact digits for integers, shortest round-trip for floats.
        public var sumText: String {
            if let exact = exactIntegerSum { return String(exact) }
            return sum.isNull ? "" : sum.description
        }
    }

    public let schema: Schema
    /// Rows added so far.
    public private(set) var rows: Int = 0
    private var accumulators: [Accumulator]

    /// Empty statistics for batches of `schema`.
    public init(schema: Schema) {
        self.schema = schema
        self.accumulators = schema.fields.map { Accumulator(type: $0.type) }
    }

    /// Adds the rows of `batch`, whose columns must have this schema's types in this order.
    public mutating func add(_ batch: RecordBatch) {
        precondition(
            batch.columns.count == accumulators.count,
            "batch has \(batch.columns.count) columns, statistics were made for \(accumulators.count)")
        for (i, column) in batch.columns.enumerated() {
            precondition(
                column.type == accumulators[i].type,
                "column \(schema[i].name) is \(column.type), statistics were made for \(accumulators[i].type)")
            accumulators[i].add(column)
        }
        rows += batch.count
    }

    /// Adds the statistics of `other` (a partial over other batches of the same schema).
    public mutating func merge(_ other: ColumnStatistics) {
        precondition(
            other.accumulators.map(\.type) == accumulators.map(\.type),
            "merging statistics of different schemas")
        for i in accumulators.indices { accumulators[i].merge(other.accumulators[i]) }
        rows += other.rows
    }

    /// One entry per column, in schema order.
    public var entries: [Entry] {
        zip(schema.fields, accumulators).map { field, accumulator in accumulator.entry(name: field.name) }
    }
}

extension ColumnStatistics {
    /// The running state of one column. Every kind keeps only the fields it needs meaningful;
    /// the others stay at their neutral values.
    struct Accumulator: Sendable {
        let type: DataType
        var count = 0
        var nulls = 0
        /// Ints, dates and timestamps, widened.
        var integerMin = Int64.max
        var integerMax = Int64.min
        var integerSum: Int128 = 0
        /// Floats, NaN excluded from min and max and counted instead.
        var floatMin = Double.infinity
        var floatMax = -Double.infinity
        var nans = 0
        var floatSum = CompensatedSum()
        var trues = 0
        var stringMin: [UInt8]? = nil
        var stringMax: [UInt8]? = nil

        init(type: DataType) { self.type = type }

        mutating func add(_ column: Column) {
            nulls += column.nullCount
            let valid = column.count - column.nullCount
            guard valid > 0 else { return }
            count += valid
            switch type {
            case .int32, .date:
                let r = StatisticsKernel.integers(column, Int32.self)
                addIntegers(Int64(r.min), Int64(r.max), r.sum)
            case .int64, .timestamp:
                let r = StatisticsKernel.integers(column, Int64.self)
                addIntegers(r.min, r.max, r.sum)
            case .float32:
                let r = StatisticsKernel.floats(column, Float.self)
                addFloats(r.min, r.max, r.nans, r.sum)
            case .float64:
                let r = StatisticsKernel.floats(column, Double.self)
                addFloats(r.min, r.max, r.nans, r.sum)
            case .bool:
                trues += StatisticsKernel.countTrue(column)
            case .string:
                if let r = StatisticsKernel.stringExtremes(column) {
                    addStrings(column.stringBytes(at: r.min), column.stringBytes(at: r.max))
                }
                withExtendedLifetime(column) {}
            case .dictionary:
                if let dictionary = column.dictionary, let r = StatisticsKernel.dictionaryExtremes(column) {
                    addStrings(dictionary.values.stringBytes(at: r.min), dictionary.values.stringBytes(at: r.max))
                }
                withExtendedLifetime(column) {}
            }
        }

        private mutating func addIntegers(_ min: Int64, _ max: Int64, _ sum: Int128) {
            integerMin = Swift.min(integerMin, min)
            integerMax = Swift.max(integerMax, max)
            integerSum &+= sum
        }

        private mutating func addFloats(_ min: Double, _ max: Double, _ nanCount: Int, _ sum: CompensatedSum) {
            floatMin = Swift.min(floatMin, min)
            floatMax = Swift.max(floatMax, max)
            nans += nanCount
            floatSum.add(sum)
        }

        private mutating func addStrings(_ min: UnsafeRawBufferPointer, _ max: UnsafeRawBufferPointer) {
            let lower = stringMin.map { current in current.withUnsafeBytes { StatisticsKernel.compare(min, $0) < 0 } }
            if lower ?? true { stringMin = Array(min) }
            let higher = stringMax.map { current in current.withUnsafeBytes { StatisticsKernel.compare(max, $0) > 0 } }
            if higher ?? true { stringMax = Array(max) }
        }

        mutating func merge(_ other: Accumulator) {
            count += other.count
            nulls += other.nulls
            integerMin = Swift.min(integerMin, other.integerMin)
            integerMax = Swift.max(integerMax, other.integerMax)
            integerSum &+= other.integerSum
            floatMin = Swift.min(floatMin, other.floatMin)
            floatMax = Swift.max(floatMax, other.floatMax)
            nans += other.nans
            floatSum.add(other.floatSum)
            trues += other.trues
            if let m = other.stringMin, let n = other.stringMax {
                m.withUnsafeBytes { lo in n.withUnsafeBytes { hi in addStrings(lo, hi) } }
            }
        }

        func entry(name: String) -> Entry {
            var e = Entry(name: name, type: type, count: count, nulls: nulls, min: .null, max: .null, sum: .null)
            guard count > 0 else { return e }
            switch type {
            case .int32, .int64:
                e.min = .int(integerMin)
                e.max = .int(integerMax)
                e.sum = Int64(exactly: integerSum).map(Scalar.int) ?? .double(Double(integerSum))
                if Int64(exactly: integerSum) == nil { e.exactIntegerSum = integerSum }
            case .date:
                e.min = .date(Int32(truncatingIfNeeded: integerMin))
                e.max = .date(Int32(truncatingIfNeeded: integerMax))
            case .timestamp(let unit):
                e.min = .timestamp(integerMin, unit)
                e.max = .timestamp(integerMax, unit)
            case .float32, .float64:
                e.min = .double(nans == count ? .nan : floatMin)
                e.max = .double(nans > 0 ? .nan : floatMax)
                e.sum = .double(floatSum.value)
            case .bool:
                e.min = .bool(trues == count)
                e.max = .bool(trues > 0)
                e.sum = .int(Int64(trues))
            case .string, .dictionary:
                e.min = stringMin.map { .string(String(decoding: $0, as: UTF8.self)) } ?? .null
                e.max = stringMax.map { .string(String(decoding: $0, as: UTF8.self)) } ?? .null
            }
            return e
        }
    }

    /// A Kahan–Babuška–Neumaier running sum: the rounding error of each addition is kept in
    /// `compensation`, so long sums of mixed magnitudes come out as a higher-precision
    /// accumulator (DuckDB's) would give them, independent of batch boundaries in all but the
    /// last bit.
    struct CompensatedSum: Sendable, Equatable {
        var sum = 0.0
        var compensation = 0.0

        @inline(__always) mutating func add(_ x: Double) {
            let t = sum + x
            if Swift.abs(sum) >= Swift.abs(x) {
                compensation += (sum - t) + x
            } else {
                compensation += (x - t) + sum
            }
            sum = t
        }

        mutating func add(_ other: CompensatedSum) {
            add(other.sum)
            // An infinite or NaN partial has a meaningless compensation (see `value`).
            if other.sum.isFinite { add(other.compensation) }
        }

        /// Once the sum is infinite or NaN the compensation is meaningless (inf - inf), so the
        /// plain sum is the answer.
        var value: Double { sum.isFinite ? sum + compensation : sum }
    }
}
