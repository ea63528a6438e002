import Testing

import SluiceCore

private let T = Scalar.bool(true)
private let F = Scalar.bool(false)
private let N = Scalar.null

private func str(_ s: String) -> Scalar { .string(s) }

@Suite("Expression functions: conditional, numeric, cast")
struct ExpressionFunctionTests {
    @Test func coalesce() throws {
        // i: 1, 2, null, -4, 5   j (int32): 10, 0, 3, null, -2
        let r = try evaluate("coalesce(i, j)")
        #expect(r.type == .int64)
        #expect(r.values == [.int(1), .int(2), .int(3), .int(-4), .int(5)])
        #expect(try values("coalesce(i, 0)") == [.int(1), .int(2), .int(0), .int(-4), .int(5)])
        // An integer literal adapts to an int32 column.
        let j = try evaluate("coalesce(j, 0)")
        #expect(j.type == .int32)
        #expect(j.values == [.int(10), .int(0), .int(3), .int(0), .int(-2)])
        #expect(try values("coalesce(i, j, 99)") == [.int(1), .int(2), .int(3), .int(-4), .int(5)])
        #expect(try values("coalesce(null, i)") == [.int(1), .int(2), N, .int(-4), .int(5)])
        #expect(try values("coalesce(f, i)") == [.double(1.5), .double(-0.5), N, .double(2), .double(0)])
        #expect(try evaluate("coalesce(f, i)").type == .float64)
        #expect(try values("coalesce(s, 'none')") == [str("Apple"), str("banana"), str("none"), str("Cherry pie"), str("")])
        let d = try evaluate("coalesce(d, 'none')")
        #expect(d.type == .string)
        #expect(d.values == [str("red"), str("Green"), str("none"), str("red"), str("blue")])
        #expect(try evaluate("coalesce(d)").type == .dictionary)
        #expect(try evaluate("coalesce(d, null)").type == .dictionary)
        #expect(try evaluate("coalesce(d, cast(null, 'string'))").type == .string)
        #expect(try values("coalesce(b, false)") == [T, F, F, T, F])
        #expect(try values("coalesce(b, null, true)") == [T, F, T, T, F])
        #expect(try values("coalesce(dt, '2000-01-01')") == [date("2024-01-31"), date("2024-02-29"), date("2000-01-01"), date("1969-12-31"), date("2000-03-01")])
        #expect(try BoundExpression(parsing: "coalesce('x', s)", schema: sample.schema).constantValue == str("x"))
        #expect(try BoundExpression(parsing: "coalesce(null, null)", schema: sample.schema).constantValue == N)
        #expect(try values("coalesce(i, j)", sample.slice(2, 3)) == [.int(3), .int(-4), .int(5)])
        #expect(
            errorMessage("coalesce(i, s)")
                == "expression: coalesce cannot combine values of types int64, string in 'coalesce(i, s)'")
    }

    @Test func greatestAndLeast() throws {
        #expect(try values("greatest(i, j)") == [.int(10), .int(2), .int(3), .int(-4), .int(5)])
        #expect(try values("least(i, j)") == [.int(1), .int(0), .int(3), .int(-4), .int(-2)])
        #expect(try values("greatest(i, null, j)") == [.int(10), .int(2), .int(3), .int(-4), .int(5)])
        #expect(try values("greatest(f, i, 0)") == [.double(1.5), .double(2), .double(0), .double(2), .double(5)])
        #expect(try values("least(j, 1)") == [.int(1), .int(0), .int(1), .int(1), .int(-2)])
        #expect(try evaluate("least(j, 1)").type == .int32)
        #expect(try values("greatest(s, 'b')") == [str("b"), str("banana"), str("b"), str("b"), str("b")])
        #expect(try values("least(d, s)") == [str("Apple"), str("Green"), N, str("Cherry pie"), str("")])
        #expect(try values("greatest(b, false)") == [T, F, F, T, F])
        #expect(try values("least(b, true)") == [T, F, T, T, F])
        #expect(try values("greatest(dt, ts)") == [
            ts("2024-01-31T10:15:30.25Z", .ms), ts("2024-02-29T00:00:00Z", .ms), N,
            ts("1969-12-31T23:59:59.999Z", .ms), ts("2000-03-01T23:05:00Z", .ms),
        ])
        #expect(try values("least(dt, '2000-01-01')") == [date("2000-01-01"), date("2000-01-01"), date("2000-01-01"), date("1969-12-31"), date("2000-01-01")])
        #expect(try BoundExpression(parsing: "greatest(null, null)", schema: sample.schema).constantValue == N)
        #expect(try BoundExpression(parsing: "least(3, 1, 2)", schema: sample.schema).constantValue == .int(1))
        func column(_ k: Int) -> [Scalar] {
            (0..<130).map { (row: Int) -> Scalar in row % (k + 2) == 0 ? N : Scalar.int(Int64(row * (k + 1) % 17)) }
        }
        let many = makeBatch([("c0", .int64, column(0)), ("c1", .int64, column(1)), ("c2", .int64, column(2))])
        let got = try values("greatest(c0, c1, c2)", many.slice(5, 120))
        let want: [Scalar] = (5..<125).map { (row: Int) -> Scalar in
            let present = (0..<3).filter { row % ($0 + 2) != 0 }.map { Int64(row * ($0 + 1) % 17) }
            return present.max().map { Scalar.int($0) } ?? N
        }
        #expect(got == want)
    }

    @Test func ifFunction() throws {
        #expect(try values("if(i > 1, 'big', 'small')") == [str("small"), str("big"), str("small"), str("small"), str("big")])
        #expect(try values("if(b, i, j)") == [.int(1), .int(0), .int(3), .int(-4), .int(-2)])
        #expect(try values("if(b, i, null)") == [.int(1), N, N, .int(-4), N])
        #expect(try evaluate("if(b, i, null)").type == .int64)
        #expect(try values("if(b, null, f)") == [N, .double(-0.5), N, N, .double(0)])
        #expect(try values("if(b, s, d)") == [str("Apple"), str("Green"), N, str("Cherry pie"), str("blue")])
        #expect(try values("if(b, null, s)") == [N, str("banana"), N, N, str("")])
        #expect(try values("if(b, b, not b)") == [T, T, N, T, T])
        #expect(try values("if(b, dt, '1999-12-31')") == [date("2024-01-31"), date("1999-12-31"), date("1999-12-31"), date("1969-12-31"), date("1999-12-31")])
        #expect(try values("if(true, i, j)") == [.int(1), .int(2), N, .int(-4), .int(5)])
        #expect(try BoundExpression(parsing: "if(null, 1, 2)", schema: sample.schema).constantValue == .int(2))
        #expect(try values("if(b, 1, 2)", sample.slice(1, 3)) == [.int(2), .int(2), .int(1)])
        #expect(errorMessage("if(i, 1, 2)") == "expression: function 'if' expects a boolean condition, got int64 in 'if(i, 1, 2)'")
        #expect(errorMessage("if(b, 1)") == "expression: function 'if' takes 3 arguments, got 2 in 'if(b, 1)'")
    }

    @Test func absFloorCeil() throws {
        #expect(try values("abs(i)") == [.int(1), .int(2), N, .int(4), .int(5)])
        let j = try evaluate("abs(j)")
        #expect(j.type == .int32)
        #expect(j.values == [.int(10), .int(0), .int(3), N, .int(2)])
        #expect(try values("abs(f)") == [.double(1.5), .double(0.5), N, .double(2), .double(0)])
        #expect(errorMessage("abs(-9223372036854775808)") == "expression: integer overflow in function 'abs' (abs(-9223372036854775808)) in 'abs(-9223372036854775808)'")
        let min32 = makeBatch([("m", .int32, [.int(Int64(Int32.min)), N])])
        #expect(errorMessage("abs(m)", min32)?.contains("integer overflow in function 'abs'") == true)
        #expect(try values("floor(f)") == [.double(1), .double(-1), N, .double(2), .double(0)])
        #expect(try values("ceil(f)") == [.double(2), .double(0), N, .double(2), .double(0)])
        #expect(try values("ceiling(f)") == [.double(2), .double(0), N, .double(2), .double(0)])
        #expect(try evaluate("floor(i)").type == .int64)
        #expect(try values("floor(i)") == [.int(1), .int(2), N, .int(-4), .int(5)])
        let g = try evaluate("ceil(g * 1 - 0.5)")
        #expect(g.values == [.double(0), .double(1), .double(2), N, .double(-8)])
        #expect(try evaluate("ceil(g)").type == .float32)
        #expect(errorMessage("abs(s)") == "expression: function 'abs' expects a number, got string in 'abs(s)'")
    }

    @Test func round() throws {
        func constant(_ text: String) throws -> Scalar? {
            try BoundExpression(parsing: text, schema: sample.schema).constantValue
        }
        #expect(try constant("round(2.5)") == .double(3))
        #expect(try constant("round(-2.5)") == .double(-3))
        #expect(try constant("round(1.2351, 2)") == .double(1.24))
        #expect(try constant("round(1234.5, -2)") == .double(1200))
        #expect(try constant("round(15, -1)") == .int(20))
        #expect(try constant("round(-15, -1)") == .int(-20))
        #expect(try constant("round(14, -1)") == .int(10))
        #expect(try constant("round(14, 2)") == .int(14))
        #expect(try constant("round(9223372036854775807, -30)") == .int(0))
        #expect(try values("round(f)") == [.double(2), .double(-1), N, .double(2), .double(0)])
        #expect(try values("round(i, -1)") == [.int(0), .int(0), N, .int(0), .int(10)])
        #expect(try evaluate("round(j, -1)").type == .int32)
        #expect(try values("round(j, -1)") == [.int(10), .int(0), .int(0), N, .int(0)])
        #expect(errorMessage("round(9223372036854775807, -1)")?.contains("integer overflow in function 'round'") == true)
        #expect(
            errorMessage("round(f, j)")
                == "expression: function 'round' expects the number of digits as an integer literal, got 'j' in 'round(f, j)'")
    }

    @Test func castNumbers() throws {
        #expect(try evaluate("cast(i, 'float64')").values == [.double(1), .double(2), N, .double(-4), .double(5)])
        let r = try evaluate("cast(f, 'int')")
        #expect(r.type == .int32)
        #expect(r.values == [.int(2), .int(-1), N, .int(2), .int(0)])
        #expect(try values("cast(i, 'int32')") == [.int(1), .int(2), N, .int(-4), .int(5)])
        #expect(try BoundExpression(parsing: "cast(9223372036854775807, 'int32')", schema: sample.schema).constantValue == N)
        #expect(try BoundExpression(parsing: "cast(1e300, 'int64')", schema: sample.schema).constantValue == N)
        #expect(try values("cast(b, 'int')") == [.int(1), .int(0), N, .int(1), .int(0)])
        #expect(try values("cast(b, 'double')") == [.double(1), .double(0), N, .double(1), .double(0)])
        #expect(try values("cast(j, 'bool')") == [T, F, T, N, T])
        #expect(try evaluate("cast(g, 'float64')").type == .float64)
        #expect(try values("cast(f, 'float32')") == [.double(1.5), .double(-0.5), N, .double(2), .double(0)])
        #expect(try values("cast(i, 'timestamp(ms)')") == [.timestamp(1, .ms), .timestamp(2, .ms), N, .timestamp(-4, .ms), .timestamp(5, .ms)])
        #expect(try values("cast(ts, 'int64')")[3] == .int(-1))
        #expect(try values("cast(dt, 'int')")[3] == .int(-1))
    }

    @Test func castText() throws {
        let text = makeBatch([
            ("t", .string, [str(" 12 "), str("-7"), str("x"), str("9223372036854775808"), str(""), str("-9223372036854775808")])
        ])
        #expect(try values("cast(t, 'int64')", text) == [.int(12), .int(-7), N, N, N, .int(.min)])
        #expect(try values("cast(t, 'int32')", text) == [.int(12), .int(-7), N, N, N, N])
        #expect(try values("cast(t, 'float64')", text) == [.double(12), .double(-7), N, .double(9_223_372_036_854_775_808), N, .double(-9_223_372_036_854_775_808)])
        func constant(_ s: String) throws -> Scalar? { try BoundExpression(parsing: s, schema: sample.schema).constantValue }
        #expect(try constant("cast('3.5e2', 'float64')") == .double(350))
        #expect(try constant("cast('abc', 'double')") == N)
        #expect(try constant("cast('0x10', 'double')") == N)
        #expect(try constant("cast('inf', 'float')") == .double(.infinity))
        #expect(try constant("cast('Yes', 'bool')") == T)
        #expect(try constant("cast('F', 'bool')") == F)
        #expect(try constant("cast('maybe', 'bool')") == N)
        #expect(try constant("cast('2024-03-01', 'date')") == date("2024-03-01"))
        #expect(try constant("cast('2024-03-01T12:00:00Z', 'date')") == date("2024-03-01"))
        #expect(try constant("cast('1969-12-31T23:00:00Z', 'date')") == date("1969-12-31"))
        #expect(try constant("cast('bad', 'date')") == N)
        #expect(try constant("cast('1900-02-29', 'date')") == N)
        #expect(try constant("cast('2000-02-29', 'date')") == date("2000-02-29"))
        #expect(try constant("cast('2024-03-01T12:00:00Z', 'timestamp(ms)')") == ts("2024-03-01T12:00:00Z", .ms))
        // To text, as Scalar prints values.
        #expect(try values("cast(i, 'string')") == [str("1"), str("2"), N, str("-4"), str("5")])
        #expect(try values("cast(f, 'text')") == [str("1.5"), str("-0.5"), N, str("2"), str("0")])
        #expect(try values("cast(g, 'text')") == [str("0.25"), str("1"), str("2"), N, str("-8")])
        #expect(try values("cast(b, 'string')") == [str("true"), str("false"), N, str("true"), str("false")])
        #expect(try values("cast(dt, 'string')") == [str("2024-01-31"), str("2024-02-29"), N, str("1969-12-31"), str("2000-03-01")])
        #expect(try values("cast(ts, 'string')") == [
            str("2024-01-31T10:15:30.25Z"), str("2024-02-29T00:00:00Z"), N, str("1969-12-31T23:59:59.999Z"),
            str("2000-03-01T23:05:00Z"),
        ])
        let d = try evaluate("cast(s, 'dictionary')")
        #expect(d.type == .dictionary)
        #expect(d.values == [str("Apple"), str("banana"), N, str("Cherry pie"), str("")])
        #expect(try evaluate("cast(d, 'string')").type == .string)
        #expect(try values("cast(d, 'string')") == [str("red"), str("Green"), N, str("red"), str("blue")])
        let numbers = makeBatch([("n", .dictionary, [str("1"), str("x"), N, str("1"), str("22")])])
        #expect(try values("cast(n, 'int')", numbers) == [.int(1), N, N, .int(1), .int(22)])
        #expect(try values("cast(n, 'int')", numbers.slice(3, 2)) == [.int(1), .int(22)])
    }

    @Test func castTime() throws {
        #expect(try values("cast(ts, 'date')") == [date("2024-01-31"), date("2024-02-29"), N, date("1969-12-31"), date("2000-03-01")])
        #expect(try values("cast(dt, 'timestamp')") == [
            ts("2024-01-31", .us), ts("2024-02-29", .us), N, ts("1969-12-31", .us), ts("2000-03-01", .us),
        ])
        #expect(try values("cast(ts, 'timestamp(s)')") == [
            ts("2024-01-31T10:15:30Z", .s), ts("2024-02-29T00:00:00Z", .s), N, ts("1969-12-31T23:59:59Z", .s),
            ts("2000-03-01T23:05:00Z", .s),
        ])
        #expect(try values("cast(ts, 'timestamp(ns)')")[3] == .timestamp(-1_000_000, .ns))
        let far = makeBatch([("t", .timestamp(.s), [.timestamp(Int64.max / 2, .s)])])
        #expect(try values("cast(t, 'timestamp(ns)')", far) == [N])
    }

    @Test func castErrors() {
        #expect(errorMessage("cast(i, 'nope')")?.hasPrefix("expression: unknown type 'nope' in 'cast(i, 'nope')'; expected one of: bool, int32") == true)
        #expect(errorMessage("cast(b, 'date')") == "expression: cannot convert bool to date in 'cast(b, 'date')'")
        #expect(errorMessage("cast(i, s)") == "expression: function 'cast' expects the type as a string literal, got 's' in 'cast(i, s)'")
    }

    @Test func constantColumns() throws {
        #expect(try values("'eia'") == Array(repeating: str("eia"), count: 5))
        let d = try evaluate("cast('x', 'dictionary')")
        #expect(d.type == .dictionary)
        #expect(d.values == Array(repeating: str("x"), count: 5))
        #expect(try values("true") == Array(repeating: T, count: 5))
        #expect(try values("cast('2024-01-01', 'date')") == Array(repeating: date("2024-01-01"), count: 5))
        #expect(try values("cast(null, 'int32')") == Array(repeating: N, count: 5))
        #expect(try evaluate("cast(null, 'int32')").type == .int32)
        #expect(try values("1.5") == Array(repeating: .double(1.5), count: 5))
    }
}
