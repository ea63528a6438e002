/// One comparison operator. `>` and `>=` are `<` and `<=` with the operands swapped, which halves
/// the number of specialized loops.
protocol ComparisonOp: SendableMetatype {
    static func test<T: Comparable>(_ a: T, _ b: T) -> Bool
    static func test(bytes a: UnsafeRawBufferPointer, _ b: UnsafeRawBufferPointer) -> Bool
    /// The operator on 64 booleans at once (false < true).
    static func test(words a: UInt64, _ b: UInt64) -> UInt64
}

enum EqualOp: ComparisonOp {
    @inline(__always) static func test<T: Comparable>(_ a: T, _ b: T) -> Bool { a == b }
    @inline(__always) static func test(bytes a: UnsafeRawBufferPointer, _ b: UnsafeRawBufferPointer) -> Bool {
        bytesEqual(a, b)
    }
    @inline(__always) static func test(words a: UInt64, _ b: UInt64) -> UInt64 { ~(a ^ b) }
}

enum NotEqualOp: ComparisonOp {
    @inline(__always) static func test<T: Comparable>(_ a: T, _ b: T) -> Bool { a != b }
    @inline(__always) static func test(bytes a: UnsafeRawBufferPointer, _ b: UnsafeRawBufferPointer) -> Bool {
        !bytesEqual(a, b)
    }
    @inline(__always) static func test(words a: UInt64, _ b: UInt64) -> UInt64 { a ^ b }
}

enum LessOp: ComparisonOp {
    @inline(__always) static func test<T: Comparable>(_ a: T, _ b: T) -> Bool { a < b }
    @inline(__always) static func test(bytes a: UnsafeRawBufferPointer, _ b: UnsafeRawBufferPointer) -> Bool {
        compareBytes(a, b) < 0
    }
    @inline(__always) static func test(words a: UInt64, _ b: UInt64) -> UInt64 { ~a & b }
}

enum LessOrEqualOp: ComparisonOp {
    @inline(__always) static func test<T: Comparable>(_ a: T, _ b: T) -> Bool { a <= b }
    @inline(__always) static func test(bytes a: UnsafeRawBufferPointer, _ b: UnsafeRawBufferPointer) -> Bool {
        compareBytes(a, b) <= 0
    }
    @inline(__always) static func test(words a: UInt64, _ b: UInt64) -> UInt64 { ~a | b }
}

/// Numeric and temporal comparisons: one loop packing 64 results per word.
struct ComparisonKernel<Op: ComparisonOp, Element: NumericDomain>: NumericKernelBuilder {
    func evaluator<L: OperandReader, R: OperandReader>(_ l: L, _ r: R) -> Evaluator
    where L.Input.Element == Element, R.Input.Element == Element {
        { batch throws(SluiceError) in
            let (a, ac) = try l.read(batch)
            let (b, bc) = try r.read(batch)
            let n = batch.count
            let bits = Bits.fromPredicate(count: n) { Op.test(a[$0], b[$0]) }
            let result = makeBoolColumn(bits, Validity(ac, bc, count: n), count: n)
            withExtendedLifetime((ac, bc)) {}
            return result
        }
    }
}

/// String comparisons between any two of: string column, dictionary column, constant.
struct StringComparison<Op: ComparisonOp>: StringPairKernel {
    func run<A: StringInput, B: StringInput>(_ a: A, _ ac: Column?, _ b: B, _ bc: Column?, count n: Int)
        throws(SluiceError) -> Column
    {
        let bits = Bits.fromPredicate(count: n) { Op.test(bytes: a.bytes($0), b.bytes($0)) }
        return makeBoolColumn(bits, Validity(ac, bc, count: n), count: n)
    }
}

/// A dictionary column against a constant: compares each distinct string once, then spreads the
/// answers to the rows through the indices.
func compareDictionary<Op: ComparisonOp>(
    _: Op.Type, _ c: Column, _ constant: ConstantBytes, constantOnLeft: Bool
) -> Column {
    let k = constant.input.value
    return dictionaryPredicate(c) { s in constantOnLeft ? Op.test(bytes: k, s) : Op.test(bytes: s, k) }
}

extension ExpressionBinder {
    /// Comparisons; see `BoundExpression` for which types compare with which.
    func bindComparison(_ op: BinaryOperator, _ l: BoundNode, _ r: BoundNode, _ e: Expr) throws(SluiceError)
        -> BoundNode
    {
        if let null = nullIfAnyNull(.bool, e, [l, r]) { return null }
        // `a > b` is `b < a`.
        let (a, b) = op == .greater || op == .greaterOrEqual ? (r, l) : (l, r)
        let evaluate: Evaluator
        switch op {
        case .equal: evaluate = try comparison(EqualOp.self, op, a, b, e)
        case .notEqual: evaluate = try comparison(NotEqualOp.self, op, a, b, e)
        case .less, .greater: evaluate = try comparison(LessOp.self, op, a, b, e)
        default: evaluate = try comparison(LessOrEqualOp.self, op, a, b, e)
        }
        return try node(.bool, e, inputs: [l, r], evaluate)
    }

    private func comparison<Op: ComparisonOp>(
        _: Op.Type, _ op: BinaryOperator, _ l: BoundNode, _ r: BoundNode, _ e: Expr
    ) throws(SluiceError) -> Evaluator {
        guard let lt = l.type, let rt = r.type else { throw typeError("operator '\(op.rawValue)'", expects: "values", got: [l, r], e) }
        if lt.isNumeric && rt.isNumeric {
            if lt.isFloatingPoint || rt.isFloatingPoint {
                return buildNumericKernel(
                    ComparisonKernel<Op, Double>(), numericOperand(l, Double.self), numericOperand(r, Double.self))
            }
            return buildNumericKernel(ComparisonKernel<Op, Int64>(), numericOperand(l, Int64.self), numericOperand(r, Int64.self))
        }
        if lt.isTemporal || rt.isTemporal {
            return try temporalComparison(Op.self, op, l, r, e)
        }
        if lt.isStringLike && rt.isStringLike {
            let left = StringOperand(l)
            let right = StringOperand(r)
            switch (left, right) {
            case (.dictionary(let d), .constant(let k)):
                return { batch throws(SluiceError) in compareDictionary(Op.self, try d(batch), k, constantOnLeft: false) }
            case (.constant(let k), .dictionary(let d)):
                return { batch throws(SluiceError) in compareDictionary(Op.self, try d(batch), k, constantOnLeft: true) }
            default:
                return { batch throws(SluiceError) in try StringComparison<Op>().run(left, right, batch) }
            }
        }
        if lt == .bool && rt == .bool {
            let a = BitOperand(l)
            let b = BitOperand(r)
            return { batch throws(SluiceError) in
                let x = try a.read(batch)
                let y = try b.read(batch)
                let n = batch.count
                let values = Bits.make(count: n) { Op.test(words: x.values.word($0), y.values.word($0)) }
                let validity = Validity(x.column, y.column, count: n)
                withExtendedLifetime((x.column, y.column)) {}
                return makeBoolColumn(values, validity, count: n)
            }
        }
        throw typeError(
            "operator '\(op.rawValue)'", expects: "two numbers, strings, booleans, or dates/timestamps", got: [l, r], e)
    }

    /// Dates and timestamps compare on one time line: both sides are brought to the finer unit
    /// (a date is its midnight). A string literal on either side is parsed now, in the other
    /// side's type.
    private func temporalComparison<Op: ComparisonOp>(
        _: Op.Type, _ op: BinaryOperator, _ l: BoundNode, _ r: BoundNode, _ e: Expr
    ) throws(SluiceError) -> Evaluator {
        var l = l
        var r = r
        if let lt = l.type, lt.isTemporal, case .string(let text)? = r.constant {
            r = constant(try Self.parseTemporalLiteral(text, as: lt, e), lt, r.expr)
        } else if let rt = r.type, rt.isTemporal, case .string(let text)? = l.constant {
            l = constant(try Self.parseTemporalLiteral(text, as: rt, e), rt, l.expr)
        }
        guard let lt = l.type, let rt = r.type, lt.isTemporal, rt.isTemporal else {
            throw typeError(
                "operator '\(op.rawValue)'", expects: "a date or timestamp on both sides (or a string literal)",
                got: [l, r], e)
        }
        let unit: TimeUnit? = [lt.timeUnit, rt.timeUnit].compactMap { $0 }.max { $0.perSecond < $1.perSecond }
        func factor(_ t: DataType) -> Int64 {
            guard let unit else { return 1 }
            if let u = t.timeUnit { return unit.perSecond / u.perSecond }
            return 86_400 * unit.perSecond
        }
        return buildNumericKernel(
            ComparisonKernel<Op, Int64>(), temporalOperand(l, factor(lt)), temporalOperand(r, factor(rt)))
    }

    /// A date or timestamp operand multiplied into a finer unit. Multiplication saturates, which
    /// keeps the order: a value beyond Int64 in the finer unit is beyond every value there.
    private func temporalOperand(_ n: BoundNode, _ factor: Int64) -> NumericOperand<Int64> {
        if factor == 1 { return numericOperand(n, Int64.self) }
        switch n.form {
        case .constant(let s):
            return .constant(saturatingMultiply(Int64.fromScalar(s) ?? 0, factor))
        case .computed(let e):
            let isDate = n.type == .date
            return .int64 { batch throws(SluiceError) in
                let c = try e(batch)
                return isDate
                    ? mapValues(c, Int32.self, to: .int64, Int64.self) { saturatingMultiply(Int64($0), factor) }
                    : mapValues(c, Int64.self, to: .int64, Int64.self) { saturatingMultiply($0, factor) }
            }
        }
    }
}

@inline(__always) func saturatingMultiply(_ a: Int64, _ b: Int64) -> Int64 {
    let (v, o) = a.multipliedReportingOverflow(by: b)
    guard o else { return v }
    return (a < 0) != (b < 0) ? .min : .max
}
