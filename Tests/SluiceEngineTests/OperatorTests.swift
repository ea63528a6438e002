import SluiceCore
import Testing

@testable import SluiceEngine

@Suite("Operators on in-memory batches")
struct OperatorTests {
    let loc = ConfigLocation(file: "p.yml", line: 3, column: 5, key: "transforms[0]")

    var batch: RecordBatch {
        var b = RecordBatch(
            schema: Schema([Field("id", .string), Field("n", .int64), Field("kind", .dictionary), Field("raw", .string)]),
            columns: [
                Column.make(.string, [.string("8c1e3a55-0d4f-4a51-9b57-8d0f9d7e2a10"), .string("nope"), .null, .string("11111111-2222-3333-4444-555555555555")]),
                Column.make(.int64, [.int(5), .int(-1), .int(7), .null]),
                Column.make(.dictionary, [.string("view"), .string("view"), .string("click"), .string("purchase")]),
                Column.make(.string, [.string("1.5"), .string("x"), .string("2"), .null]),
            ])
        b.origin = RowOrigin(source: "in.csv", lines: Column.make(.int64, [.int(2), .int(3), .int(5), .int(6)]))
        return b
    }

    func validate(_ rules: [(String, [ValidationRule])], policy: InvalidRowPolicy = .deadLetter) throws -> (RecordBatch, [RejectedRow]) {
        var cfg = ValidateConfig(location: loc)
        cfg.onInvalid = policy
        cfg.rules = rules.map { ($0.0, $0.1, loc) }
        let op = try ValidateOperator(cfg, input: batch.schema)
        var rejects: [RejectedRow] = []
        let out = try op.process(batch, rejects: &rejects)
        return (out, rejects)
    }

    @Test func validateReportsFirstFailingRulePerRow() throws {
        let (out, rejects) = try validate([
            ("id", [.required, .uuid]),
            ("n", [.min(0)]),
            ("kind", [.oneOf(["view", "purchase"])]),
        ])
        // row 0 passes; row 1 bad uuid (and negative n, reported once); row 2 missing id; row 3 passes (null n passes min)
        #expect(out.count == 2)
        #expect(out.column(named: "id")?.string(at: 1) == "11111111-2222-3333-4444-555555555555")
        #expect(rejects.map(\.line) == [3, 5])
        #expect(rejects.map(\.rule) == ["uuid", "required"])
        #expect(rejects[0].reason == "'nope' is not a UUID" && rejects[0].file == "in.csv" && rejects[0].column == "id")
        #expect(rejects[0].values.first { $0.0 == "n" }?.1 == "-1")
        #expect(rejects[1].values.first { $0.0 == "id" }?.1 == nil)
    }

    @Test func validateEnumPatternTypeAndPolicies() throws {
        let (out, rejects) = try validate([("kind", [.oneOf(["view", "purchase"])]), ("raw", [.type(.float64)])])
        #expect(out.count == 2 && rejects.map(\.line) == [3, 5])
        #expect(rejects[0].rule == "type" && rejects[0].reason == "'x' is not a valid float64")
        #expect(rejects[1].reason == "'click' is not one of: view, purchase")
        let (_, dropped) = try validate([("kind", [.pattern("^v")])], policy: .drop)
        #expect(dropped.count == 2 && dropped.allSatisfy { !$0.deadLetter })
        #expect(throws: SluiceError.self) { try validate([("n", [.max(5)])], policy: .fail) }
        #expect(throws: SluiceError.self) { try validate([("n", [.pattern("x")])]) }  // pattern on a number column
        #expect(throws: SluiceError.self) { try validate([("nn", [.required])]) }
    }

    @Test func selectDeriveFilterCast() throws {
        let ops = try OperatorChain.bind(
            [
                .select([("n", "n"), ("amount", "raw")], loc),
                .cast([("amount", .float64)], loc),
                .derive([("twice", try ExpressionParser.parse("amount * 2"), loc), ("big", try ExpressionParser.parse("twice > 3"), loc)]),
                .filter(try ExpressionParser.parse("big"), loc),
            ], input: batch.schema)
        var rejects: [RejectedRow] = []
        let out = try OperatorChain.run(ops, batch, rejects: &rejects)
        #expect(out.schema.names == ["n", "amount", "twice", "big"])
        #expect(out.count == 1)
        #expect(out.row(0) == [.int(7), .double(2), .double(4), .bool(true)])
        #expect(rejects.count == 1 && rejects[0].stage == "cast" && rejects[0].line == 3 && rejects[0].reason == "'x' is not a valid float64")
    }

    @Test func bindErrorsNameTheConfigLine() {
        do {
            _ = try OperatorChain.bind([.derive([("x", try ExpressionParser.parse("nn + 1"), loc)])], input: batch.schema)
            Issue.record("no error")
        } catch {
            #expect(error.description.hasPrefix("p.yml:3:5: transforms[0]: unknown column 'nn'"))
        }
    }
}

@Suite("Runtime pieces")
struct RuntimePieceTests {
    @Test func checkpointRoundTrip() {
        let c = Checkpoint(sequence: 7, offsets: ["dead_letter": 120, "output": 5000])
        #expect(c.encoded == "dead_letter=120;output=5000")
        #expect(Checkpoint(sequence: 7, encoded: c.encoded) == c)
        #expect(Checkpoint.latest(c, Checkpoint(sequence: 3, offsets: [:])) == c)
    }

    @Test func boundedChannelKeepsOrderAndAppliesBackpressure() async throws {
        let ch = BoundedChannel<Int>(capacity: 2)
        let producer = Task {
            for i in 0..<100 { try await ch.send(i) }
            ch.finish()
        }
        var got: [Int] = []
        while let v = try await ch.receive() { got.append(v) }
        try await producer.value
        #expect(got == Array(0..<100))
    }

    @Test func boundedChannelReleasesReceivedElements() async throws {
        final class Payload: Sendable {}
        let ch = BoundedChannel<Payload>(capacity: 4)
        weak var seen: Payload?
        do {
            let p = Payload()
            seen = p
            try await ch.send(p)
        }
        do { _ = try await ch.receive() }
        // The channel lives on (the runner keeps one per split); what it delivered must not.
        #expect(seen == nil)
        withExtendedLifetime(ch) {}
    }

    @Test func boundedChannelDeliversFailureAfterBufferedElements() async throws {
        struct Boom: Error {}
        let ch = BoundedChannel<Int>(capacity: 4)
        try await ch.send(1)
        ch.fail(Boom())
        #expect(try await ch.receive() == 1)
        await #expect(throws: Boom.self) { try await ch.receive() }
    }

    @Test func cancelledSenderStops() async throws {
        let ch = BoundedChannel<Int>(capacity: 1)
        try await ch.send(0)
        let blocked = Task { try await ch.send(1) }
        blocked.cancel()
        await #expect(throws: CancellationError.self) { try await blocked.value }
    }

    @Test func memoryBudgetWaitsForRelease() async throws {
        let budget = MemoryBudget(limit: 1 << 20)
        try await budget.acquire(700_000)
        let waiter = Task { try await budget.acquire(700_000) }
        try await Task.sleep(nanoseconds: 20_000_000)
        #expect(budget.used == 700_000)
        budget.release(700_000)
        try await waiter.value
        #expect(budget.used == 700_000 && budget.peak == 700_000)
    }

    @Test func globExpandsStarsAndDoubleStar() throws {
        let dir = "/tmp/sluice-glob-\(getpid())"
        FileIO.remove(dir)
        for p in ["a/x.csv", "a/b/y.csv", "a/b/c/z.csv", "a/skip.txt"] {
            try FileIO.makeDirectories(FileIO.dirname("\(dir)/\(p)"))
            try FileIO.writeText("\(dir)/\(p)", "k\n1\n")
        }
        #expect(Glob.expand("\(dir)/a/*.csv") == ["\(dir)/a/x.csv"])
        #expect(Glob.expand("\(dir)/a/**/*.csv") == ["\(dir)/a/b/c/z.csv", "\(dir)/a/b/y.csv", "\(dir)/a/x.csv"])
        #expect(Glob.expand("\(dir)/nothing/*.csv").isEmpty)
        FileIO.remove(dir)
    }
}

#if canImport(Glibc)
import Glibc
#endif

@Suite("Projection pushdown")
struct ProjectionTests {
    let loc = ConfigLocation(file: "p.yml", line: 1, column: 1, key: "t")
    let schema = Schema([
        Field("a", .int64), Field("b", .float64), Field("c", .string), Field("d", .string), Field("e", .int64),
    ])

    func required(_ transforms: [TransformConfig]) throws -> [String] {
        let ops = try OperatorChain.bind(transforms, input: schema)
        let out = ops.last?.outputSchema ?? schema
        return OperatorChain.requiredSourceColumns(ops, output: out).sorted()
    }

    @Test func noTransformsReadsEverything() throws {
        #expect(try required([]) == ["a", "b", "c", "d", "e"])
    }

    @Test func selectDeriveFilterReadOnlyWhatTheyUse() throws {
        let t: [TransformConfig] = [
            .filter(try ExpressionParser.parse("e > 0"), loc),
            .derive([("x", try ExpressionParser.parse("a * 2"), loc), ("y", try ExpressionParser.parse("x + b"), loc)]),
            .select([("y", "y"), ("label", "c")], loc),
        ]
        #expect(try required(t) == ["a", "b", "c", "e"])
        // a derived column that is dropped later costs nothing
        let t2: [TransformConfig] = [
            .derive([("unused", try ExpressionParser.parse("upper(d)"), loc)]),
            .select([("a", "a")], loc),
        ]
        #expect(try required(t2) == ["a"])
    }

    @Test func validateAndCastKeepTheirColumns() throws {
        var v = ValidateConfig(location: loc)
        v.rules = [("d", [.required], loc)]
        let t: [TransformConfig] = [.validate(v), .cast([("e", .float64)], loc), .select([("a", "a")], loc)]
        #expect(try required(t) == ["a", "d", "e"])
    }
}
