/// The constants of an `in` list in the domain the test computes in. Short lists are scanned
/// (a few compares beat hashing); long ones are hashed.
struct MemberSet<E: NumericDomain>: Sendable {
    let list: [E]
    let set: Set<E>?

    init(_ values: [E]) {
        list = values
        set = values.count > 8 ? Set(values) : nil
    }

    @inline(__always) func contains(_ v: E) -> Bool {
        if let set { return set.contains(v) }
        for x in list where x == v { return true }
        return false
    }
}

/// The SQL answer of `x [not] in (…)` from the rows that matched a non-null member: a row that
/// matched nothing is null (not false) when the list holds a null.
private func membershipResult(
    matched: Buffer, _ x: Column, listHasNull: Bool, negated: Bool, count n: Int
) -> Column {
    let m = matched.base.assumingMemoryBound(to: UInt64.self)
    var validity = Validity(of: x)
    if listHasNull { validity = validity.and(matched, count: n) }
    let values = negated ? Bits.make(count: n) { ~m[$0] } : matched
    return makeBoolColumn(values, validity, count: n)
}

private func numericMembership<E: NumericDomain>(
    _ x: NumericOperand<E>, _ members: MemberSet<E>, listHasNull: Bool, negated: Bool
) -> Evaluator {
    func run<S: KernelNumeric>(_ e: @escaping Evaluator, _: S.Type) -> Evaluator {
        { batch throws(SluiceError) in
            let c = try e(batch)
            let input = ConvertingInput<S, E>(base: c.unsafeValues(S.self))
            let n = batch.count
            let matched = Bits.fromPredicate(count: n) { members.contains(input[$0]) }
            withExtendedLifetime(c) {}
            return membershipResult(matched: matched, c, listHasNull: listHasNull, negated: negated, count: n)
        }
    }
    switch x {
    case .int32(let e): return run(e, Int32.self)
    case .int64(let e): return run(e, Int64.self)
    case .float64(let e): return run(e, Double.self)
    case .constant(let v):
        // Folded by the binder before it gets here; answer per row anyway.
        let hit = members.contains(v)
        return { batch throws(SluiceError) in
            let n = batch.count
            let x = makeBoolColumn(Bits.filled(count: n, true), .allValid, count: n)
            return membershipResult(matched: Bits.filled(count: n, hit), x, listHasNull: listHasNull, negated: negated, count: n)
        }
    }
}

private func stringMembership(_ x: StringOperand, _ members: [ConstantBytes], listHasNull: Bool, negated: Bool)
    -> Evaluator
{
    { batch throws(SluiceError) in
        let n = batch.count
        let keys = members.map { $0.input.value }
        defer { withExtendedLifetime(members) {} }
        switch x {
        case .dictionary(let e):
            let c = try e(batch)
            let hits = dictionaryPredicate(c) { s in keys.contains { bytesEqual(s, $0) } }
            return membershipResult(matched: hits.values, c, listHasNull: listHasNull, negated: negated, count: n)
        case .string(let e):
            let c = try e(batch)
            let strings = StringColumnInput(c)
            let matched = Bits.fromPredicate(count: n) { i in
                let s = strings.bytes(i)
                return keys.contains { bytesEqual(s, $0) }
            }
            withExtendedLifetime(c) {}
            return membershipResult(matched: matched, c, listHasNull: listHasNull, negated: negated, count: n)
        case .constant(let k):
            let hit = keys.contains { bytesEqual(k.input.value, $0) }
            let x = makeBoolColumn(Bits.filled(count: n, true), .allValid, count: n)
            return membershipResult(matched: Bits.filled(count: n, hit), x, listHasNull: listHasNull, negated: negated, count: n)
        }
    }
}

extension ExpressionBinder {
    /// `x in (…)` is `x = a or x = b or …` with SQL's nulls: true on a match, else null if `x` or
    /// any member is null, else false. A list of constants (the usual case) is one pass with a
    /// member set (one pass over the distinct strings of a dictionary column); any other list is
    /// bound as that `or` of equalities, with `x` evaluated once per batch.
    func bindIn(_ x: BoundNode, _ items: [BoundNode], negated: Bool, _ e: Expr) throws(SluiceError) -> BoundNode {
        if x.isNullConstant { return constant(.null, .bool, e) }
        if items.isEmpty { return constant(.bool(negated), .bool, e) }
        let what = negated ? "'not in'" : "'in'"
        guard let type = try commonType([x] + items, what, e) else { return constant(.null, .bool, e) }
        guard !x.isConstant, items.allSatisfy(\.isConstant), type != .bool else {
            return try bindInAsComparisons(x, items, negated: negated, e)
        }
        let listHasNull = items.contains(where: \.isNullConstant)
        var members: [BoundNode] = []
        for item in items where !item.isNullConstant { members.append(try coerce(item, to: type)) }
        let evaluate: Evaluator
        if type.isStringLike {
            var keys: [ConstantBytes] = []
            for m in members {
                if case .string(let s)? = m.constant { keys.append(ConstantBytes(s)) }
            }
            evaluate = stringMembership(StringOperand(x), keys, listHasNull: listHasNull, negated: negated)
        } else if type.isFloatingPoint {
            let values = members.compactMap { $0.constant.flatMap(Double.fromScalar) }
            let operand = numericOperand(try coerce(x, to: type), Double.self)
            evaluate = numericMembership(operand, MemberSet(values), listHasNull: listHasNull, negated: negated)
        } else {
            let values = members.compactMap { $0.constant.flatMap(Int64.fromScalar) }
            let operand = numericOperand(try coerce(x, to: type), Int64.self)
            evaluate = numericMembership(operand, MemberSet(values), listHasNull: listHasNull, negated: negated)
        }
        return BoundNode(type: .bool, form: .computed(evaluate), expr: e)
    }

    private func bindInAsComparisons(_ x: BoundNode, _ items: [BoundNode], negated: Bool, _ e: Expr) throws(SluiceError)
        -> BoundNode
    {
        // A computed `x` is evaluated once and handed to every comparison as an extra last column.
        var subject = x
        var computedX: Evaluator? = nil
        if case .computed(let evaluate) = x.form, let type = x.type {
            if case .column = x.expr {} else {
                computedX = evaluate
                subject = BoundNode(
                    type: type,
                    form: .computed({ batch throws(SluiceError) in
                        guard let last = batch.columns.last else { throw .expression("internal error: missing 'in' operand") }
                        return last
                    }), expr: x.expr)
            }
        }
        var result: BoundNode? = nil
        for item in items {
            let equal = try bindComparison(.equal, subject, item, e)
            result = try result.map { r throws(SluiceError) in try bindLogical(.or, r, equal, e) } ?? equal
        }
        guard var answer = result else { return constant(.bool(negated), .bool, e) }
        if negated { answer = try bindNot(answer, e) }
        guard let computedX, let xType = x.type, case .computed(let inner) = answer.form else {
            return BoundNode(type: .bool, form: answer.form, expr: e)
        }
        let evaluate: Evaluator = { batch throws(SluiceError) in
            let xc = try computedX(batch)
            let schema = Schema(batch.schema.fields + [Field("\u{0}in", xType)])
            return try inner(RecordBatch(schema: schema, columns: batch.columns + [xc], count: batch.count))
        }
        return BoundNode(type: .bool, form: .computed(evaluate), expr: e)
    }
}
