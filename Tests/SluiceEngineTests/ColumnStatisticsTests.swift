import Foundation
import Testing
import SluiceCore
@testable import SluiceEngine

@Suite struct ColumnStatisticsTests {
    typealias Entry = ColumnStatistics.Entry

    private func statistics(_ columns: [(String, Column)]) -> ColumnStatistics {
        let schema = Schema(columns.map { Field($0.0, $0.1.type) })
        var s = ColumnStatistics(schema: schema)
        s.add(RecordBatch(schema: schema, columns: columns.map(\.1)))
        return s
    }

    private func entry(_ column: Column) -> Entry? {
        statistics([("c", column)]).entries.first
    }

    @Test func integersWithNulls() {
        let e = entry(Column.make(.int64, [.int(1), .null, .int(3), .int(-5), .null]))
        #expect(e == Entry(name: "c", type: .int64, count: 3, nulls: 2, min: .int(-5), max: .int(3), sum: .int(-1)))
        let e32 = entry(Column.make(.int32, [.int(Int64(Int32.max)), .int(Int64(Int32.max)), .null]))
        #expect(e32?.sum == .int(2 * Int64(Int32.max)))
        #expect(e32?.min == .int(Int64(Int32.max)))
    }

    @Test func slicesStartAtTheirOffset() {
        // 0..<100 with every seventh value null, viewed from 13 for 50 values.
        let full = Column.make(.int32, (0..<100).map { $0 % 7 == 0 ? .null : .int(Int64($0)) })
        let e = entry(full.slice(13, 50))
        let kept = (13..<63).filter { $0 % 7 != 0 }
        #expect(e?.count == kept.count)
        #expect(e?.nulls == 50 - kept.count)
        #expect(e?.min == .int(13))
        #expect(e?.max == .int(62))
        #expect(e?.sum == .int(Int64(kept.reduce(0, +))))
    }

    @Test func stringsCompareByteWise() {
        let column = Column.make(
            .string, [.string("pear"), .null, .string("Apple"), .string("apple"), .string("é"), .string(""), .string("zebra")])
        #expect(entry(column) == Entry(name: "c", type: .string, count: 6, nulls: 1, min: .string(""), max: .string("é"), sum: .null))
        let middle = entry(column.slice(2, 3))
        #expect(middle?.min == .string("Apple"))
        #expect(middle?.max == .string("é"))
        let tail = entry(column.slice(6, 1))
        #expect(tail?.min == .string("zebra"))
        #expect(tail?.max == .string("zebra"))
        let prefix = entry(Column.make(.string, [.string("ab"), .string("a"), .string("abc")]))
        #expect(prefix?.min == .string("a"))
        #expect(prefix?.max == .string("abc"))
    }

    @Test func dictionaryStringsUseOnlyReferencedEntries() {
        let b = DictionaryBuilder()
        for s in ["b", "a", nil, "c", "a", "z"] as [String?] {
            if let s { b.append(s) } else { b.appendNull() }
        }
        let column = b.finish()
        #expect(entry(column) == Entry(name: "c", type: .dictionary, count: 5, nulls: 1, min: .string("a"), max: .string("z"), sum: .null))
        // "b" and "z" are in the dictionary but not in the slice.
        let slice = entry(column.slice(1, 3))
        #expect(slice == Entry(name: "c", type: .dictionary, count: 2, nulls: 1, min: .string("a"), max: .string("c"), sum: .null))
    }

    @Test func datesAndTimestampsKeepTheirType() throws {
        let d1 = try #require(CivilTime.parseDate("2024-03-01"))
        let d2 = try #require(CivilTime.parseDate("1969-12-31"))
        let dates = entry(Column.make(.date, [.date(d1), .null, .date(d2)]))
        #expect(dates == Entry(name: "c", type: .date, count: 2, nulls: 1, min: .date(d2), max: .date(d1), sum: .null))
        let t1 = try #require(CivilTime.parseTimestamp("2024-03-01T00:00:00.096Z", unit: .ms))
        let t2 = try #require(CivilTime.parseTimestamp("2013-11-01T00:00:00+01:00", unit: .ms))
        let stamps = entry(Column.make(.timestamp(.ms), [.timestamp(t1, .ms), .timestamp(t2, .ms), .null, .null]))
        #expect(stamps == Entry(
            name: "c", type: .timestamp(.ms), count: 2, nulls: 2, min: .timestamp(t2, .ms), max: .timestamp(t1, .ms), sum: .null))
        #expect(t2 == 1_383_260_400_000)
    }

    @Test func booleansCountTrues() {
        let values: [Scalar] = (0..<300).map { $0 % 5 == 0 ? .null : .bool($0 % 3 == 0) }
        let column = Column.make(.bool, values)
        for (start, length) in [(0, 300), (5, 200), (64, 128), (1, 63), (70, 1)] {
            let window = values[start..<(start + length)]
            let trues = window.filter { $0 == .bool(true) }.count
            let nulls = window.filter(\.isNull).count
            let e = entry(column.slice(start, length))
            #expect(e?.count == length - nulls)
            #expect(e?.nulls == nulls)
            #expect(e?.sum == (length == nulls ? .null : .int(Int64(trues))))
            if length > nulls {
                #expect(e?.max == .bool(trues > 0))
                #expect(e?.min == .bool(trues == length - nulls))
            }
        }
        let allTrue = entry(Column.make(.bool, [.bool(true), .bool(true)]))
        #expect(allTrue?.min == .bool(true))
    }

    @Test func floatSumsAreCompensated() {
        let e = entry(Column.make(.float64, [.double(1e16), .double(1), .double(-1e16), .null]))
        #expect(e == Entry(name: "c", type: .float64, count: 3, nulls: 1, min: .double(-1e16), max: .double(1e16), sum: .double(1)))
        // 0.1 ten thousand times: compensated summation gives the correctly rounded 1000.
        let tenths = entry(Column.make(.float64, Array(repeating: .double(0.1), count: 10_000)))
        #expect(tenths?.sum == .double(1000))
        let f32 = entry(Column.make(.float32, [.double(1.5), .double(-2.25), .null]))
        #expect(f32 == Entry(name: "c", type: .float32, count: 2, nulls: 1, min: .double(-2.25), max: .double(1.5), sum: .double(-0.75)))
    }

    @Test func nanIsTheLargestValueAndPoisonsTheSum() {
        let e = entry(Column.make(.float64, [.double(1), .double(.nan), .double(-2)]))
        #expect(e?.min == .double(-2))
        #expect(e?.max.doubleValue?.isNaN == true)
        #expect(e?.sum.doubleValue?.isNaN == true)
        let onlyNaN = entry(Column.make(.float64, [.double(.nan)]))
        #expect(onlyNaN?.min.doubleValue?.isNaN == true)
        let infinite = entry(Column.make(.float64, [.double(.infinity), .double(1)]))
        #expect(infinite?.sum == .double(.infinity))
    }

    /// Long enough for the four-lane loop: nulls (stored as 0) must not reach the minimum, and a
    /// NaN in any lane must be counted, kept out of the minimum, and poison the sum and maximum.
    @Test func floatLanesMaskNullsAndCountNaNs() {
        var rng = GeneratorRandom(seed: 7)
        for nanCount in [0, 1, 3] {
            var values: [Scalar] = (0..<1003).map { _ in
                rng.unit() < 0.3 ? .null : .double(Double(1 + rng.below(1 << 20)) * (rng.below(2) == 0 ? 1 : 4096))
            }
            for k in 0..<nanCount { values[100 + 317 * k] = .double(.nan) }
            let valid = values.compactMap(\.doubleValue)
            let ordered = valid.filter { !$0.isNaN }
            let e = entry(Column.make(.float64, values))
            #expect(e?.count == valid.count)
            #expect(e?.nulls == values.count - valid.count)
            #expect(e?.min == .double(ordered.min() ?? 0))
            if nanCount == 0 {
                #expect(e?.max == .double(ordered.max() ?? 0))
                // Integers whose sums stay below 2^53: every partial sum is exact.
                #expect(e?.sum == .double(ordered.reduce(0, +)))
            } else {
                #expect(e?.max.doubleValue?.isNaN == true)
                #expect(e?.sum.doubleValue?.isNaN == true)
            }
        }
    }

    @Test func integerSumsOverflowToDouble() {
        let big = entry(Column.make(.int64, [.int(.max), .int(.max)]))
        #expect(big?.sum == .double(2 * Double(Int64.max)))
        // Exact through the intermediate overflow.
        let back = entry(Column.make(.int64, [.int(.max), .int(1), .int(-2)]))
        #expect(back?.sum == .int(.max - 1))
        let low = entry(Column.make(.int64, [.int(.min), .int(-1)]))
        #expect(low?.sum == .double(Double(Int64.min) - 1))
    }

    @Test func nullAndEmptyColumns() {
        let nulls = entry(Column.make(.int64, [.null, .null]))
        #expect(nulls == Entry(name: "c", type: .int64, count: 0, nulls: 2, min: .null, max: .null, sum: .null))
        let strings = entry(Column.make(.string, [.null]))
        #expect(strings == Entry(name: "c", type: .string, count: 0, nulls: 1, min: .null, max: .null, sum: .null))
        let none = ColumnStatistics(schema: Schema([Field("x", .float64), Field("s", .string)]))
        #expect(none.rows == 0)
        #expect(none.entries.map(\.count) == [0, 0])
        #expect(none.entries.map(\.min) == [.null, .null])
    }

    // MARK: Randomized: kernels against a Scalar-by-Scalar reference, and merge against one pass

    static let schema = Schema([
        Field("b", .bool), Field("i32", .int32), Field("i64", .int64), Field("f32", .float32),
        Field("f64", .float64), Field("s", .string), Field("d", .dictionary), Field("dt", .date),
        Field("ts", .timestamp(.us)),
    ])

    /// Random batches with random nulls (none in some columns), viewed through random slices.
    private func randomBatches(seed: UInt64, count: Int) -> [RecordBatch] {
        var rng = GeneratorRandom(seed: seed)
        return (0..<count).map { _ in
            let n = 1 + rng.below(300)
            let columns = Self.schema.fields.map { field -> Column in
                let nullRate = [0.0, 0.1, 0.9][rng.below(3)]
                let values: [Scalar] = (0..<n).map { _ in
                    if rng.unit() < nullRate { return .null }
                    switch field.type {
                    case .bool: return .bool(rng.below(2) == 1)
                    case .int32: return .int(Int64(rng.below(2_000_001)) - 1_000_000)
                    case .int64: return .int(Int64(bitPattern: rng.next()) >> 8)
                    case .float32, .float64: return .double(Double(rng.below(1 << 20)) / 64 - 8192)
                    case .string, .dictionary:
                        let length = rng.below(6)
                        return .string(String((0..<length).map { _ in Character(Unicode.Scalar(UInt8(97 + rng.below(4)))) }))
                    case .date: return .date(Int32(rng.below(40_000)) - 20_000)
                    case .timestamp(let u): return .timestamp(Int64(rng.below(1 << 40)) - (1 << 39), u)
                    }
                }
                return Column.make(field.type, values)
            }
            let batch = RecordBatch(schema: Self.schema, columns: columns)
            let start = rng.below(n)
            return batch.slice(start, rng.below(n - start + 1))
        }
    }

    /// Statistics computed one boxed value at a time, in the simplest way.
    private func reference(_ batches: [RecordBatch]) -> [Entry] {
        Self.schema.fields.enumerated().map { c, field in
            let all = batches.flatMap { b in (0..<b.count).map { b.columns[c].scalar(at: $0) } }
            let values = all.filter { !$0.isNull }
            var e = Entry(name: field.name, type: field.type, count: values.count, nulls: all.count - values.count,
                          min: .null, max: .null, sum: .null)
            guard !values.isEmpty else { return e }
            func less(_ a: Scalar, _ b: Scalar) -> Bool {
                switch (a, b) {
                case let (.string(x), .string(y)): return Array(x.utf8).lexicographicallyPrecedes(Array(y.utf8))
                case let (.bool(x), .bool(y)): return !x && y
                default: return (a.doubleValue ?? 0) < (b.doubleValue ?? 0)
                }
            }
            e.min = values.min(by: less) ?? .null
            e.max = values.max(by: less) ?? .null
            switch field.type {
            case .int32, .int64:
                let sum = values.reduce(Int128(0)) { $0 + Int128(intOf($1)) }
                e.sum = Int64(exactly: sum).map(Scalar.int) ?? .double(Double(sum))
            case .float32, .float64:
                e.sum = .double(values.reduce(0.0) { $0 + ($1.doubleValue ?? 0) })
            case .bool:
                e.sum = .int(Int64(values.filter { $0 == .bool(true) }.count))
            default: break
            }
            return e
        }
    }

    private func intOf(_ s: Scalar) -> Int64 {
        if case .int(let v) = s { return v }
        return 0
    }

    @Test func randomBatchesMatchTheReference() {
        for seed in 1...8 as ClosedRange<UInt64> {
            let batches = randomBatches(seed: seed, count: 12)
            var s = ColumnStatistics(schema: Self.schema)
            for b in batches { s.add(b) }
            #expect(s.rows == batches.reduce(0) { $0 + $1.count })
            let expected = reference(batches)
            for (got, want) in zip(s.entries, expected) {
                #expect(got == want, "seed \(seed)")
            }
        }
    }

    @Test func mergedPartialsEqualOnePass() {
        let batches = randomBatches(seed: 77, count: 30)
        var single = ColumnStatistics(schema: Self.schema)
        for b in batches { single.add(b) }
        var partials = (0..<3).map { _ in ColumnStatistics(schema: Self.schema) }
        for (i, b) in batches.enumerated() { partials[i % 3].add(b) }
        var merged = ColumnStatistics(schema: Self.schema)
        for p in partials { merged.merge(p) }
        #expect(merged.rows == single.rows)
        #expect(merged.entries == single.entries)
    }

    /// NaNs and infinities among nulls, in the eight-at-a-time path (long, byte-aligned columns).
    @Test func nanAndInfinityAmongNullsInLongColumns() {
        var values: [Scalar] = (0..<1003).map { i in i % 3 == 0 ? .null : .double(Double(i) / 4) }
        values[10] = .double(.nan)
        values[500] = .double(-.infinity)
        var s = ColumnStatistics(schema: Schema([Field("x", .float64)]))
        s.add(RecordBatch(schema: Schema([Field("x", .float64)]), columns: [Column.make(.float64, values)]))
        let e = s.entries[0]
        #expect(e.count == 1003 - 335 && e.nulls == 335)
        #expect(e.min == .double(-.infinity))
        #expect(e.max.doubleValue?.isNaN == true)
        #expect(e.sum.doubleValue?.isNaN == true)
        values[10] = .double(1)
        values[500] = .null
        var t = ColumnStatistics(schema: Schema([Field("x", .float64)]))
        t.add(RecordBatch(schema: Schema([Field("x", .float64)]), columns: [Column.make(.float64, values)]))
        let expected = values.reduce(0.0) { $0 + ($1.doubleValue ?? 0) }
        #expect(t.entries[0].sum == .double(expected))
        #expect(t.entries[0].min == .double(0.25) && t.entries[0].max == .double(1001.0 / 4))
        #expect(t.entries[0].nulls == 336)
    }

    @Test func mergedFloatSumsAgreeOnRealValues() {
        var rng = GeneratorRandom(seed: 5)
        let schema = Schema([Field("x", .float64)])
        let batches = (0..<40).map { _ in
            RecordBatch(schema: schema, columns: [Column.make(.float64, (0..<1000).map { _ in .double(exp(8 * rng.normal())) })])
        }
        var single = ColumnStatistics(schema: schema)
        var partials = [ColumnStatistics(schema: schema), ColumnStatistics(schema: schema)]
        for (i, b) in batches.enumerated() {
            single.add(b)
            partials[i % 2].add(b)
        }
        partials[0].merge(partials[1])
        let a = single.entries[0].sum.doubleValue ?? 0
        let b = partials[0].entries[0].sum.doubleValue ?? 1
        #expect(abs(a - b) <= abs(a) * 1e-15)
        #expect(single.entries[0].min == partials[0].entries[0].min)
    }
}
