/// Turns an `Expr` into a tree of `BoundNode`s: resolves columns, checks types, picks a kernel
/// specialization per node and folds constant sub-expressions by running their kernels once on a
/// one-row batch. All dispatching on types happens here, so evaluation only runs kernels.
///
/// The binding of each kind of node lives beside its kernels (`ArithmeticKernels.swift`,
/// `ComparisonKernels.swift`, …); this file holds the walk and the shared type rules.
struct ExpressionBinder {
    let schema: Schema

    func bind(_ e: Expr) throws(SluiceError) -> BoundNode {
        switch e {
        case .literal(let s):
            return BoundNode(type: Self.literalType(s), form: .constant(s), expr: e)
        case .column(let name):
            return try bindColumn(name, e)
        case .unary(.negate, let x):
            return try bindNegate(try bind(x), e)
        case .unary(.not, let x):
            return try bindNot(try bind(x), e)
        case .binary(let op, let l, let r):
            let left = try bind(l)
            let right = try bind(r)
            if op == .and || op == .or { return try bindLogical(op, left, right, e) }
            if op.isComparison { return try bindComparison(op, left, right, e) }
            return try bindArithmetic(op, left, right, e)
        case .isNull(let x, let negated):
            return try bindIsNull(try bind(x), negated: negated, e)
        case .inList(let x, let items, let negated):
            var bound: [BoundNode] = []
            for item in items { bound.append(try bind(item)) }
            return try bindIn(try bind(x), bound, negated: negated, e)
        case .call(let name, let args):
            var bound: [BoundNode] = []
            for a in args { bound.append(try bind(a)) }
            return try bindCall(name.lowercased(), bound, e)
        }
    }

    static func literalType(_ s: Scalar) -> DataType? {
        switch s {
        case .null: nil
        case .bool: .bool
        case .int: .int64
        case .double: .float64
        case .string: .string
        case .date: .date
        case .timestamp(_, let unit): .timestamp(unit)
        }
    }

    // MARK: Columns

    private func bindColumn(_ name: String, _ e: Expr) throws(SluiceError) -> BoundNode {
        guard let index = schema.index(of: name) else { throw unknownColumn(name) }
        let field = schema[index]
        let evaluate: Evaluator = { batch throws(SluiceError) in
            if index < batch.columns.count, batch.schema[index] == field { return batch.columns[index] }
            // A batch with the columns in another order (or more of them) still works by name.
            guard let c = batch.column(named: field.name), c.type == field.type else {
                throw .expression("column '\(field.name)' (\(field.type)) is not in the batch; batch columns: \(batch.schema)")
            }
            return c
        }
        return BoundNode(type: field.type, form: .computed(evaluate), expr: e)
    }

    private func unknownColumn(_ name: String) -> SluiceError {
        let names = schema.names
        var message = "unknown column '\(name)';"
        if let suggestion = Self.closest(to: name, in: names) { message += " did you mean '\(suggestion)'?" }
        let shown = names.count > 50 ? names.prefix(50).joined(separator: ", ") + ", …" : names.joined(separator: ", ")
        message += names.isEmpty ? " the schema has no columns" : " columns: \(shown)"
        return .expression(message)
    }

    /// The name nearest to `name` by edit distance (case-insensitive), if near enough to be a typo.
    static func closest(to name: String, in names: [String]) -> String? {
        let target = Array(name.lowercased().unicodeScalars)
        let limit = max(1, min(3, target.count / 3))
        var best: (name: String, distance: Int)? = nil
        for candidate in names {
            let d = editDistance(target, Array(candidate.lowercased().unicodeScalars))
            if d <= limit, d < (best?.distance ?? .max) { best = (candidate, d) }
        }
        return best?.name
    }

    private static func editDistance(_ a: [Unicode.Scalar], _ b: [Unicode.Scalar]) -> Int {
        if a.isEmpty { return b.count }
        if b.isEmpty { return a.count }
        var previous = Array(0...b.count)
        var current = Array(repeating: 0, count: b.count + 1)
        for i in 1...a.count {
            current[0] = i
            for j in 1...b.count {
                current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
            }
            swap(&previous, &current)
        }
        return previous[b.count]
    }

    // MARK: Node construction

    static let unitBatch = RecordBatch(schema: Schema([]), columns: [], count: 1)

    /// A node computed by `evaluate`, or, when every input is a constant, its value computed now.
    func node(_ type: DataType?, _ e: Expr, inputs: [BoundNode], _ evaluate: @escaping Evaluator) throws(SluiceError)
        -> BoundNode
    {
        guard inputs.allSatisfy(\.isConstant) else { return BoundNode(type: type, form: .computed(evaluate), expr: e) }
        let c = try evaluate(Self.unitBatch)
        return BoundNode(type: type, form: .constant(c.count == 1 ? c.scalar(at: 0) : .null), expr: e)
    }

    func constant(_ value: Scalar, _ type: DataType?, _ e: Expr) -> BoundNode {
        BoundNode(type: type, form: .constant(value), expr: e)
    }

    /// For operations that are null when any input is: the null constant if an input is one.
    func nullIfAnyNull(_ type: DataType?, _ e: Expr, _ inputs: [BoundNode]) -> BoundNode? {
        inputs.contains(where: \.isNullConstant) ? constant(.null, type, e) : nil
    }

    // MARK: Type rules

    /// The type that `nodes` convert to when they meet (in `coalesce`, `if`, `greatest`, `in`, …):
    /// numbers widen (ints to int64, anything with a float to float64); strings and dictionaries
    /// give string; a date meets a timestamp as a timestamp, two timestamps in the finer unit.
    /// An integer literal adapts to an int32 or float partner and a string literal to a date or
    /// timestamp partner (it is parsed by `coerce`). nil when every node is an untyped null.
    func commonType(_ nodes: [BoundNode], _ what: String, _ e: Expr) throws(SluiceError) -> DataType? {
        func isAdaptable(_ n: BoundNode) -> Bool {
            switch n.constant {
            case .int?, .string?: return true
            default: return false
            }
        }
        var result: DataType? = nil
        func merge(_ n: BoundNode) throws(SluiceError) {
            guard let t = n.type else { return }
            guard let r = result else {
                result = t
                return
            }
            guard let u = Self.unify(r, t) else {
                let types = nodes.map(\.typeName).joined(separator: ", ")
                throw .expression("\(what) cannot combine values of types \(types) in '\(e)'")
            }
            result = u
        }
        for n in nodes where !isAdaptable(n) { try merge(n) }
        for n in nodes where isAdaptable(n) {
            switch (result, n.constant) {
            case (.int32?, .int(let v)?) where Int32(exactly: v) != nil: continue
            case (.float32?, .int?): continue
            case (.date?, .string?), (.timestamp?, .string?): continue
            default: try merge(n)
            }
        }
        return result
    }

    static func unify(_ a: DataType, _ b: DataType) -> DataType? {
        if a == b { return a == .dictionary ? .string : a }
        switch (a, b) {
        case _ where a.isNumeric && b.isNumeric:
            if a.isInteger && b.isInteger { return .int64 }
            return .float64
        case _ where a.isStringLike && b.isStringLike: return .string
        case (.date, .timestamp), (.timestamp, .date): return a == .date ? b : a
        case (.timestamp(let u), .timestamp(let v)): return .timestamp(u.perSecond >= v.perSecond ? u : v)
        default: return nil
        }
    }

    /// `n` converted to `type`: constants now (a string literal meeting a date or timestamp is
    /// parsed, and must parse), columns through a cast kernel at evaluation.
    func coerce(_ n: BoundNode, to type: DataType) throws(SluiceError) -> BoundNode {
        guard let from = n.type else { return BoundNode(type: type, form: n.form, expr: n.expr) }
        if from == type { return n }
        switch n.form {
        case .constant(let s):
            if case .string(let text) = s, type == .date || type.isTimestamp {
                return constant(try Self.parseTemporalLiteral(text, as: type, n.expr), type, n.expr)
            }
            guard let kernel = CastKernels.kernel(from: from, to: type) else { throw cannotConvert(n, to: type) }
            let c = try kernel(Column.make(from, [s]))
            return constant(c.scalar(at: 0), type, n.expr)
        case .computed(let inner):
            guard let kernel = CastKernels.kernel(from: from, to: type) else { throw cannotConvert(n, to: type) }
            return BoundNode(type: type, form: .computed({ batch throws(SluiceError) in try kernel(try inner(batch)) }), expr: n.expr)
        }
    }

    private func cannotConvert(_ n: BoundNode, to type: DataType) -> SluiceError {
        .expression("cannot convert \(n.typeName) to \(type) in '\(n.expr)'")
    }

    /// A date or timestamp written as a string literal, checked when binding.
    static func parseTemporalLiteral(_ text: String, as type: DataType, _ e: Expr) throws(SluiceError) -> Scalar {
        switch type {
        case .date:
            if let d = CivilTime.parseDate(text) { return .date(d) }
            throw .expression("'\(text)' is not a valid date (expected YYYY-MM-DD) in '\(e)'")
        case .timestamp(let unit):
            if let v = CivilTime.parseTimestamp(text, unit: unit) { return .timestamp(v, unit) }
            throw .expression(
                "'\(text)' is not a valid timestamp (expected YYYY-MM-DD[THH:MM[:SS[.fff]]][Z|±HH:MM]) in '\(e)'")
        default:
            return .string(text)
        }
    }

    // MARK: Messages

    /// "operator '+' expects numbers, got string and int64 in 'name + 1'".
    func typeError(_ what: String, expects: String, got nodes: [BoundNode], _ e: Expr) -> SluiceError {
        let got = nodes.map(\.typeName)
        let list = got.count == 2 ? "\(got[0]) and \(got[1])" : got.joined(separator: ", ")
        return .expression("\(what) expects \(expects), got \(list) in '\(e)'")
    }
}

extension DataType {
    var isTimestamp: Bool {
        if case .timestamp = self { return true }
        return false
    }

    var isTemporal: Bool { self == .date || isTimestamp }

    /// The timestamp unit, or nil for other types.
    var timeUnit: TimeUnit? {
        if case .timestamp(let u) = self { return u }
        return nil
    }
}
