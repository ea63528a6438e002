import Testing

import SluiceCore

private let T = Scalar.bool(true)
private let F = Scalar.bool(false)
private let N = Scalar.null

@Suite("Expression comparisons and logic")
struct ExpressionComparisonTests {
    @Test func numericOperators() throws {
        // i: 1, 2, null, -4, 5   j: 10, 0, 3, null, -2   f: 1.5, -0.5, null, 2, 0
        #expect(try evaluate("i < j").type == .bool)
        #expect(try values("i < j") == [T, F, N, N, F])
        #expect(try values("i <= 2") == [T, T, N, T, F])
        #expect(try values("i > 1") == [F, T, N, F, T])
        #expect(try values("i >= 2") == [F, T, N, F, T])
        #expect(try values("i = 2") == [F, T, N, F, F])
        #expect(try values("i == 2") == [F, T, N, F, F])
        #expect(try values("i != 2") == [T, F, N, T, T])
        #expect(try values("i <> 2") == [T, F, N, T, T])
        #expect(try values("2 > i") == [T, F, N, T, F])
        // Mixed int and float compare as Double.
        #expect(try values("f < i") == [F, T, N, F, T])
        #expect(try values("f = 2") == [F, F, N, T, F])
        #expect(try values("i > 1.5") == [F, T, N, F, T])
        #expect(try values("g >= 1") == [F, T, T, N, F])
        #expect(try values("i = null") == [N, N, N, N, N])
    }

    @Test func strings() throws {
        // s: "Apple", "banana", null, "Cherry pie", ""
        #expect(try values("s = 'banana'") == [F, T, N, F, F])
        #expect(try values("s != ''") == [T, T, N, T, F])
        // Byte-wise: uppercase sorts before lowercase.
        #expect(try values("s < 'b'") == [T, F, N, T, T])
        #expect(try values("'b' < s") == [F, T, N, F, F])
        #expect(try values("s >= 'Cherry'") == [F, T, N, T, F])
        #expect(try values("s = s") == [T, T, N, T, T])
        let utf8 = makeBatch([("u", .string, [.string("é"), .string("z"), .string("e")])])
        #expect(try values("u > 'z'", utf8) == [T, F, F])
    }

    @Test func dictionaryStrings() throws {
        // d: "red", "Green", null, "red", "blue"
        #expect(try values("d = 'red'") == [T, F, N, T, F])
        #expect(try values("'red' = d") == [T, F, N, T, F])
        #expect(try values("d != 'red'") == [F, T, N, F, T])
        #expect(try values("d < 'c'") == [F, T, N, F, T])
        #expect(try values("'c' < d") == [T, F, N, T, F])
        #expect(try values("d > 'c'") == [T, F, N, T, F])
        #expect(try values("d = 'absent'") == [F, F, N, F, F])
        // Dictionary against a string column, and against another dictionary column.
        #expect(try values("d < s") == [F, T, N, F, F])
        let two = makeBatch([
            ("x", .dictionary, [.string("a"), .string("b"), .string("c")]),
            ("y", .dictionary, [.string("c"), .string("b"), .string("a")]),
        ])
        #expect(try values("x = y", two) == [F, T, F])
        #expect(try values("x < y", two) == [T, F, F])
        // A slice keeps the dictionary and moves the indices.
        #expect(try values("d = 'red'", sample.slice(2, 3)) == [N, T, F])
    }

    @Test func booleans() throws {
        // b: true, false, null, true, false
        #expect(try values("b = true") == [T, F, N, T, F])
        #expect(try values("b != true") == [F, T, N, F, T])
        #expect(try values("b < true") == [F, T, N, F, T])
        #expect(try values("b <= false") == [F, T, N, F, T])
        #expect(try values("b > false") == [T, F, N, T, F])
        #expect(try values("b = (i > 1)") == [F, F, N, F, F])
    }

    @Test func datesAndTimestamps() throws {
        // dt: 2024-01-31, 2024-02-29, null, 1969-12-31, 2000-03-01
        #expect(try values("dt >= '2024-01-01'") == [T, T, N, F, F])
        #expect(try values("dt = '2024-02-29'") == [F, T, N, F, F])
        #expect(try values("'2000-03-01' = dt") == [F, F, N, F, T])
        #expect(try values("dt < '1970-01-01'") == [F, F, N, T, F])
        // ts (ms): 2024-01-31T10:15:30.250, 2024-02-29T00:00, null, 1969-12-31T23:59:59.999, 2000-03-01T23:05
        #expect(try values("ts >= '2024-01-31T10:15:30.25Z'") == [T, T, N, F, F])
        #expect(try values("ts < '1970-01-01'") == [F, F, N, T, F])
        #expect(try values("ts > '2024-01-31 10:15:30+01:00'") == [T, T, N, F, F])
        // A date is its midnight.
        #expect(try values("ts = dt") == [F, T, N, F, F])
        #expect(try values("dt < ts") == [T, F, N, T, T])
        // Different units convert exactly.
        let units = makeBatch([
            ("a", .timestamp(.ms), [.timestamp(1_500, .ms), .timestamp(-1, .ms), .timestamp(.max, .ms)]),
            ("b", .timestamp(.us), [.timestamp(1_500_000, .us), .timestamp(-999, .us), .timestamp(.max - 1, .us)]),
            ("c", .timestamp(.s), [.timestamp(1, .s), .timestamp(-1, .s), .timestamp(0, .s)]),
        ])
        #expect(try values("a = b", units) == [T, F, F])
        #expect(try values("a < b", units) == [F, T, F])
        #expect(try values("c < a", units) == [T, T, T])
        #expect(try values("a > b", units) == [F, F, T])
    }

    @Test func literalsThatAreNotDates() {
        #expect(
            errorMessage("dt = '2024-02-30'")
                == "expression: '2024-02-30' is not a valid date (expected YYYY-MM-DD) in 'dt = '2024-02-30''")
        #expect(errorMessage("ts < 'yesterday'")?.contains("'yesterday' is not a valid timestamp") == true)
        #expect(
            errorMessage("dt = s")
                == "expression: operator '=' expects a date or timestamp on both sides (or a string literal), got date and string in 'dt = s'")
        #expect(
            errorMessage("s = 1")
                == "expression: operator '=' expects two numbers, strings, booleans, or dates/timestamps, got string and int64 in 's = 1'")
        #expect(errorMessage("b < 1")?.contains("got bool and int64") == true)
    }

    @Test func threeValuedLogic() throws {
        let p: [Scalar] = [T, T, T, F, F, F, N, N, N]
        let q: [Scalar] = [T, F, N, T, F, N, T, F, N]
        let batch = makeBatch([("p", .bool, p), ("q", .bool, q)])
        #expect(try values("p and q", batch) == [T, F, N, F, F, F, N, F, N])
        #expect(try values("p or q", batch) == [T, T, T, T, F, N, T, N, N])
        #expect(try values("not p", batch) == [F, F, F, T, T, T, N, N, N])
        #expect(try values("p and null", batch) == [N, N, N, F, F, F, N, N, N])
        #expect(try values("null and p", batch) == [N, N, N, F, F, F, N, N, N])
        #expect(try values("p or null", batch) == [T, T, T, N, N, N, N, N, N])
        #expect(try values("p and true", batch) == p)
        #expect(try values("p and false", batch) == Array(repeating: F, count: 9))
        #expect(try values("p or true", batch) == Array(repeating: T, count: 9))
        #expect(try values("p or false", batch) == p)
        #expect(try BoundExpression(parsing: "false and null", schema: batch.schema).constantValue == F)
        #expect(try BoundExpression(parsing: "true or null", schema: batch.schema).constantValue == T)
        #expect(try BoundExpression(parsing: "true and null", schema: batch.schema).constantValue == N)
        #expect(try BoundExpression(parsing: "not null", schema: batch.schema).constantValue == N)
        // Null rows read as false when validity is ignored (what a filter sees).
        let c = try BoundExpression(parsing: "p and q", schema: batch.schema).evaluate(batch)
        #expect((0..<9).map { c.bool(at: $0) } == [true, false, false, false, false, false, false, false, false])
        // Sliced at an odd offset.
        #expect(try values("p or q", batch.slice(3, 5)) == [T, F, N, T, N])
        #expect(errorMessage("i and b") == "expression: operator 'and' expects booleans, got int64 and bool in 'i and b'")
        #expect(errorMessage("not s") == "expression: operator 'not' expects a boolean, got string in 'not s'")
    }

    @Test func logicOverManyRows() throws {
        let n = 150
        let p: [Scalar] = (0..<n).map { $0 % 3 == 0 ? N : .bool($0 % 2 == 0) }
        let q: [Scalar] = (0..<n).map { $0 % 5 == 0 ? N : .bool($0 % 7 < 3) }
        let batch = makeBatch([("p", .bool, p), ("q", .bool, q)])
        func and(_ a: Scalar, _ b: Scalar) -> Scalar {
            if a == F || b == F { return F }
            if a == N || b == N { return N }
            return T
        }
        func or(_ a: Scalar, _ b: Scalar) -> Scalar {
            if a == T || b == T { return T }
            if a == N || b == N { return N }
            return F
        }
        for start in [0, 1, 9, 64, 70] {
            let part = batch.slice(start, n - start)
            #expect(try values("p and q", part) == (start..<n).map { and(p[$0], q[$0]) })
            #expect(try values("p or q", part) == (start..<n).map { or(p[$0], q[$0]) })
            #expect(try values("p is null", part) == (start..<n).map { .bool(p[$0] == N) })
        }
    }

    @Test func isNull() throws {
        #expect(try values("i is null") == [F, F, T, F, F])
        #expect(try values("s is not null") == [T, T, F, T, T])
        #expect(try values("d is null") == [F, F, T, F, F])
        #expect(try values("i + j is null") == [F, F, T, T, F])
        #expect(try evaluate("dt is null").values == [F, F, T, F, F])
        #expect(try BoundExpression(parsing: "null is null", schema: sample.schema).constantValue == T)
        #expect(try BoundExpression(parsing: "1 is not null", schema: sample.schema).constantValue == T)
        #expect(try values("i is null", sample.slice(2, 2)) == [T, F])
    }

    @Test func inLists() throws {
        #expect(try values("i in (1, 5, 7)") == [T, F, N, F, T])
        #expect(try values("i not in (1, 5, 7)") == [F, T, N, T, F])
        #expect(try values("j in (0, 3)") == [F, T, T, N, F])
        #expect(try values("f in (1.5, 2)") == [T, F, N, T, F])
        #expect(try values("i in (1.0, 2.5)") == [T, F, N, F, F])
        // A null member: no match gives null, not false.
        #expect(try values("i in (1, null)") == [T, N, N, N, N])
        #expect(try values("i not in (1, null)") == [F, N, N, N, N])
        #expect(try values("s in ('Apple', '')") == [T, F, N, F, T])
        #expect(try values("s not in ('Apple', '')") == [F, T, N, T, F])
        #expect(try values("d in ('red', 'blue')") == [T, F, N, T, T])
        #expect(try values("d not in ('red')") == [F, T, N, F, T])
        #expect(try values("d in ('red', null)") == [T, N, N, T, N])
        #expect(try values("dt in ('2024-02-29', '2000-03-01')") == [F, T, N, F, T])
        #expect(try values("b in (true)") == [T, F, N, T, F])
        // Many members: hashed.
        let many = (0..<20).map(String.init).joined(separator: ", ")
        #expect(try values("i in (\(many))") == [T, T, N, F, T])
        // Non-constant members: an `or` of equalities; the left side is computed once.
        #expect(try values("i in (j, 2)") == [F, T, N, N, F])
        #expect(try values("i + 1 in (j, 3)") == [F, T, N, N, F])
        #expect(try values("i + 1 not in (j, 3)") == [T, F, N, N, T])
        #expect(try values("lower(d) in (s, 'green')") == [F, T, N, F, F])
        #expect(try BoundExpression(parsing: "null in (1)", schema: sample.schema).constantValue == N)
        #expect(try BoundExpression(parsing: "2 in (1, 2)", schema: sample.schema).constantValue == T)
        #expect(try values("i in (1, 5)", sample.slice(1, 4)) == [F, N, F, T])
        #expect(errorMessage("i in ('a')")?.contains("'in' cannot combine values of types int64, string") == true)
        #expect(errorMessage("dt in ('2024-13-01')")?.contains("'2024-13-01' is not a valid date") == true)
    }
}
