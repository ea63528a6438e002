/// A boolean operand: a column or a constant (`nil` is a null constant).
enum BitOperand: Sendable {
    case constant(Bool?)
    case column(Evaluator)

    init(_ n: BoundNode) {
        switch n.form {
        case .constant(let s):
            if case .bool(let b) = s { self = .constant(b) } else { self = .constant(nil) }
        case .computed(let e): self = .column(e)
        }
    }

    /// Value and validity words for `batch`.
    func read(_ batch: RecordBatch) throws(SluiceError) -> BitSource {
        switch self {
        case .constant(let b):
            return BitSource(values: WordReader(constant: b ?? false), validity: WordReader(constant: b != nil), column: nil)
        case .column(let e):
            let c = try e(batch)
            return BitSource(values: WordReader(valuesOf: c), validity: WordReader(validityOf: c), column: c)
        }
    }
}

/// The words of a boolean operand; `column` keeps its buffers alive.
struct BitSource {
    let values: WordReader
    let validity: WordReader
    let column: Column?

    /// True when no row of this operand is null.
    var hasNoNulls: Bool { validity.isConstant && validity.fill != 0 }
}

/// Three-valued `and`: false if either side is false, else null if either is null, else true.
func logicalAnd(_ a: BitSource, _ b: BitSource, count n: Int) -> Column {
    let values = Bits.make(count: n) { w in
        a.values.word(w) & a.validity.word(w) & b.values.word(w) & b.validity.word(w)
    }
    let validity: Validity
    if a.hasNoNulls && b.hasNoNulls {
        validity = .allValid
    } else {
        validity = Validity(
            Bits.make(count: n) { w in
                let am = a.validity.word(w)
                let bm = b.validity.word(w)
                return (am & bm) | (am & ~a.values.word(w)) | (bm & ~b.values.word(w))
            }, count: n)
    }
    withExtendedLifetime((a.column, b.column)) {}
    return makeBoolColumn(values, validity, count: n)
}

/// Three-valued `or`: true if either side is true, else null if either is null, else false.
func logicalOr(_ a: BitSource, _ b: BitSource, count n: Int) -> Column {
    let values = Bits.make(count: n) { w in
        (a.values.word(w) & a.validity.word(w)) | (b.values.word(w) & b.validity.word(w))
    }
    let validity: Validity
    if a.hasNoNulls && b.hasNoNulls {
        validity = .allValid
    } else {
        validity = Validity(
            Bits.make(count: n) { w in
                let am = a.validity.word(w)
                let bm = b.validity.word(w)
                return (am & bm) | (am & a.values.word(w)) | (bm & b.values.word(w))
            }, count: n)
    }
    withExtendedLifetime((a.column, b.column)) {}
    return makeBoolColumn(values, validity, count: n)
}

extension ExpressionBinder {
    /// `and` / `or` with SQL's three-valued logic. A true or false constant side simplifies the
    /// node away (`x and true` is `x`, `x or true` is true).
    func bindLogical(_ op: BinaryOperator, _ l: BoundNode, _ r: BoundNode, _ e: Expr) throws(SluiceError) -> BoundNode {
        guard l.type == .bool || l.type == nil, r.type == .bool || r.type == nil else {
            throw typeError("operator '\(op.rawValue)'", expects: "booleans", got: [l, r], e)
        }
        let isAnd = op == .and
        for (side, other) in [(l, r), (r, l)] {
            guard case .bool(let b)? = side.constant else { continue }
            // Identity element: the other side decides. Absorbing element: the result is fixed.
            if b == isAnd { return BoundNode(type: .bool, form: other.form, expr: e) }
            return constant(.bool(b), .bool, e)
        }
        let a = BitOperand(l)
        let b = BitOperand(r)
        let evaluate: Evaluator = { batch throws(SluiceError) in
            let x = try a.read(batch)
            let y = try b.read(batch)
            return isAnd ? logicalAnd(x, y, count: batch.count) : logicalOr(x, y, count: batch.count)
        }
        return try node(.bool, e, inputs: [l, r], evaluate)
    }

    func bindNot(_ x: BoundNode, _ e: Expr) throws(SluiceError) -> BoundNode {
        guard x.type == .bool || x.type == nil else {
            throw .expression("operator 'not' expects a boolean, got \(x.typeName) in '\(e)'")
        }
        if let null = nullIfAnyNull(.bool, e, [x]) { return null }
        let operand = BitOperand(x)
        let evaluate: Evaluator = { batch throws(SluiceError) in
            let s = try operand.read(batch)
            let n = batch.count
            let values = Bits.make(count: n) { ~s.values.word($0) }
            let result = makeBoolColumn(values, s.column.map(Validity.init(of:)) ?? .allValid, count: n)
            withExtendedLifetime(s.column) {}
            return result
        }
        return try node(.bool, e, inputs: [x], evaluate)
    }

    /// `is null` / `is not null`: never null itself; reads only the validity bitmap.
    func bindIsNull(_ x: BoundNode, negated: Bool, _ e: Expr) throws(SluiceError) -> BoundNode {
        if let s = x.constant { return constant(.bool(s.isNull != negated), .bool, e) }
        let inner = x.evaluator
        let evaluate: Evaluator = { batch throws(SluiceError) in
            let c = try inner(batch)
            let r = WordReader(validityOf: c)
            let n = batch.count
            let values = Bits.make(count: n) { negated ? r.word($0) : ~r.word($0) }
            withExtendedLifetime(c) {}
            return makeBoolColumn(values, .allValid, count: n)
        }
        return BoundNode(type: .bool, form: .computed(evaluate), expr: e)
    }
}
