/// Parses expression source text into an `Expr`.
///
/// Grammar, lowest precedence first (keywords are case-insensitive):
///
///     or          := and ("or" and)*
///     and         := not ("and" not)*
///     not         := "not" not | comparison
///     comparison  := additive ( ("=" | "==" | "!=" | "<>" | "<" | "<=" | ">" | ">=") additive
///                             | "is" ["not"] "null"
///                             | ["not"] "in" "(" or ("," or)* ")" )*
///     additive    := multiplicative (("+" | "-") multiplicative)*
///     multiplicative := unary (("*" | "/" | "%") unary)*
///     unary       := ("-" | "+") unary | power
///     power       := primary ["^" unary]                 (right-associative: 2^3^2 = 2^9)
///     primary     := number | 'string' | true | false | null | name | "quoted name"
///                  | name "(" [or ("," or)*] ")" | "(" or ")"
///
/// Integer literals are Int64 (one too large for Int64 reads as Float64); literals with a fraction
/// or exponent are Float64. A minus sign directly before a number literal makes a negative literal.
public enum ExpressionParser {
    /// Parses `text`; errors name the offending token and its 1-based column.
    public static func parse(_ text: String) throws(SluiceError) -> Expr {
        var p = Parser(tokens: try ExpressionLexer.tokenize(text), text: text)
        let e = try p.parseOr()
        if p.peek.kind != .end { throw p.unexpected(p.peek) }
        return e
    }
}

private struct Parser {
    let tokens: [ExprToken]
    let text: String
    var position = 0

    var peek: ExprToken { tokens[position] }
    var peekNext: ExprToken { tokens[min(position + 1, tokens.count - 1)] }

    mutating func advance() -> ExprToken {
        let t = tokens[position]
        if position < tokens.count - 1 { position += 1 }
        return t
    }

    func unexpected(_ t: ExprToken, expected: String? = nil) -> SluiceError {
        ExpressionLexer.error("unexpected \(t.quoted)", at: t.offset, in: text, hint: expected.map { "expected \($0)" })
    }

    mutating func expect(_ symbol: String) throws(SluiceError) {
        guard peek.isSymbol(symbol) else { throw unexpected(peek, expected: "'\(symbol)'") }
        _ = advance()
    }

    mutating func parseOr() throws(SluiceError) -> Expr {
        var left = try parseAnd()
        while peek.isKeyword("or") {
            _ = advance()
            left = .binary(.or, left, try parseAnd())
        }
        return left
    }

    mutating func parseAnd() throws(SluiceError) -> Expr {
        var left = try parseNot()
        while peek.isKeyword("and") {
            _ = advance()
            left = .binary(.and, left, try parseNot())
        }
        return left
    }

    mutating func parseNot() throws(SluiceError) -> Expr {
        if peek.isKeyword("not") {
            _ = advance()
            return .unary(.not, try parseNot())
        }
        return try parseComparison()
    }

    static let comparisonSymbols: [String: BinaryOperator] = [
        "=": .equal, "==": .equal, "!=": .notEqual, "<>": .notEqual,
        "<": .less, "<=": .lessOrEqual, ">": .greater, ">=": .greaterOrEqual,
    ]

    mutating func parseComparison() throws(SluiceError) -> Expr {
        var left = try parseAdditive()
        while true {
            if case .symbol(let s) = peek.kind, let op = Self.comparisonSymbols[s] {
                _ = advance()
                left = .binary(op, left, try parseAdditive())
            } else if peek.isKeyword("is") {
                _ = advance()
                var negated = false
                if peek.isKeyword("not") {
                    _ = advance()
                    negated = true
                }
                guard peek.isKeyword("null") else { throw unexpected(peek, expected: "'null'") }
                _ = advance()
                left = .isNull(left, negated: negated)
            } else if peek.isKeyword("in") || (peek.isKeyword("not") && peekNext.isKeyword("in")) {
                let negated = peek.isKeyword("not")
                if negated { _ = advance() }
                _ = advance()
                try expect("(")
                var items = [try parseOr()]
                while peek.isSymbol(",") {
                    _ = advance()
                    items.append(try parseOr())
                }
                try expect(")")
                left = .inList(left, items, negated: negated)
            } else {
                return left
            }
        }
    }

    mutating func parseAdditive() throws(SluiceError) -> Expr {
        var left = try parseMultiplicative()
        while true {
            if peek.isSymbol("+") {
                _ = advance()
                left = .binary(.add, left, try parseMultiplicative())
            } else if peek.isSymbol("-") {
                _ = advance()
                left = .binary(.subtract, left, try parseMultiplicative())
            } else {
                return left
            }
        }
    }

    mutating func parseMultiplicative() throws(SluiceError) -> Expr {
        var left = try parseUnary()
        while case .symbol(let s) = peek.kind, let op = [
            "*": BinaryOperator.multiply, "/": .divide, "%": .modulo,
        ][s] {
            _ = advance()
            left = .binary(op, left, try parseUnary())
        }
        return left
    }

    mutating func parseUnary() throws(SluiceError) -> Expr {
        if peek.isSymbol("-") {
            _ = advance()
            // `-9223372036854775808` is the one integer whose magnitude does not fit Int64.
            if case .number(let digits, isInteger: true) = peek.kind, digits.trimmingLeadingZeros == "9223372036854775808",
                !peekNext.isSymbol("^")
            {
                _ = advance()
                return .literal(.int(.min))
            }
            let operand = try parseUnary()
            switch operand {
            case .literal(.int(let v)) where v != .min: return .literal(.int(-v))
            case .literal(.double(let v)): return .literal(.double(-v))
            default: return .unary(.negate, operand)
            }
        }
        if peek.isSymbol("+") {
            _ = advance()
            return try parseUnary()
        }
        return try parsePower()
    }

    mutating func parsePower() throws(SluiceError) -> Expr {
        let base = try parsePrimary()
        if peek.isSymbol("^") {
            _ = advance()
            return .binary(.power, base, try parseUnary())
        }
        return base
    }

    mutating func parsePrimary() throws(SluiceError) -> Expr {
        let t = advance()
        switch t.kind {
        case .number(let text, let isInteger):
            if isInteger, let v = Int64(text) { return .literal(.int(v)) }
            guard let d = Double(text) else { throw unexpected(t) }
            return .literal(.double(d))
        case .string(let s):
            return .literal(.string(s))
        case .quotedIdentifier(let name):
            return .column(name)
        case .identifier(let name):
            switch name.lowercased() {
            case "true": return .literal(.bool(true))
            case "false": return .literal(.bool(false))
            case "null": return .literal(.null)
            case "and", "or", "not", "is", "in": throw unexpected(t)
            default: break
            }
            guard peek.isSymbol("(") else { return .column(name) }
            _ = advance()
            var args: [Expr] = []
            if peek.isSymbol("*") {
                // `count(*)`: SQL's spelling of a call over rows rather than a value.
                _ = advance()
                try expect(")")
                return .call(name.lowercased(), [])
            }
            if !peek.isSymbol(")") {
                args.append(try parseOr())
                while peek.isSymbol(",") {
                    _ = advance()
                    args.append(try parseOr())
                }
            }
            try expect(")")
            return .call(name.lowercased(), args)
        case .symbol("("):
            let inner = try parseOr()
            try expect(")")
            return inner
        default:
            throw unexpected(t)
        }
    }
}

extension String {
    fileprivate var trimmingLeadingZeros: Substring {
        let s = drop { $0 == "0" }
        return s.isEmpty ? "0" : s
    }
}
