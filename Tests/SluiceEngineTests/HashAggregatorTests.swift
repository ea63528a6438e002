import SluiceCore
import Testing

@testable import SluiceEngine

@Suite struct HashAggregatorTests {
    static let keys = [Field("ns", .dictionary), Field("day", .date), Field("node", .string)]
    static let valueTypes: [DataType] = [.int64, .float64, .string]
    static let calls = [
        AggregateCall(.count, input: nil, name: "rows"),
        AggregateCall(.count, input: 1, name: "xs"),
        AggregateCall(.sum, input: 0, name: "n"),
        AggregateCall(.sum, input: 1, name: "x"),
        AggregateCall(.avg, input: 1, name: "mean"),
        AggregateCall(.min, input: 1, name: "lo"),
        AggregateCall(.max, input: 1, name: "hi"),
        AggregateCall(.max, input: 2, name: "tag"),
        AggregateCall(.min, input: 2, name: "first_tag"),
        AggregateCall(.countDistinct, input: 2, name: "tags"),
        AggregateCall(.any, input: 0, name: "some_n"),
    ]

    /// A batch of random rows: dictionary keys over a per-batch dictionary (so ids differ between
    /// batches), nullable keys and values, viewed through a random slice.
    static func randomBatch(_ rng: inout GeneratorRandom) -> (keys: [Column], values: [Column], rows: Int) {
        let n = 1 + rng.below(500)
        var cols: [[Scalar]] = Array(repeating: [], count: 6)
        let all = ["a", "b", "c", "d", "éé", ""]
        let turn = rng.below(all.count)
        let namespaces = Array(all[turn...] + all[..<turn])
        for _ in 0..<n {
            cols[0].append(rng.below(10) == 0 ? .null : .string(namespaces[rng.below(4)]))
            cols[1].append(rng.below(20) == 0 ? .null : .date(Int32(19_000 + rng.below(3))))
            cols[2].append(.string(["n1", "n2"][rng.below(2)]))
            cols[3].append(rng.below(5) == 0 ? .null : .int(Int64(rng.below(2_000_001)) - 1_000_000))
            cols[4].append(rng.below(5) == 0 ? .null : .double(Double(rng.below(1 << 20)) / 64 - 8192))
            cols[5].append(rng.below(3) == 0 ? .null : .string(["x", "y", "zz", "w"][rng.below(4)]))
        }
        let types: [DataType] = [.dictionary, .date, .string, .int64, .float64, .string]
        let columns = zip(types, cols).map { Column.make($0, $1) }
        let start = rng.below(n)
        let count = rng.below(n - start + 1)
        let sliced = columns.map { $0.slice(start, count) }
        return (Array(sliced[0..<3]), Array(sliced[3...]), count)
    }

    /// The same statistics one boxed row at a time, with Swift dictionaries.
    static func reference(_ batches: [(keys: [Column], values: [Column], rows: Int)]) -> [[Scalar]: [Scalar]] {
        struct State {
            var rows = 0, xs = 0
            var n: Int64? = nil, x: Double? = nil
            var lo: Double? = nil, hi: Double? = nil
            var tag: String? = nil, firstTag: String? = nil
            var tags: Set<String> = []
            var someN: Int64? = nil
        }
        var states: [[Scalar]: State] = [:]
        for b in batches {
            for r in 0..<b.rows {
                let key = b.keys.map { $0.scalar(at: r) }
                var s = states[key] ?? State()
                s.rows += 1
                if case .int(let v) = b.values[0].scalar(at: r) {
                    s.n = (s.n ?? 0) + v
                    s.someN = Swift.min(s.someN ?? v, v)
                }
                if case .double(let v) = b.values[1].scalar(at: r) {
                    s.xs += 1
                    s.x = (s.x ?? 0) + v
                    s.lo = Swift.min(s.lo ?? v, v)
                    s.hi = Swift.max(s.hi ?? v, v)
                }
                if case .string(let t) = b.values[2].scalar(at: r) {
                    s.tag = s.tag.map { Array($0.utf8).lexicographicallyPrecedes(Array(t.utf8)) ? t : $0 } ?? t
                    s.firstTag = s.firstTag.map { Array(t.utf8).lexicographicallyPrecedes(Array($0.utf8)) ? t : $0 } ?? t
                    s.tags.insert(t)
                }
                states[key] = s
            }
        }
        return states.mapValues { s in
            [
                .int(Int64(s.rows)), .int(Int64(s.xs)), s.n.map(Scalar.int) ?? .null, s.x.map(Scalar.double) ?? .null,
                s.x.map { .double($0 / Double(s.xs)) } ?? .null, s.lo.map(Scalar.double) ?? .null,
                s.hi.map(Scalar.double) ?? .null, s.tag.map(Scalar.string) ?? .null,
                s.firstTag.map(Scalar.string) ?? .null, .int(Int64(s.tags.count)), s.someN.map(Scalar.int) ?? .null,
            ]
        }
    }

    static func rows(_ batch: RecordBatch) -> [[Scalar]: [Scalar]] {
        var out: [[Scalar]: [Scalar]] = [:]
        for r in 0..<batch.count {
            let row = batch.row(r)
            #expect(out[Array(row[0..<3])] == nil, "key repeated in the output")
            out[Array(row[0..<3])] = Array(row[3...])
        }
        return out
    }

    @Test func randomBatchesMatchTheReference() throws {
        for seed in 1...6 as ClosedRange<UInt64> {
            var rng = GeneratorRandom(seed: seed)
            let batches = (0..<10).map { _ in Self.randomBatch(&rng) }
            let agg = try HashAggregator(keys: Self.keys, valueTypes: Self.valueTypes, calls: Self.calls)
            for b in batches { agg.add(keyColumns: b.keys, values: b.values, rows: b.rows) }
            let expected = Self.reference(batches)
            #expect(agg.groupCount == expected.count)
            let got = Self.rows(try agg.finish())
            #expect(got == expected, "seed \(seed)")
        }
    }

    @Test func mergedPartialsEqualOnePass() throws {
        var rng = GeneratorRandom(seed: 42)
        let batches = (0..<24).map { _ in Self.randomBatch(&rng) }
        let partials = try (0..<3).map { _ in try HashAggregator(keys: Self.keys, valueTypes: Self.valueTypes, calls: Self.calls) }
        for (i, b) in batches.enumerated() { partials[i % 3].add(keyColumns: b.keys, values: b.values, rows: b.rows) }
        let merged = try HashAggregator(keys: Self.keys, valueTypes: Self.valueTypes, calls: Self.calls)
        for p in partials { merged.merge(p) }
        #expect(Self.rows(try merged.finish()) == Self.reference(batches))
    }

    @Test func floatKeysGroupZerosAndNaNsTogether() throws {
        let agg = try HashAggregator(
            keys: [Field("x", .float64)], valueTypes: [], calls: [AggregateCall(.count, input: nil, name: "n")])
        let column = Column.make(.float64, [.double(0.0), .double(-0.0), .double(.nan), .double(-.nan), .null, .double(1)])
        agg.add(keyColumns: [column], values: [], rows: 6)
        let out = try agg.finish()
        #expect(out.count == 4)
        #expect(out.columns[1].scalar(at: 0) == .int(2))  // 0.0 and -0.0
        #expect(out.columns[1].scalar(at: 1) == .int(2))  // the NaNs
        #expect(out.columns[0].scalar(at: 2) == .null)
    }

    @Test func integerSumOverflowIsAnError() throws {
        let agg = try HashAggregator(keys: [], valueTypes: [.int64], calls: [AggregateCall(.sum, input: 0, name: "s")])
        agg.add(keyColumns: [], values: [Column.make(.int64, [.int(.max), .int(1)])], rows: 2)
        #expect(throws: SluiceError.self) { try agg.finish() }
    }

    @Test func sumOfStringsIsRefusedAtBind() {
        #expect(throws: SluiceError.self) {
            try HashAggregator(keys: [], valueTypes: [.string], calls: [AggregateCall(.sum, input: 0, name: "s")])
        }
    }

    @Test func noKeysIsOneGroup() throws {
        let agg = try HashAggregator(keys: [], valueTypes: [.float64], calls: [AggregateCall(.sum, input: 0, name: "s")])
        agg.add(keyColumns: [], values: [Column.make(.float64, [.double(0.1), .double(0.2), .null])], rows: 3)
        let out = try agg.finish()
        #expect(out.count == 1 && out.columns[0].scalar(at: 0) == .double(0.1 + 0.2))
    }
}
