import SluiceCore

/// Decides from statistics alone whether a filter expression can be true for any row of a row
/// group (or of a partition folder, whose values are one constant per column).
///
/// Conservative by construction: it answers "no row can match" only for shapes it understands —
/// `column <op> literal` (either side), `and`, `or`, `in (literals)`, `is [not] null` — and only
/// when the bounds prove it; every other shape, missing statistics, or a literal it cannot put in
/// the column's terms counts as "may match".
public struct RowGroupPruning: Sendable {
    /// The statistics of each column by name, with the column's type and the row count.
    public typealias Lookup = (String) -> (stats: ColumnStatistics, type: DataType)?

    public let filter: Expr

    /// A pruning rule for `filter` (the whole `filter` transform or source filter expression).
    public init(_ filter: Expr) {
        self.filter = filter
    }

    /// False only when no row of a group with `rows` rows and these statistics can satisfy the filter.
    public func mayMatch(rows: Int, _ lookup: Lookup) -> Bool {
        rows == 0 ? false : Self.mayMatch(filter, rows: rows, lookup)
    }

    static func mayMatch(_ e: Expr, rows: Int, _ lookup: Lookup) -> Bool {
        switch e {
        case .binary(.and, let l, let r):
            return mayMatch(l, rows: rows, lookup) && mayMatch(r, rows: rows, lookup)
        case .binary(.or, let l, let r):
            return mayMatch(l, rows: rows, lookup) || mayMatch(r, rows: rows, lookup)
        case .binary(let op, let l, let r):
            if case .column(let c) = l, let v = literal(r) { return compare(c, op, v, rows: rows, lookup) }
            if case .column(let c) = r, let v = literal(l), let flipped = flip(op) { return compare(c, flipped, v, rows: rows, lookup) }
            return true
        case .isNull(.column(let c), let negated):
            guard let (s, _) = lookup(c), let nulls = s.nullCount else { return true }
            return negated ? nulls < rows : nulls > 0
        case .inList(.column(let c), let items, negated: false):
            var values: [Scalar] = []
            for item in items {
                guard let v = literal(item) else { return true }
                values.append(v)
            }
            return values.contains { compare(c, .equal, $0, rows: rows, lookup) }
        case .literal(.bool(let b)):
            return b
        default:
            return true
        }
    }

    /// `column op value` over the bounds: false when the bounds prove it false (or null) for
    /// every row.
    static func compare(_ column: String, _ op: BinaryOperator, _ value: Scalar, rows: Int, _ lookup: Lookup) -> Bool {
        guard let (s, type) = lookup(column) else { return true }
        // Every value null: a comparison is null for every row, and a filter keeps none.
        if let n = s.nullCount, n >= rows { return false }
        guard let v = coerce(value, to: type) else { return true }
        let lo = s.min.flatMap { ColumnStatistics.compare($0, v) }
        let hi = s.max.flatMap { ColumnStatistics.compare($0, v) }
        switch op {
        case .equal:
            if let lo, lo > 0 { return false }
            if let hi, hi < 0 { return false }
        case .less:
            if let lo, lo >= 0 { return false }
        case .lessOrEqual:
            if let lo, lo > 0 { return false }
        case .greater:
            if let hi, hi <= 0 { return false }
        case .greaterOrEqual:
            if let hi, hi < 0 { return false }
        case .notEqual:
            // Only when every value is that one value; NaN is never in the bounds but is != anything.
            guard !type.isFloatingPoint, s.isMinExact, s.isMaxExact, lo == 0, hi == 0 else { return true }
            return false
        default:
            return true
        }
        return true
    }

    /// The literal of a constant operand (a negated number counts), nil otherwise.
    static func literal(_ e: Expr) -> Scalar? {
        switch e {
        case .literal(let s): return s == .null ? nil : s
        case .unary(.negate, .literal(.int(let v))): return v == Int64.min ? nil : .int(-v)
        case .unary(.negate, .literal(.double(let v))): return .double(-v)
        default: return nil
        }
    }

    /// The operator with its operands swapped (`5 < x` is `x > 5`).
    static func flip(_ op: BinaryOperator) -> BinaryOperator? {
        switch op {
        case .equal, .notEqual: op
        case .less: .greater
        case .lessOrEqual: .greaterOrEqual
        case .greater: .less
        case .greaterOrEqual: .lessOrEqual
        default: nil
        }
    }

    /// The literal in the terms the statistics use for a column of `type` (dates and timestamps
    /// from their text, as the expression binder parses them); nil when there is no exact match.
    static func coerce(_ v: Scalar, to type: DataType) -> Scalar? {
        switch (type, v) {
        case (.date, .string(let s)): return CivilTime.parseDate(s).map { .date($0) }
        case (.date, .date): return v
        case (.timestamp(let u), .string(let s)): return CivilTime.parseTimestamp(s, unit: u).map { .timestamp($0, u) }
        case (.timestamp(let u), .timestamp(let x, let w)):
            if u == w { return v }
            // Convert only when exact, e.g. seconds to milliseconds.
            if u.perSecond >= w.perSecond {
                let (m, o) = x.multipliedReportingOverflow(by: u.perSecond / w.perSecond)
                return o ? nil : .timestamp(m, u)
            }
            let d = w.perSecond / u.perSecond
            return x % d == 0 ? .timestamp(x / d, u) : nil
        case (.int32, .int), (.int64, .int), (.float32, .int), (.float64, .int), (.int32, .double), (.int64, .double),
            (.float32, .double), (.float64, .double):
            return v
        case (.string, .string), (.dictionary, .string): return v
        case (.bool, .bool): return v
        default: return nil
        }
    }
}

extension ParquetFileReader {
    /// Whether row group `rowGroup` may hold a row for which `pruning`'s filter is true, judged
    /// by its column statistics; `extra` supplies values of columns the file does not have
    /// (partition folders), looked up first.
    public func mayMatch(rowGroup: Int, _ pruning: RowGroupPruning, extra: RowGroupPruning.Lookup = { _ in nil }) -> Bool {
        guard rowGroup >= 0, rowGroup < metadata.rowGroups.count else { return true }
        let types = Dictionary(schema.fields.map { ($0.name, $0.type) }, uniquingKeysWith: { a, _ in a })
        return pruning.mayMatch(rows: rowCount(ofRowGroup: rowGroup)) { name in
            if let e = extra(name) { return e }
            guard let type = types[name], let s = try? self.statistics(rowGroup: rowGroup, column: name) else { return nil }
            return (stats: s, type: type)
        }
    }
}
