/// Decides, per row, whether a two-input selection takes its left value. `coalesce`, `greatest`,
/// `least` and `if` are all "take a or b" and share their kernels through this protocol; a row
/// is valid exactly when the value taken is.
protocol RowSelector: SendableMetatype {
    static func takeLeft<T: Comparable>(_ a: T, _ aValid: Bool, _ b: T, _ bValid: Bool, _ condition: Bool) -> Bool
    static func takeLeft(bytes a: UnsafeRawBufferPointer, _ aValid: Bool, _ b: UnsafeRawBufferPointer, _ bValid: Bool,
        _ condition: Bool) -> Bool
    /// The same decision for 64 booleans at once: values and validity words of each side.
    static func takeLeft(words a: UInt64, _ am: UInt64, _ b: UInt64, _ bm: UInt64, _ condition: UInt64) -> UInt64
}

/// `coalesce`: the first non-null.
enum CoalesceSelector: RowSelector {
    @inline(__always) static func takeLeft<T: Comparable>(_ a: T, _ aValid: Bool, _ b: T, _ bValid: Bool, _ c: Bool) -> Bool {
        aValid
    }
    @inline(__always) static func takeLeft(
        bytes a: UnsafeRawBufferPointer, _ aValid: Bool, _ b: UnsafeRawBufferPointer, _ bValid: Bool, _ c: Bool
    ) -> Bool { aValid }
    @inline(__always) static func takeLeft(words a: UInt64, _ am: UInt64, _ b: UInt64, _ bm: UInt64, _ c: UInt64) -> UInt64 {
        am
    }
}

/// `greatest`: the larger of the non-null values.
enum GreatestSelector: RowSelector {
    @inline(__always) static func takeLeft<T: Comparable>(_ a: T, _ aValid: Bool, _ b: T, _ bValid: Bool, _ c: Bool) -> Bool {
        aValid && (!bValid || !(a < b))
    }
    @inline(__always) static func takeLeft(
        bytes a: UnsafeRawBufferPointer, _ aValid: Bool, _ b: UnsafeRawBufferPointer, _ bValid: Bool, _ c: Bool
    ) -> Bool { aValid && (!bValid || compareBytes(a, b) >= 0) }
    @inline(__always) static func takeLeft(words a: UInt64, _ am: UInt64, _ b: UInt64, _ bm: UInt64, _ c: UInt64) -> UInt64 {
        am & (~bm | a | ~b)
    }
}

/// `least`: the smaller of the non-null values.
enum LeastSelector: RowSelector {
    @inline(__always) static func takeLeft<T: Comparable>(_ a: T, _ aValid: Bool, _ b: T, _ bValid: Bool, _ c: Bool) -> Bool {
        aValid && (!bValid || !(b < a))
    }
    @inline(__always) static func takeLeft(
        bytes a: UnsafeRawBufferPointer, _ aValid: Bool, _ b: UnsafeRawBufferPointer, _ bValid: Bool, _ c: Bool
    ) -> Bool { aValid && (!bValid || compareBytes(a, b) <= 0) }
    @inline(__always) static func takeLeft(words a: UInt64, _ am: UInt64, _ b: UInt64, _ bm: UInt64, _ c: UInt64) -> UInt64 {
        am & (~bm | ~a | b)
    }
}

/// `if(cond, a, b)`: a where the condition is true, b where it is false or null.
enum IfSelector: RowSelector {
    @inline(__always) static func takeLeft<T: Comparable>(_ a: T, _ aValid: Bool, _ b: T, _ bValid: Bool, _ c: Bool) -> Bool {
        c
    }
    @inline(__always) static func takeLeft(
        bytes a: UnsafeRawBufferPointer, _ aValid: Bool, _ b: UnsafeRawBufferPointer, _ bValid: Bool, _ c: Bool
    ) -> Bool { c }
    @inline(__always) static func takeLeft(words a: UInt64, _ am: UInt64, _ b: UInt64, _ bm: UInt64, _ c: UInt64) -> UInt64 {
        c
    }
}

/// The words of a condition: true where the condition is true and not null; all false without one.
private func conditionReader(_ condition: BitOperand?, _ batch: RecordBatch) throws(SluiceError) -> (WordReader, WordReader, Column?) {
    guard let condition else { return (WordReader(constant: false), WordReader(constant: false), nil) }
    let s = try condition.read(batch)
    return (s.values, s.validity, s.column)
}

/// Fixed-width selection: values and validity in one pass, a word of rows at a time.
struct SelectKernel<S: RowSelector>: FixedKernelBuilder {
    let type: DataType
    let condition: BitOperand?

    func evaluator<T: KernelNumeric, L: OperandReader, R: OperandReader>(_: T.Type, _ l: L, _ r: R) -> Evaluator
    where L.Input.Element == T, R.Input.Element == T {
        let type = self.type
        let condition = self.condition
        return { batch throws(SluiceError) in
            let (a, ac) = try l.read(batch)
            let (b, bc) = try r.read(batch)
            let (cv, cm, cc) = try conditionReader(condition, batch)
            let aM = ac.map(WordReader.init(validityOf:)) ?? WordReader(constant: !l.isNullConstant)
            let bM = bc.map(WordReader.init(validityOf:)) ?? WordReader(constant: !r.isNullConstant)
            let n = batch.count
            let (buffer, dst) = allocateValues(T.self, n)
            // `Bits.make` visits the words in order; each step also writes its 64 values.
            let valid = Bits.make(count: n) { w in
                let start = w << 6
                let am = aM.word(w)
                let bm = bM.word(w)
                let c = cv.word(w) & cm.word(w)
                var valid: UInt64 = 0
                for i in start..<Swift.min(start + 64, n) {
                    let j = UInt64(i &- start)
                    let av = (am >> j) & 1 != 0
                    let bv = (bm >> j) & 1 != 0
                    let x = a[i]
                    let y = b[i]
                    let take = S.takeLeft(x, av, y, bv, (c >> j) & 1 != 0)
                    dst[i] = take ? x : y
                    valid |= UInt64((take ? av : bv) ? 1 : 0) << j
                }
                return valid
            }
            withExtendedLifetime((ac, bc, cc)) {}
            return makeColumn(type, buffer, Validity(valid, count: n), count: n)
        }
    }
}

/// String selection, into a new `.string` column.
struct SelectStrings<S: RowSelector>: StringPairKernel {
    let cv: WordReader
    let cm: WordReader

    func run<A: StringInput, B: StringInput>(_ a: A, _ ac: Column?, _ b: B, _ bc: Column?, count n: Int)
        throws(SluiceError) -> Column
    {
        let aM = ac.map(WordReader.init(validityOf:)) ?? WordReader(constant: true)
        let bM = bc.map(WordReader.init(validityOf:)) ?? WordReader(constant: true)
        var out = StringOutput(count: n, byteCapacity: n * 8)
        // `Bits.make` visits the words in order, so the strings are appended in row order.
        let valid = Bits.make(count: n) { w in
            let start = w << 6
            let am = aM.word(w)
            let bm = bM.word(w)
            let c = cv.word(w) & cm.word(w)
            var valid: UInt64 = 0
            for i in start..<Swift.min(start + 64, n) {
                let j = UInt64(i &- start)
                let av = (am >> j) & 1 != 0
                let bv = (bm >> j) & 1 != 0
                let x = a.bytes(i)
                let y = b.bytes(i)
                let take = S.takeLeft(bytes: x, av, y, bv, (c >> j) & 1 != 0)
                if take ? av : bv {
                    out.append(take ? x : y)
                    valid |= 1 << j
                } else {
                    out.appendEmpty()
                }
            }
            return valid
        }
        return try out.finish(Validity(valid, count: n))
    }
}

extension ExpressionBinder {
    /// `coalesce(a, b, …)`: the first argument that is not null.
    func bindCoalesce(_ args: [BoundNode], _ e: Expr) throws(SluiceError) -> BoundNode {
        try checkArity("coalesce", args, atLeast: 1, e)
        guard let type = try commonType(args, "coalesce", e) else { return constant(.null, nil, e) }
        var operands = try selectionOperands(args, type)
        // Arguments after a non-null constant are never reached.
        if let k = operands.firstIndex(where: \.isConstant) { operands = Array(operands[...k]) }
        return try reduce(CoalesceSelector.self, operands, type, e)
    }

    /// `greatest(…)` / `least(…)`: the largest / smallest argument, ignoring nulls; null only if
    /// all are.
    func bindGreatestLeast(greatest: Bool, _ args: [BoundNode], _ e: Expr) throws(SluiceError) -> BoundNode {
        let name = greatest ? "greatest" : "least"
        try checkArity(name, args, atLeast: 1, e)
        guard let type = try commonType(args, name, e) else { return constant(.null, nil, e) }
        let operands = try selectionOperands(args, type)
        return greatest
            ? try reduce(GreatestSelector.self, operands, type, e) : try reduce(LeastSelector.self, operands, type, e)
    }

    /// `if(cond, a, b)`: `a` where `cond` is true, `b` where it is false or null.
    func bindIf(_ args: [BoundNode], _ e: Expr) throws(SluiceError) -> BoundNode {
        try checkArity("if", args, 3...3, e)
        let cond = args[0]
        guard cond.type == .bool || cond.type == nil else {
            throw .expression("function 'if' expects a boolean condition, got \(cond.typeName) in '\(e)'")
        }
        guard let type = try commonType([args[1], args[2]], "if", e) else { return constant(.null, nil, e) }
        let a = try coerceForSelection(args[1], type)
        let b = try coerceForSelection(args[2], type)
        if let c = cond.constant {
            let chosen = c == .bool(true) ? a : b
            return try coerce(BoundNode(type: chosen.type ?? type, form: chosen.form, expr: e), to: type)
        }
        return try select(IfSelector.self, a, b, condition: cond, type, e)
    }

    /// Arguments without null constants, converted to `type` (a dictionary stays one: string
    /// kernels read it directly).
    private func selectionOperands(_ args: [BoundNode], _ type: DataType) throws(SluiceError) -> [BoundNode] {
        var out: [BoundNode] = []
        for a in args where !a.isNullConstant { out.append(try coerceForSelection(a, type)) }
        return out
    }

    private func coerceForSelection(_ n: BoundNode, _ type: DataType) throws(SluiceError) -> BoundNode {
        if type == .string && n.type == .dictionary { return n }
        if n.isNullConstant { return BoundNode(type: type, form: n.form, expr: n.expr) }
        return try coerce(n, to: type)
    }

    private func reduce<S: RowSelector>(_: S.Type, _ operands: [BoundNode], _ type: DataType, _ e: Expr) throws(SluiceError)
        -> BoundNode
    {
        guard var result = operands.first else { return constant(.null, type, e) }
        for next in operands.dropFirst() { result = try select(S.self, result, next, condition: nil, type, e) }
        return try coerce(BoundNode(type: result.type, form: result.form, expr: e), to: type)
    }

    private func select<S: RowSelector>(
        _: S.Type, _ a: BoundNode, _ b: BoundNode, condition: BoundNode?, _ type: DataType, _ e: Expr
    ) throws(SluiceError) -> BoundNode {
        let cond = condition.map(BitOperand.init)
        let inputs = [a, b] + (condition.map { [$0] } ?? [])
        let evaluate: Evaluator
        if let storage = FixedStorage(type) {
            evaluate = buildFixedKernel(SelectKernel<S>(type: type, condition: cond), storage, a, b)
        } else if type == .bool {
            let x = BitOperand(a)
            let y = BitOperand(b)
            evaluate = { batch throws(SluiceError) in
                let p = try x.read(batch)
                let q = try y.read(batch)
                let (cv, cm, cc) = try conditionReader(cond, batch)
                let n = batch.count
                var valid: [UInt64] = Array(repeating: 0, count: Bits.wordCount(n))
                let values = Bits.make(count: n) { w in
                    let av = p.values.word(w)
                    let am = p.validity.word(w)
                    let bv = q.values.word(w)
                    let bm = q.validity.word(w)
                    let take = S.takeLeft(words: av, am, bv, bm, cv.word(w) & cm.word(w))
                    valid[w] = (take & am) | (~take & bm)
                    return (take & av) | (~take & bv)
                }
                let validity = valid.withUnsafeBufferPointer { v in Validity(Bits.make(count: n) { v[$0] }, count: n) }
                withExtendedLifetime((p.column, q.column, cc)) {}
                return makeBoolColumn(values, validity, count: n)
            }
        } else {
            // A null branch of `if` becomes a column of nulls; every other null was dropped.
            func operand(_ n: BoundNode) -> StringOperand {
                n.isNullConstant ? .string(BoundNode(type: .string, form: n.form, expr: n.expr).evaluator) : StringOperand(n)
            }
            let x = operand(a)
            let y = operand(b)
            evaluate = { batch throws(SluiceError) in
                let (cv, cm, cc) = try conditionReader(cond, batch)
                let result = try SelectStrings<S>(cv: cv, cm: cm).run(x, y, batch)
                withExtendedLifetime(cc) {}
                return result
            }
        }
        let resultType: DataType = type == .dictionary ? .string : type
        return try node(resultType, e, inputs: inputs, evaluate)
    }
}
