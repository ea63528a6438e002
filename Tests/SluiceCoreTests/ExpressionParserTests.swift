import Testing

import SluiceCore

@Suite("Expression parser")
struct ExpressionParserTests {
    @Test func literals() throws {
        #expect(try ExpressionParser.parse("42") == .literal(.int(42)))
        #expect(try ExpressionParser.parse("1.5") == .literal(.double(1.5)))
        #expect(try ExpressionParser.parse("1e3") == .literal(.double(1000)))
        #expect(try ExpressionParser.parse("2.5E-2") == .literal(.double(0.025)))
        #expect(try ExpressionParser.parse(".5") == .literal(.double(0.5)))
        #expect(try ExpressionParser.parse("'it''s'") == .literal(.string("it's")))
        #expect(try ExpressionParser.parse("''") == .literal(.string("")))
        #expect(try ExpressionParser.parse("'héllo'") == .literal(.string("héllo")))
        #expect(try ExpressionParser.parse("TRUE") == .literal(.bool(true)))
        #expect(try ExpressionParser.parse("false") == .literal(.bool(false)))
        #expect(try ExpressionParser.parse("Null") == .literal(.null))
        #expect(try ExpressionParser.parse("-7") == .literal(.int(-7)))
        #expect(try ExpressionParser.parse("-2.5") == .literal(.double(-2.5)))
        #expect(try ExpressionParser.parse("-9223372036854775808") == .literal(.int(.min)))
        #expect(try ExpressionParser.parse("9223372036854775808") == .literal(.double(9_223_372_036_854_775_808)))
    }

    @Test func columnNames() throws {
        #expect(try ExpressionParser.parse("internet") == .column("internet"))
        #expect(try ExpressionParser.parse("_a.b1") == .column("_a.b1"))
        #expect(try ExpressionParser.parse("\"my col\"") == .column("my col"))
        #expect(try ExpressionParser.parse("\"say \"\"hi\"\"\"") == .column("say \"hi\""))
        #expect(try ExpressionParser.parse("\"and\"") == .column("and"))
        // Column names keep their case; function names do not.
        #expect(try ExpressionParser.parse("CamelCase") == .column("CamelCase"))
        #expect(try ExpressionParser.parse("COALESCE(A, 1)") == .call("coalesce", [.column("A"), .literal(.int(1))]))
        #expect(try ExpressionParser.parse("now()") == .call("now", []))
    }

    @Test func precedence() throws {
        let a = Expr.column("a")
        let b = Expr.column("b")
        let c = Expr.column("c")
        #expect(try ExpressionParser.parse("a + b * c") == .binary(.add, a, .binary(.multiply, b, c)))
        #expect(try ExpressionParser.parse("a - b - c") == .binary(.subtract, .binary(.subtract, a, b), c))
        #expect(try ExpressionParser.parse("a / b % c") == .binary(.modulo, .binary(.divide, a, b), c))
        #expect(try ExpressionParser.parse("a ^ b ^ c") == .binary(.power, a, .binary(.power, b, c)))
        #expect(try ExpressionParser.parse("-a ^ 2") == .unary(.negate, .binary(.power, a, .literal(.int(2)))))
        #expect(try ExpressionParser.parse("-a * b") == .binary(.multiply, .unary(.negate, a), b))
        #expect(try ExpressionParser.parse("2 ^ -1") == .binary(.power, .literal(.int(2)), .literal(.int(-1))))
        #expect(try ExpressionParser.parse("-2 ^ 2") == .unary(.negate, .binary(.power, .literal(.int(2)), .literal(.int(2)))))
        #expect(
            try ExpressionParser.parse("not a = b and c or a")
                == .binary(.or, .binary(.and, .unary(.not, .binary(.equal, a, b)), c), a))
        #expect(try ExpressionParser.parse("a or b and c") == .binary(.or, a, .binary(.and, b, c)))
        #expect(try ExpressionParser.parse("a + 1 < b * 2") == .binary(.less, .binary(.add, a, .literal(.int(1))), .binary(.multiply, b, .literal(.int(2)))))
        #expect(try ExpressionParser.parse("a + 1 is null") == .isNull(.binary(.add, a, .literal(.int(1))), negated: false))
        #expect(try ExpressionParser.parse("a IS NOT NULL") == .isNull(a, negated: true))
        #expect(try ExpressionParser.parse("a in (1, 2)") == .inList(a, [.literal(.int(1)), .literal(.int(2))], negated: false))
        #expect(try ExpressionParser.parse("a NOT IN ('x')") == .inList(a, [.literal(.string("x"))], negated: true))
        #expect(try ExpressionParser.parse("not a in (b)") == .unary(.not, .inList(a, [b], negated: false)))
        #expect(try ExpressionParser.parse("a <> b") == .binary(.notEqual, a, b))
        #expect(try ExpressionParser.parse("a == b") == .binary(.equal, a, b))
        #expect(try ExpressionParser.parse("+a") == a)
    }

    @Test func designExamples() throws {
        #expect(try ExpressionParser.parse("2^30") == .binary(.power, .literal(.int(2)), .literal(.int(30))))
        let e = try ExpressionParser.parse("sum(x) / 3600 / 2^30")
        #expect(
            e == .binary(
                .divide, .binary(.divide, .call("sum", [.column("x")]), .literal(.int(3600))),
                .binary(.power, .literal(.int(2)), .literal(.int(30)))))
        #expect(e.description == "sum(x) / 3600 / 2 ^ 30")
        #expect(try ExpressionParser.parse("node != ''") == .binary(.notEqual, .column("node"), .literal(.string(""))))
    }

    @Test func printsBack() throws {
        let cases: [(String, String)] = [
            ("a+b*c", "a + b * c"),
            ("(a + b) * c", "(a + b) * c"),
            ("a - (b - c)", "a - (b - c)"),
            ("(a - b) - c", "a - b - c"),
            ("a / (b * c)", "a / (b * c)"),
            ("(2 ^ 3) ^ 2", "(2 ^ 3) ^ 2"),
            ("2 ^ 3 ^ 2", "2 ^ 3 ^ 2"),
            ("-a ^ 2", "-a ^ 2"),
            ("-(a ^ 2)", "-a ^ 2"),
            ("(-a) ^ 2", "(-a) ^ 2"),
            ("(-2) ^ 2", "(-2) ^ 2"),
            ("- -a", "-(-a)"),
            ("a - -1", "a - -1"),
            ("NOT (a AND b)", "not (a and b)"),
            ("not a and b", "not a and b"),
            ("(a or b) and c", "(a or b) and c"),
            ("a = (b = c)", "a = (b = c)"),
            ("x IS NOT NULL", "x is not null"),
            ("x NOT IN (1, 'a''b', null)", "x not in (1, 'a''b', null)"),
            ("\"my col\" + \"and\"", "\"my col\" + \"and\""),
            ("IF(a > 1, 'big', 'small')", "if(a > 1, 'big', 'small')"),
            ("1.0 + 1e20", "1.0 + 1e+20"),
            ("date_trunc('day', ts) >= '2024-01-01'", "date_trunc('day', ts) >= '2024-01-01'"),
            ("(a + b) is null", "a + b is null"),
            ("(a < b) is null", "a < b is null"),
            ("a < (b is null)", "a < (b is null)"),
        ]
        for (source, printed) in cases {
            let e = try ExpressionParser.parse(source)
            #expect(e.description == printed, "\(source)")
            #expect(try ExpressionParser.parse(e.description) == e, "\(source)")
        }
    }

    @Test func printsBuiltTrees() throws {
        // Trees built in code print so that they parse back to themselves.
        let trees: [Expr] = [
            .binary(.power, .literal(.int(-2)), .literal(.int(2))),
            .binary(.multiply, .literal(.double(-0.5)), .column("x")),
            .unary(.negate, .literal(.int(-3))),
            .literal(.date(19_723)),
            .literal(.timestamp(1_700_000_000_000, .ms)),
            .literal(.double(.infinity)),
            .binary(.subtract, .column("a"), .binary(.add, .column("b"), .column("c"))),
            .isNull(.binary(.and, .column("p"), .column("q")), negated: false),
            .inList(.unary(.not, .column("p")), [.literal(.bool(true))], negated: true),
        ]
        for t in trees {
            let reparsed = try ExpressionParser.parse(t.description)
            let schema = Schema([Field("x", .float64), Field("a", .int64), Field("b", .int64), Field("c", .int64),
                Field("p", .bool), Field("q", .bool)])
            // Same meaning: both bind to the same constant or type.
            let original = try BoundExpression(t, schema: schema)
            let again = try BoundExpression(reparsed, schema: schema)
            #expect(original.type == again.type, "\(t)")
            #expect(original.constantValue == again.constantValue, "\(t)")
        }
        #expect(Expr.literal(.date(19_723)).description == "cast('2024-01-01', 'date')")
    }

    @Test func columnReferences() throws {
        let e = try ExpressionParser.parse("coalesce(a, b + 1) > c and \"d e\" in (a, 'x') and f(g) is null")
        #expect(e.columnReferences == ["a", "b", "c", "d e", "g"])
        #expect(try ExpressionParser.parse("1 + 2").columnReferences.isEmpty)
    }

    @Test func errorPositions() {
        func message(_ text: String) -> String? {
            do {
                _ = try ExpressionParser.parse(text)
                return nil
            } catch {
                return error.description
            }
        }
        #expect(message("a + (b * )") == "expression: unexpected ')' at column 10 in \"a + (b * )\"")
        #expect(message("a +") == "expression: unexpected end of expression at column 4 in \"a +\"")
        #expect(message("a b") == "expression: unexpected 'b' at column 3 in \"a b\"")
        #expect(message("'abc") == "expression: unterminated string at column 1 in \"'abc\"")
        #expect(message("x = \"col") == "expression: unterminated quoted name at column 5 in \"x = \"col\"")
        #expect(message("a # b") == "expression: unexpected character '#' at column 3 in \"a # b\"")
        #expect(message("é + 1") == "expression: unexpected character 'é' at column 1 in \"é + 1\"")
        #expect(message("'é' + #") == "expression: unexpected character '#' at column 7 in \"'é' + #\"")
        #expect(message("f(a, b") == "expression: unexpected end of expression at column 7 in \"f(a, b\"; expected ')'")
        #expect(message("x in 1") == "expression: unexpected '1' at column 6 in \"x in 1\"; expected '('")
        #expect(message("x is 1") == "expression: unexpected '1' at column 6 in \"x is 1\"; expected 'null'")
        #expect(message("(a") == "expression: unexpected end of expression at column 3 in \"(a\"; expected ')'")
        #expect(message("1.5.2") == "expression: unexpected '.2' at column 4 in \"1.5.2\"")
        #expect(message("12abc") == "expression: malformed number '12a' at column 1 in \"12abc\"")
        #expect(message("1e+") == "expression: malformed number '1e+' at column 1 in \"1e+\"")
        #expect(message("") == "expression: unexpected end of expression at column 1 in \"\"")
        #expect(message("a and or b") == "expression: unexpected 'or' at column 7 in \"a and or b\"")
        #expect(message("\"\"") == "expression: empty quoted name at column 1 in \"\"\"\"")
    }
}
