import Testing

import SluiceCore

@Suite("Expression binding errors and batches")
struct ExpressionErrorTests {
    let telecom = Schema([
        Field("square_id", .int32), Field("time_interval", .timestamp(.ms)), Field("internet", .float64),
        Field("sms_in", .float64),
    ])

    func bindError(_ text: String, _ schema: Schema) -> String? {
        do {
            _ = try BoundExpression(parsing: text, schema: schema)
            return nil
        } catch {
            return error.description
        }
    }

    @Test func unknownColumns() {
        #expect(
            bindError("interet * 2", telecom)
                == "expression: unknown column 'interet'; did you mean 'internet'? columns: square_id, time_interval, internet, sms_in")
        #expect(
            bindError("SMS_IN > 0", telecom)
                == "expression: unknown column 'SMS_IN'; did you mean 'sms_in'? columns: square_id, time_interval, internet, sms_in")
        #expect(
            bindError("zzz", telecom)
                == "expression: unknown column 'zzz'; columns: square_id, time_interval, internet, sms_in")
        #expect(bindError("x", Schema([])) == "expression: unknown column 'x'; the schema has no columns")
    }

    @Test func unknownFunctions() {
        let message = bindError("frobnicate(internet)", telecom)
        #expect(
            message
                == "expression: unknown function 'frobnicate' in 'frobnicate(internet)'; known functions: "
                + ExpressionFunctions.names.joined(separator: ", "))
        #expect(bindError("lenght(internet)", telecom)?.contains("did you mean 'length'?") == true)
        #expect(
            bindError("sum(internet) / 3600", telecom)
                == "expression: aggregate function 'sum' is not allowed in a row expression ('sum(internet)'); use it in an aggregate's compute")
    }

    @Test func arityAndLiterals() {
        #expect(bindError("coalesce()", telecom) == "expression: function 'coalesce' takes at least 1 argument, got 0 in 'coalesce()'")
        #expect(bindError("year(time_interval, 1)", telecom) == "expression: function 'year' takes 1 argument, got 2 in 'year(time_interval, 1)'")
        #expect(bindError("round(internet, 1, 2)", telecom) == "expression: function 'round' takes 1 to 2 arguments, got 3 in 'round(internet, 1, 2)'")
        #expect(bindError("to_timestamp(square_id, sms_in)", telecom)?.contains("expects the unit as a string literal") == true)
    }

    @Test func typeErrorsNameTheTypes() {
        #expect(bindError("internet and true", telecom) == "expression: operator 'and' expects booleans, got float64 and bool in 'internet and true'")
        #expect(bindError("time_interval + 1", telecom) == "expression: operator '+' expects numbers, got timestamp(ms) and int64 in 'time_interval + 1'")
        #expect(bindError("if(internet > 0, 'yes', 1)", telecom) == "expression: if cannot combine values of types string, int64 in 'if(internet > 0, 'yes', 1)'")
    }

    @Test func bindsOnceEvaluatesManyBatches() throws {
        let bound = try BoundExpression(parsing: "date(time_interval) = '2013-11-01' and internet > 1", schema: telecom)
        #expect(bound.type == .bool)
        for k in 0..<3 {
            let batch = RecordBatch(
                schema: telecom,
                columns: [
                    Column.make(.int32, [.int(1), .int(2)]),
                    Column.make(.timestamp(.ms), [.timestamp(1_383_264_000_000 + Int64(k) * 86_400_000, .ms), .null]),
                    Column.make(.float64, [.double(2), .double(3)]),
                    Column.make(.float64, [.null, .null]),
                ])
            let c = try bound.evaluate(batch)
            #expect(c.scalar(at: 0) == .bool(k == 0))
            #expect(c.scalar(at: 1) == .null)
        }
    }

    @Test func batchWithColumnsReordered() throws {
        let schema = Schema([Field("a", .int64), Field("b", .int64)])
        let bound = try BoundExpression(parsing: "a - b", schema: schema)
        let swapped = makeBatch([("x", .string, [.string("?")]), ("b", .int64, [.int(1)]), ("a", .int64, [.int(10)])])
        let c = try bound.evaluate(swapped)
        #expect(c.scalar(at: 0) == .int(9))
        let missing = makeBatch([("a", .int64, [.int(1)])])
        #expect(throws: SluiceError.self) { try bound.evaluate(missing) }
        let wrongType = makeBatch([("a", .int64, [.int(1)]), ("b", .string, [.string("x")])])
        #expect(throws: SluiceError.self) { try bound.evaluate(wrongType) }
    }

    @Test func emptyBatch() throws {
        let empty = sample.slice(0, 0)
        for text in ["i + j", "s = 'a'", "lower(d)", "concat(s, i)", "coalesce(i, 1)", "date(ts)", "i in (1, 2)", "'x'"] {
            let c = try BoundExpression(parsing: text, schema: empty.schema).evaluate(empty)
            #expect(c.count == 0, "\(text)")
        }
    }
}

@Suite("Expression robustness")
struct ExpressionRobustnessTests {
    @Test func sharedAcrossTasks() async throws {
        let bound = try BoundExpression(parsing: "matches(s, '^[a-z]') and length(lower(d)) > 3 or i + j > 3", schema: sample.schema)
        let expected = try bound.evaluate(sample)
        let want = (0..<sample.count).map { expected.scalar(at: $0) }
        let results = await withTaskGroup(of: [Scalar]?.self) { group in
            for _ in 0..<8 {
                group.addTask {
                    var last: [Scalar]? = nil
                    for _ in 0..<50 {
                        guard let c = try? bound.evaluate(sample) else { return nil }
                        last = (0..<c.count).map { c.scalar(at: $0) }
                    }
                    return last
                }
            }
            var all: [[Scalar]?] = []
            for await r in group { all.append(r) }
            return all
        }
        #expect(results.count == 8)
        #expect(results.allSatisfy { $0 == want })
    }

    /// Null rows of a dictionary column may hold any index, even one past the dictionary.
    @Test func garbageBehindNullDictionaryIndices() throws {
        let indices = Buffer(capacity: 16)
        for k: Int32 in [0, 99, 1, -5] { indices.append(k) }
        let bits = Buffer(capacity: 1)
        bits.appendZeros(1)
        for (i, ok) in [true, false, true, false].enumerated() { Bitmap.set(bits.base, i, ok) }
        let strings = Column.make(.string, [.string("Ab"), .string("7")])
        let d = Column(type: .dictionary, count: 4, nullCount: 2, validity: bits, values: indices, dictionary: DictionaryValues(strings))
        let batch = RecordBatch(schema: Schema([Field("d", .dictionary)]), columns: [d])
        #expect(try values("d = 'Ab'", batch) == [.bool(true), .null, .bool(false), .null])
        #expect(try values("lower(d)", batch) == [.string("ab"), .null, .string("7"), .null])
        #expect(try values("length(d)", batch) == [.int(2), .null, .int(1), .null])
        #expect(try values("cast(d, 'int')", batch) == [.null, .null, .int(7), .null])
        #expect(try values("concat(d, '!')", batch) == [.string("Ab!"), .string("!"), .string("7!"), .string("!")])
        #expect(try values("coalesce(d, 'z')", batch) == [.string("Ab"), .string("z"), .string("7"), .string("z")])
        #expect(try values("d in ('7')", batch) == [.bool(false), .null, .bool(true), .null])
    }
}
