import SluiceCore

/// The running state of one aggregate for every group, as columns indexed by group id.
///
/// Called once per batch with the rows' group ids (never per value through the protocol); the
/// loops inside are typed. `merge` folds in the state of another accumulator of the same call
/// (a worker's partial), `mapping[g]` being the id here of the other's group g.
protocol GroupAccumulator: AnyObject {
    func update(_ column: Column?, groups: UnsafePointer<Int32>, rows: Int, groupCount: Int)
    func merge(_ other: any GroupAccumulator, mapping: UnsafePointer<Int32>, groupCount: Int)
    func finish(groupCount: Int) throws(SluiceError) -> Column
    /// Bytes held, for the memory budget.
    var byteSize: Int { get }
}

/// Values of a numeric column widened to Int64 or Double, one typed loop per column type.
enum NumericValues {
    @inline(__always)
    static func forEachValid(_ column: Column, rows: Int, _ body: (Int, Int64) -> Void) {
        switch column.type {
        case .int32, .date: visit(column, rows, Int32.self) { body($0, Int64($1)) }
        case .int64, .timestamp: visit(column, rows, Int64.self, body)
        case .bool: for r in 0..<rows where column.isValid(r) { body(r, column.bool(at: r) ? 1 : 0) }
        default: break
        }
    }

    @inline(__always)
    static func forEachValid(_ column: Column, rows: Int, _ body: (Int, Double) -> Void) {
        switch column.type {
        case .int32, .date: visit(column, rows, Int32.self) { body($0, Double($1)) }
        case .int64, .timestamp: visit(column, rows, Int64.self) { body($0, Double($1)) }
        case .float32: visit(column, rows, Float.self) { body($0, Double($1)) }
        case .float64: visit(column, rows, Double.self, body)
        default: break
        }
    }

    @inline(__always)
    private static func visit<T: BitwiseCopyable>(_ column: Column, _ rows: Int, _: T.Type, _ body: (Int, T) -> Void) {
        column.withValues(as: T.self) { values in
            if column.nullCount == 0 {
                for r in 0..<rows { body(r, values[r]) }
            } else {
                for r in 0..<rows where column.isValid(r) { body(r, values[r]) }
            }
        }
    }
}

/// `count(*)` (every row) or `count(x)` (non-null rows).
final class CountAccumulator: GroupAccumulator {
    private var counts: [Int64] = []

    func update(_ column: Column?, groups: UnsafePointer<Int32>, rows: Int, groupCount: Int) {
        if counts.count < groupCount { counts.append(contentsOf: repeatElement(0, count: groupCount - counts.count)) }
        counts.withUnsafeMutableBufferPointer { counts in
            if let column, column.nullCount > 0 {
                for r in 0..<rows where column.isValid(r) { counts[Int(groups[r])] += 1 }
            } else {
                for r in 0..<rows { counts[Int(groups[r])] += 1 }
            }
        }
    }

    func merge(_ other: any GroupAccumulator, mapping: UnsafePointer<Int32>, groupCount: Int) {
        guard let o = other as? CountAccumulator else { return }
        if counts.count < groupCount { counts.append(contentsOf: repeatElement(0, count: groupCount - counts.count)) }
        for (g, c) in o.counts.enumerated() { counts[Int(mapping[g])] += c }
    }

    func finish(groupCount: Int) -> Column {
        GroupColumns.int64(groupCount) { $0 < counts.count ? counts[$0] : 0 }
    }

    var byteSize: Int { counts.capacity * 8 }
}

/// Exact sums of integers; a group with no non-null value sums to null, and a sum past Int64 is
/// an error rather than a wrapped number.
final class IntegerSumAccumulator: GroupAccumulator {
    private var sums: [Int64] = []
    private var seen: [Bool] = []
    private var overflow = false
    let name: String

    init(name: String) { self.name = name }

    private func grow(_ n: Int) {
        guard sums.count < n else { return }
        sums.append(contentsOf: repeatElement(0, count: n - sums.count))
        seen.append(contentsOf: repeatElement(false, count: n - seen.count))
    }

    func update(_ column: Column?, groups: UnsafePointer<Int32>, rows: Int, groupCount: Int) {
        guard let column else { return }
        grow(groupCount)
        var overflowed = false
        sums.withUnsafeMutableBufferPointer { sums in
            seen.withUnsafeMutableBufferPointer { seen in
                NumericValues.forEachValid(column, rows: rows) { (r: Int, v: Int64) in
                    let g = Int(groups[r])
                    let (s, o) = sums[g].addingReportingOverflow(v)
                    sums[g] = s
                    overflowed = overflowed || o
                    seen[g] = true
                }
            }
        }
        overflow = overflow || overflowed
    }

    func merge(_ other: any GroupAccumulator, mapping: UnsafePointer<Int32>, groupCount: Int) {
        guard let o = other as? IntegerSumAccumulator else { return }
        grow(groupCount)
        for g in o.sums.indices where o.seen[g] {
            let t = Int(mapping[g])
            let (s, of) = sums[t].addingReportingOverflow(o.sums[g])
            sums[t] = s
            overflow = overflow || of
            seen[t] = true
        }
        overflow = overflow || o.overflow
    }

    func finish(groupCount: Int) throws(SluiceError) -> Column {
        if overflow { throw .invalidArgument("sum '\(name)' does not fit a 64-bit integer; cast the input to float64 first") }
        grow(groupCount)
        return GroupColumns.int64(groupCount) { seen[$0] ? sums[$0] : nil }
    }

    var byteSize: Int { sums.capacity * 9 }
}

/// Compensated (Neumaier) sums of floats, and averages (sum over count) of any number.
final class FloatSumAccumulator: GroupAccumulator {
    private var sums: [Double] = []
    private var compensations: [Double] = []
    private var counts: [Int64] = []
    let average: Bool

    init(average: Bool) { self.average = average }

    private func grow(_ n: Int) {
        guard sums.count < n else { return }
        sums.append(contentsOf: repeatElement(0, count: n - sums.count))
        compensations.append(contentsOf: repeatElement(0, count: n - compensations.count))
        counts.append(contentsOf: repeatElement(0, count: n - counts.count))
    }

    @inline(__always)
    private static func add(_ x: Double, _ sum: inout Double, _ c: inout Double) {
        let t = sum + x
        if Swift.abs(sum) >= Swift.abs(x) { c += (sum - t) + x } else { c += (x - t) + sum }
        sum = t
    }

    func update(_ column: Column?, groups: UnsafePointer<Int32>, rows: Int, groupCount: Int) {
        guard let column else { return }
        grow(groupCount)
        sums.withUnsafeMutableBufferPointer { sums in
            compensations.withUnsafeMutableBufferPointer { cs in
                counts.withUnsafeMutableBufferPointer { counts in
                    NumericValues.forEachValid(column, rows: rows) { (r: Int, v: Double) in
                        let g = Int(groups[r])
                        Self.add(v, &sums[g], &cs[g])
                        counts[g] += 1
                    }
                }
            }
        }
    }

    func merge(_ other: any GroupAccumulator, mapping: UnsafePointer<Int32>, groupCount: Int) {
        guard let o = other as? FloatSumAccumulator else { return }
        grow(groupCount)
        for g in o.sums.indices where o.counts[g] > 0 {
            let t = Int(mapping[g])
            Self.add(o.sums[g], &sums[t], &compensations[t])
            if o.sums[g].isFinite { Self.add(o.compensations[g], &sums[t], &compensations[t]) }
            counts[t] += o.counts[g]
        }
    }

    func finish(groupCount: Int) -> Column {
        grow(groupCount)
        return GroupColumns.float64(groupCount) { g in
            guard counts[g] > 0 else { return nil }
            let total = sums[g].isFinite ? sums[g] + compensations[g] : sums[g]
            return average ? total / Double(counts[g]) : total
        }
    }

    var byteSize: Int { sums.capacity * 24 }
}

/// Output columns of per-group results, built without boxing each value.
enum GroupColumns {
    static func int64(_ n: Int, _ value: (Int) -> Int64?) -> Column {
        let b = PrimitiveBuilder<Int64>(.int64, capacity: n)
        for g in 0..<n {
            if let v = value(g) { b.append(v) } else { b.appendNull() }
        }
        return b.finish()
    }

    static func float64(_ n: Int, _ value: (Int) -> Double?) -> Column {
        let b = PrimitiveBuilder<Double>(.float64, capacity: n)
        for g in 0..<n {
            if let v = value(g) { b.append(v) } else { b.appendNull() }
        }
        return b.finish()
    }
}
