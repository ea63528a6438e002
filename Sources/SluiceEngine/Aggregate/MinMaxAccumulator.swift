import SluiceCore

/// `min`, `max` and `any` of numbers, dates, timestamps and booleans, kept widened per group
/// (Int64, or Double for floats, where NaN counts as the largest value, as in DuckDB).
final class MinMaxAccumulator: GroupAccumulator {
    let type: DataType
    let isMax: Bool
    private var integers: [Int64] = []
    private var floats: [Double] = []
    private var seen: [Bool] = []

    init(type: DataType, isMax: Bool) {
        self.type = type
        self.isMax = isMax
    }

    private func grow(_ n: Int) {
        guard seen.count < n else { return }
        if type.isFloatingPoint {
            floats.append(contentsOf: repeatElement(0, count: n - floats.count))
        } else {
            integers.append(contentsOf: repeatElement(0, count: n - integers.count))
        }
        seen.append(contentsOf: repeatElement(false, count: n - seen.count))
    }

    /// Whether `a` should replace `b` (NaN above everything).
    @inline(__always)
    private func better(_ a: Double, _ b: Double) -> Bool {
        if isMax { return a.isNaN ? !b.isNaN : (!b.isNaN && a > b) }
        return b.isNaN ? !a.isNaN : (!a.isNaN && a < b)
    }

    func update(_ column: Column?, groups: UnsafePointer<Int32>, rows: Int, groupCount: Int) {
        guard let column else { return }
        grow(groupCount)
        let isMax = self.isMax
        seen.withUnsafeMutableBufferPointer { seen in
            if type.isFloatingPoint {
                floats.withUnsafeMutableBufferPointer { best in
                    NumericValues.forEachValid(column, rows: rows) { (r: Int, v: Double) in
                        let g = Int(groups[r])
                        if !seen[g] || better(v, best[g]) {
                            best[g] = v
                            seen[g] = true
                        }
                    }
                }
            } else {
                integers.withUnsafeMutableBufferPointer { best in
                    NumericValues.forEachValid(column, rows: rows) { (r: Int, v: Int64) in
                        let g = Int(groups[r])
                        if !seen[g] || (isMax ? v > best[g] : v < best[g]) {
                            best[g] = v
                            seen[g] = true
                        }
                    }
                }
            }
        }
    }

    func merge(_ other: any GroupAccumulator, mapping: UnsafePointer<Int32>, groupCount: Int) {
        guard let o = other as? MinMaxAccumulator else { return }
        grow(groupCount)
        for g in o.seen.indices where o.seen[g] {
            let t = Int(mapping[g])
            if type.isFloatingPoint {
                if !seen[t] || better(o.floats[g], floats[t]) { floats[t] = o.floats[g] }
            } else if !seen[t] || (isMax ? o.integers[g] > integers[t] : o.integers[g] < integers[t]) {
                integers[t] = o.integers[g]
            }
            seen[t] = true
        }
    }

    func finish(groupCount: Int) -> Column {
        grow(groupCount)
        let b = ColumnBuilder(type, capacity: groupCount)
        for g in 0..<groupCount {
            guard seen[g] else {
                b.appendNull()
                continue
            }
            switch type {
            case .float32, .float64: b.append(.double(floats[g]))
            case .bool: b.append(.bool(integers[g] != 0))
            case .date: b.append(.date(Int32(truncatingIfNeeded: integers[g])))
            case .timestamp(let u): b.append(.timestamp(integers[g], u))
            default: b.append(.int(integers[g]))
            }
        }
        return b.finish()
    }

    var byteSize: Int { integers.capacity * 8 + floats.capacity * 8 + seen.capacity }
}

/// `min`, `max` and `any` of strings (byte order), each group holding an id into this
/// accumulator's own interner, so a string is stored once however many groups it wins.
final class StringMinMaxAccumulator: GroupAccumulator {
    let isMax: Bool
    private var strings = StringInterner()
    private var best: [Int32] = []

    init(isMax: Bool) { self.isMax = isMax }

    private func grow(_ n: Int) {
        if best.count < n { best.append(contentsOf: repeatElement(-1, count: n - best.count)) }
    }

    @inline(__always)
    private func wins(_ candidate: UnsafeRawBufferPointer, over current: Int32) -> Bool {
        if current < 0 { return true }
        let c = ColumnStatistics.StatisticsKernel.compare(candidate, strings.bytes(of: current))
        return isMax ? c > 0 : c < 0
    }

    func update(_ column: Column?, groups: UnsafePointer<Int32>, rows: Int, groupCount: Int) {
        guard let column, column.type.isStringLike else { return }
        grow(groupCount)
        for r in 0..<rows where column.isValid(r) {
            let g = Int(groups[r])
            let s = column.stringBytes(at: r)
            if wins(s, over: best[g]) { best[g] = strings.intern(s) }
        }
        withExtendedLifetime(column) {}
    }

    func merge(_ other: any GroupAccumulator, mapping: UnsafePointer<Int32>, groupCount: Int) {
        guard let o = other as? StringMinMaxAccumulator else { return }
        grow(groupCount)
        for g in o.best.indices where o.best[g] >= 0 {
            let t = Int(mapping[g])
            let s = o.strings.bytes(of: o.best[g])
            if wins(s, over: best[t]) { best[t] = strings.intern(s) }
        }
    }

    func finish(groupCount: Int) -> Column {
        grow(groupCount)
        let dictionary = DictionaryValues(strings.finish())
        let indices = PrimitiveBuilder<Int32>(.int32, capacity: groupCount)
        for g in 0..<groupCount {
            if best[g] >= 0 { indices.append(best[g]) } else { indices.appendNull() }
        }
        let c = indices.finish()
        return Column(
            type: .dictionary, count: c.count, nullCount: c.nullCount, validity: c.validity, values: c.values,
            dictionary: dictionary)
    }

    var byteSize: Int { best.capacity * 4 + strings.count * 24 }
}
