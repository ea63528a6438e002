import Testing

import SluiceCore

private let T = Scalar.bool(true)
private let F = Scalar.bool(false)
private let N = Scalar.null

private func str(_ s: String) -> Scalar { .string(s) }

@Suite("Expression string functions")
struct ExpressionStringTests {
    @Test func changeCase() throws {
        #expect(try values("lower(s)") == [str("apple"), str("banana"), N, str("cherry pie"), str("")])
        #expect(try values("upper(s)") == [str("APPLE"), str("BANANA"), N, str("CHERRY PIE"), str("")])
        func constant(_ text: String) throws -> Scalar? { try BoundExpression(parsing: text, schema: sample.schema).constantValue }
        #expect(try constant("lower('ÉCOLE Zürich')") == str("école zürich"))
        #expect(try constant("upper('straße')") == str("STRASSE"))
        #expect(try constant("upper('a-z@[`{')") == str("A-Z@[`{"))
        #expect(try constant("lower(null)") == N)
        #expect(errorMessage("lower(i)") == "expression: function 'lower' expects a string, got int64 in 'lower(i)'")
    }

    @Test func dictionaryStaysDictionary() throws {
        let bound = try BoundExpression(parsing: "lower(d)", schema: sample.schema)
        #expect(bound.type == .dictionary)
        let out = try bound.evaluate(sample)
        #expect((0..<5).map { out.scalar(at: $0) } == [str("red"), str("green"), N, str("red"), str("blue")])
        // Still-distinct results keep the very indices buffer: only the dictionary was rewritten.
        let input = sample.columns[5]
        #expect(out.values === input.values)
        #expect(out.dictionary?.values.count == 3)
        // Results that collide are re-interned, so the dictionary stays free of duplicates.
        let mixed = makeBatch([("m", .dictionary, [str("a"), str("A"), str("b"), N, str("a")])])
        let upper = try BoundExpression(parsing: "upper(m)", schema: mixed.schema).evaluate(mixed)
        #expect(upper.type == .dictionary)
        #expect(upper.dictionary?.values.count == 2)
        #expect((0..<5).map { upper.scalar(at: $0) } == [str("A"), str("A"), str("B"), N, str("A")])
        #expect(try values("upper(m)", mixed.slice(1, 3)) == [str("A"), str("B"), N])
        #expect(try evaluate("trim(d)").type == .dictionary)
        #expect(try evaluate("substr(d, 1, 2)").type == .dictionary)
        #expect(try evaluate("length(d)").type == .int32)
    }

    @Test func trim() throws {
        let batch = makeBatch([("t", .string, [str("  a b \t"), str("\r\nx\n"), str("   "), N, str("é ")])])
        #expect(try values("trim(t)", batch) == [str("a b"), str("x"), str(""), N, str("é")])
        let dict = makeBatch([("t", .dictionary, [str(" a"), str("a "), str("b")])])
        #expect(try values("trim(t)", dict) == [str("a"), str("a"), str("b")])
    }

    @Test func length() throws {
        let r = try evaluate("length(s)")
        #expect(r.type == .int32)
        #expect(r.values == [.int(5), .int(6), N, .int(10), .int(0)])
        #expect(try values("length(d)") == [.int(3), .int(5), N, .int(3), .int(4)])
        #expect(try BoundExpression(parsing: "length('héllo')", schema: sample.schema).constantValue == .int(5))
        #expect(try BoundExpression(parsing: "length('日本')", schema: sample.schema).constantValue == .int(2))
        #expect(try BoundExpression(parsing: "length('')", schema: sample.schema).constantValue == .int(0))
        #expect(try values("length(s)", sample.slice(3, 2)) == [.int(10), .int(0)])
    }

    @Test func substr() throws {
        func constant(_ text: String) throws -> Scalar? { try BoundExpression(parsing: text, schema: sample.schema).constantValue }
        #expect(try constant("substr('hello', 2, 3)") == str("ell"))
        #expect(try constant("substr('hello', 2)") == str("ello"))
        #expect(try constant("substr('hello', 0, 2)") == str("h"))
        #expect(try constant("substr('hello', -1, 3)") == str("h"))
        #expect(try constant("substr('hello', -5, 3)") == str(""))
        #expect(try constant("substr('hello', 10)") == str(""))
        #expect(try constant("substr('hello', 5, 100)") == str("o"))
        #expect(try constant("substr('hello', 2, -1)") == str(""))
        #expect(try constant("substr('hello', 2, 9223372036854775807)") == str("ello"))
        #expect(try constant("substring('héllo', 2, 2)") == str("él"))
        #expect(try constant("substr('日本語', 3)") == str("語"))
        #expect(try constant("substr('hello', null)") == N)
        #expect(try values("substr(s, 2, 3)") == [str("ppl"), str("ana"), N, str("her"), str("")])
        #expect(try values("substr(d, 1, 2)") == [str("re"), str("Gr"), N, str("re"), str("bl")])
        // Positions from columns. j: 10, 0, 3, null, -2
        #expect(try values("substr(s, j)") == [str(""), str("banana"), N, N, str("")])
        #expect(try values("substr(s, 2, j)") == [str("pple"), str(""), N, N, str("")])
        #expect(try values("substr(d, j, 2)") == [str(""), str("G"), N, N, str("")])
        #expect(errorMessage("substr(s, 1.5)") == "expression: function 'substr' expects integer positions, got float64 in 'substr(s, 1.5)'")
        #expect(errorMessage("substr(s)") == "expression: function 'substr' takes 2 to 3 arguments, got 1 in 'substr(s)'")
    }

    @Test func concat() throws {
        let r = try evaluate("concat(s, '-', i)")
        #expect(r.type == .string)
        #expect(r.values == [str("Apple-1"), str("banana-2"), str("-"), str("Cherry pie--4"), str("-5")])
        #expect(try values("concat(d, b, f, dt)") == [
            str("redtrue1.52024-01-31"), str("Greenfalse-0.52024-02-29"), str(""), str("redtrue21969-12-31"),
            str("bluefalse02000-03-01"),
        ])
        #expect(try values("concat(ts, ' ', j)", sample.slice(2, 2)) == [str(" 3"), str("1969-12-31T23:59:59.999Z ")])
        #expect(try BoundExpression(parsing: "concat(null)", schema: sample.schema).constantValue == str(""))
        #expect(try BoundExpression(parsing: "concat('a', 1, 2.5, true, null)", schema: sample.schema).constantValue == str("a12.5true"))
        #expect(errorMessage("concat()") == "expression: function 'concat' takes at least 1 argument, got 0 in 'concat()'")
    }

    @Test func matches() throws {
        #expect(try values("matches(s, '^[A-Z]')") == [T, F, N, T, F])
        #expect(try values("matches(s, 'a+n')") == [F, T, N, F, F])
        #expect(try values("matches(d, 'e')") == [T, T, N, T, T])
        #expect(try values("matches(d, '^(red|blue)$')") == [T, F, N, T, T])
        #expect(try values("matches(s, '')") == [T, T, N, T, T])
        #expect(try values("matches(s, 'pie$')", sample.slice(3, 2)) == [T, F])
        let users = makeBatch([("u", .string, [str("user_12"), str("user_"), str("xuser_1"), str("user_3x")])])
        #expect(try values("matches(u, '^user_[0-9]+$')", users) == [T, F, F, F])
        #expect(errorMessage("matches(s, '(')")?.hasPrefix("expression: invalid regular expression '(': ") == true)
        #expect(
            errorMessage("matches(s, s)")
                == "expression: function 'matches' expects the pattern as a string literal, got 's' in 'matches(s, s)'")
        #expect(errorMessage("matches(i, 'a')") == "expression: function 'matches' expects a string, got int64 in 'matches(i, 'a')'")
    }

    @Test func longStringColumns() throws {
        // Over several words of rows and at an unaligned offset.
        let words = (0..<300).map { k -> Scalar in k % 9 == 0 ? N : str(k % 2 == 0 ? "Ab\(k)" : "cD\(k)") }
        let batch = makeBatch([("w", .string, words), ("v", .dictionary, words)])
        let part = batch.slice(37, 250)
        let expected = (37..<287).map { k -> Scalar in
            guard case .string(let s) = words[k] else { return N }
            return str(s.lowercased())
        }
        #expect(try values("lower(w)", part) == expected)
        #expect(try values("lower(v)", part) == expected)
        let lengths = (37..<287).map { k -> Scalar in
            guard case .string(let s) = words[k] else { return N }
            return .int(Int64(s.count))
        }
        #expect(try values("length(v)", part) == lengths)
        let isUpper = (37..<287).map { k -> Scalar in words[k] == N ? N : .bool(k % 2 == 0) }
        #expect(try values("matches(w, '^A')", part) == isUpper)
        #expect(try values("v > 'B'", part) == isUpper.map { $0 == N ? N : $0 == T ? F : T })
    }
}
