/// An operator with one operand.
public enum UnaryOperator: String, Sendable, Hashable {
    /// Arithmetic negation, `-x`.
    case negate = "-"
    /// Boolean negation, `not x`.
    case not
}

/// An operator with two operands, spelled as `description` prints it.
public enum BinaryOperator: String, Sendable, Hashable, CaseIterable {
    case or, and
    case equal = "=", notEqual = "!=", less = "<", lessOrEqual = "<=", greater = ">", greaterOrEqual = ">="
    case add = "+", subtract = "-", multiply = "*", divide = "/", modulo = "%", power = "^"

    /// Binding strength: higher binds tighter. Also decides where `description` needs parentheses.
    var precedence: ExprPrecedence {
        switch self {
        case .or: .or
        case .and: .and
        case .equal, .notEqual, .less, .lessOrEqual, .greater, .greaterOrEqual: .comparison
        case .add, .subtract: .additive
        case .multiply, .divide, .modulo: .multiplicative
        case .power: .power
        }
    }

    var isComparison: Bool { precedence == .comparison }
    var isArithmetic: Bool { precedence >= .additive }
}

/// Precedence levels of the expression grammar, lowest first.
enum ExprPrecedence: Int, Comparable {
    case or = 1, and, not, comparison, additive, multiplicative, unary, power, primary

    static func < (a: ExprPrecedence, b: ExprPrecedence) -> Bool { a.rawValue < b.rawValue }
}

/// The syntax tree of an expression as written in a pipeline (`derive`, `filter`, aggregate
/// arguments). It carries no types: `BoundExpression` resolves it against a schema.
///
/// `description` prints it back as source text with only the parentheses the grammar needs, so
/// `ExpressionParser.parse(e.description) == e`.
public indirect enum Expr: Sendable, Equatable, CustomStringConvertible {
    /// A constant: `.null`, `.bool`, `.int`, `.double` or `.string` from the parser; `.date` and
    /// `.timestamp` may be built in code.
    case literal(Scalar)
    /// A column of the batch, by exact name.
    case column(String)
    case unary(UnaryOperator, Expr)
    case binary(BinaryOperator, Expr, Expr)
    /// `x is null`, or `x is not null` when `negated`.
    case isNull(Expr, negated: Bool)
    /// `x in (a, b, …)`, or `x not in (…)` when `negated`.
    case inList(Expr, [Expr], negated: Bool)
    /// A function call; the parser stores the name in lower case.
    case call(String, [Expr])

    public var description: String { render(self) }

    /// Every column this expression reads, for projection pushdown.
    public var columnReferences: Set<String> {
        var names = Set<String>()
        collectColumns(into: &names)
        return names
    }

    private func collectColumns(into names: inout Set<String>) {
        switch self {
        case .literal: break
        case .column(let name): names.insert(name)
        case .unary(_, let e), .isNull(let e, _): e.collectColumns(into: &names)
        case .binary(_, let l, let r):
            l.collectColumns(into: &names)
            r.collectColumns(into: &names)
        case .inList(let e, let items, _):
            e.collectColumns(into: &names)
            for item in items { item.collectColumns(into: &names) }
        case .call(_, let args):
            for a in args { a.collectColumns(into: &names) }
        }
    }

    var precedence: ExprPrecedence {
        switch self {
        case .literal(let s):
            switch s {
            case .int(let v) where v < 0: return .unary
            case .double(let v) where v.sign == .minus && !v.isNaN: return .unary
            default: return .primary
            }
        case .column, .call: return .primary
        case .unary(.negate, _): return .unary
        case .unary(.not, _): return .not
        case .binary(let op, _, _): return op.precedence
        case .isNull, .inList: return .comparison
        }
    }
}

// MARK: - Printing

/// Words the lexer treats as keywords; a column with such a name is printed quoted.
let exprKeywords: Set<String> = ["and", "or", "not", "is", "null", "in", "true", "false"]

private func render(_ e: Expr) -> String {
    switch e {
    case .literal(let s): return renderLiteral(s)
    case .column(let name): return renderIdentifier(name)
    case .unary(.negate, let x):
        // `-(-a)` rather than `--a`.
        return "-" + wrap(x, above: .unary)
    case .unary(.not, let x):
        return "not " + wrap(x, atLeast: .not)
    case .binary(let op, let l, let r):
        let p = op.precedence
        let left: String
        let right: String
        if op == .power {
            // Right-associative, and its right operand may be a unary minus: `2 ^ -3`.
            left = wrap(l, above: .power)
            right = wrap(r, atLeast: .unary)
        } else {
            left = wrap(l, atLeast: p)
            right = wrap(r, above: p)
        }
        return "\(left) \(op.rawValue) \(right)"
    case .isNull(let x, let negated):
        return wrap(x, atLeast: .comparison) + (negated ? " is not null" : " is null")
    case .inList(let x, let items, let negated):
        let list = items.map(\.description).joined(separator: ", ")
        return wrap(x, atLeast: .comparison) + (negated ? " not in (" : " in (") + list + ")"
    case .call(let name, let args):
        return renderIdentifier(name, call: true) + "(" + args.map(\.description).joined(separator: ", ") + ")"
    }
}

private func wrap(_ e: Expr, atLeast p: ExprPrecedence) -> String {
    e.precedence >= p ? e.description : "(\(e.description))"
}

private func wrap(_ e: Expr, above p: ExprPrecedence) -> String {
    e.precedence > p ? e.description : "(\(e.description))"
}

private func renderLiteral(_ s: Scalar) -> String {
    switch s {
    case .null: return "null"
    case .bool(let b): return b ? "true" : "false"
    case .int(let v): return String(v)
    case .double(let v):
        if v.isNaN || v.isInfinite { return "cast('\(v.isNaN ? "nan" : v < 0 ? "-inf" : "inf")', 'float64')" }
        // Swift's shortest round-trip form; ensure it reads back as a decimal, not an integer.
        let text = "\(v)"
        return text.contains(where: { $0 == "." || $0 == "e" || $0 == "E" }) ? text : text + ".0"
    case .string(let str): return quoteString(str)
    case .date(let d): return "cast(\(quoteString(CivilTime.formatDate(days: d))), 'date')"
    case .timestamp(let v, let unit):
        let type = DataType.timestamp(unit).description
        return "cast(\(quoteString(CivilTime.formatTimestamp(v, unit: unit))), '\(type)')"
    }
}

func quoteString(_ s: String) -> String {
    "'" + s.replacingAll("'", with: "''") + "'"
}

private func renderIdentifier(_ name: String, call: Bool = false) -> String {
    if isBareIdentifier(name) && (call || !exprKeywords.contains(name.lowercased())) { return name }
    return "\"" + name.replacingAll("\"", with: "\"\"") + "\""
}

private func isBareIdentifier(_ name: String) -> Bool {
    guard let first = name.utf8.first, isIdentifierStart(first) else { return false }
    return name.utf8.allSatisfy(isIdentifierContinue)
}

@inline(__always) func isIdentifierStart(_ c: UInt8) -> Bool {
    (c >= 0x61 && c <= 0x7A) || (c >= 0x41 && c <= 0x5A) || c == 0x5F
}

@inline(__always) func isIdentifierContinue(_ c: UInt8) -> Bool {
    isIdentifierStart(c) || (c >= 0x30 && c <= 0x39) || c == 0x2E
}

extension String {
    /// Replaces every occurrence of a single character; avoids Foundation in the core.
    func replacingAll(_ target: Character, with replacement: String) -> String {
        guard contains(target) else { return self }
        var out = ""
        out.reserveCapacity(count + 2)
        for c in self {
            if c == target { out += replacement } else { out.append(c) }
        }
        return out
    }
}
