/// The functions a `BoundExpression` knows. Names are case-insensitive.
///
/// | function | result |
/// | --- | --- |
/// | `coalesce(a, b, …)` | the first non-null argument |
/// | `greatest(…)`, `least(…)` | the largest / smallest argument, ignoring nulls (null only if all are) |
/// | `if(cond, a, b)` | `a` where `cond` is true, else `b` (a null condition counts as false) |
/// | `date(x)` | timestamp → its UTC date; string → parsed date (null if it does not parse); date → itself |
/// | `to_timestamp(x[, unit])` | integer epoch value in `unit` (`'s'` default, `'ms'`, `'us'`, `'ns'`) → timestamp(unit); string → parsed ISO-8601, timestamp(us) or `unit` |
/// | `year(x)`, `month(x)`, `day(x)`, `hour(x)`, `minute(x)` | int32 part of a date or timestamp (UTC) |
/// | `date_trunc(unit, x)` | `x` truncated to `'year'`, `'month'`, `'day'`, `'hour'`, `'minute'` or `'second'`; same type |
/// | `lower(s)`, `upper(s)`, `trim(s)` | string (dictionary in, dictionary out); `trim` strips spaces, tabs, CR, LF |
/// | `length(s)` | int32 count of characters (Unicode code points) |
/// | `concat(a, …)` | arguments as text, joined; nulls are skipped (never null) |
/// | `substr(s, start[, length])` | characters from 1-based `start`, SQL-style |
/// | `matches(s, 'regex')` | bool: POSIX extended regex search |
/// | `abs(x)`, `floor(x)`, `ceil(x)`, `round(x[, digits])` | numeric |
/// | `cast(x, 'type')` | `x` as any type `DataType(parsing:)` accepts; unparsable strings give null |
/// | `parse_labels(s)` | operator labels `label_k:v\|label_k2:v2` → JSON `{"k":"v","k2":"v2"}`, keys sorted |
/// | `merge_labels(a, b, …)` | JSON label maps merged, later arguments winning (Trino's `map_concat`) |
/// | `filter_labels(m, 'k', …)` | a JSON label map with only the listed keys |
public enum ExpressionFunctions {
    /// Every function name `BoundExpression` accepts (aliases included).
    public static let names: [String] = [
        "abs", "cast", "ceil", "ceiling", "coalesce", "concat", "date", "date_trunc", "day", "floor", "greatest",
        "filter_labels", "hour", "if", "least", "length", "lower", "matches", "merge_labels", "minute", "month",
        "parse_labels", "round", "substr", "substring", "to_timestamp", "trim", "upper", "year",
    ]

    /// Aggregates are parsed like any call but only mean something in an aggregate's `compute`.
    public static let aggregates: Set<String> = [
        "sum", "min", "max", "count", "avg", "mean", "first", "last", "any", "count_distinct",
    ]
}

extension ExpressionBinder {
    func bindCall(_ name: String, _ args: [BoundNode], _ e: Expr) throws(SluiceError) -> BoundNode {
        switch name {
        case "coalesce": return try bindCoalesce(args, e)
        case "greatest": return try bindGreatestLeast(greatest: true, args, e)
        case "least": return try bindGreatestLeast(greatest: false, args, e)
        case "if": return try bindIf(args, e)
        case "date": return try bindDate(args, e)
        case "to_timestamp": return try bindToTimestamp(args, e)
        case "year", "month", "day", "hour", "minute": return try bindDatePart(name, args, e)
        case "date_trunc": return try bindDateTrunc(args, e)
        case "lower", "upper", "trim": return try bindStringMap(name, args, e)
        case "length": return try bindLength(args, e)
        case "concat": return try bindConcat(args, e)
        case "substr", "substring": return try bindSubstr(name, args, e)
        case "matches": return try bindMatches(args, e)
        case "abs", "floor", "ceil", "ceiling": return try bindNumericMap(name, args, e)
        case "round": return try bindRound(args, e)
        case "cast": return try bindCast(args, e)
        case "parse_labels": return try bindParseLabels(args, e)
        case "merge_labels": return try bindMergeLabels(args, e)
        case "filter_labels": return try bindFilterLabels(args, e)
        default:
            if ExpressionFunctions.aggregates.contains(name) {
                throw .expression(
                    "aggregate function '\(name)' is not allowed in a row expression ('\(e)'); use it in an aggregate's compute")
            }
            var message = "unknown function '\(name)' in '\(e)';"
            if let s = Self.closest(to: name, in: ExpressionFunctions.names) { message += " did you mean '\(s)'?" }
            throw .expression(message + " known functions: " + ExpressionFunctions.names.joined(separator: ", "))
        }
    }

    func checkArity(_ name: String, _ args: [BoundNode], _ range: ClosedRange<Int>, _ e: Expr) throws(SluiceError) {
        guard !range.contains(args.count) else { return }
        let expected =
            range.lowerBound == range.upperBound
            ? "\(range.lowerBound) argument\(range.lowerBound == 1 ? "" : "s")"
            : "\(range.lowerBound) to \(range.upperBound) arguments"
        throw .expression("function '\(name)' takes \(expected), got \(args.count) in '\(e)'")
    }

    func checkArity(_ name: String, _ args: [BoundNode], atLeast n: Int, _ e: Expr) throws(SluiceError) {
        guard args.count < n else { return }
        throw .expression("function '\(name)' takes at least \(n) argument\(n == 1 ? "" : "s"), got \(args.count) in '\(e)'")
    }

    /// An argument that must be a string known when binding (a unit, a type name, a pattern).
    func literalString(_ n: BoundNode, _ what: String, of function: String, _ e: Expr) throws(SluiceError) -> String {
        guard case .string(let s)? = n.constant else {
            throw .expression("function '\(function)' expects \(what) as a string literal, got '\(n.expr)' in '\(e)'")
        }
        return s
    }

    /// An argument that must be an integer known when binding.
    func literalInt(_ n: BoundNode, _ what: String, of function: String, _ e: Expr) throws(SluiceError) -> Int64 {
        guard case .int(let v)? = n.constant else {
            throw .expression("function '\(function)' expects \(what) as an integer literal, got '\(n.expr)' in '\(e)'")
        }
        return v
    }

    /// "function 'year' expects a date or timestamp, got string in 'year(name)'".
    func argumentError(_ function: String, expects: String, got n: BoundNode, _ e: Expr) -> SluiceError {
        .expression("function '\(function)' expects \(expects), got \(n.typeName) in '\(e)'")
    }
}
