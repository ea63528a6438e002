#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// `abs` over an integer column; the one value without an absolute value (`.min`) is an error.
private func absInteger<T: FixedWidthInteger & SignedInteger & KernelNumeric>(
    _ c: Column, _: T.Type, _ e: Expr
) throws(SluiceError) -> Column {
    var overflow = false
    let out = mapValues(c, T.self, to: c.type, T.self) { v in
        overflow = overflow || v == .min
        return v == .min ? v : Swift.abs(v)
    }
    if overflow {
        for i in 0..<c.count where c.isValid(i) && c.value(i, as: T.self) == .min {
            throw .expression("integer overflow in function 'abs' (abs(\(T.min))) in '\(e)'")
        }
    }
    return out
}

/// `round(x, digits)` for integers: a negative `digits` rounds to tens, hundreds, … (half away
/// from zero); zero or more digits leave integers alone.
private func roundInteger<T: FixedWidthInteger & SignedInteger & KernelNumeric>(
    _ c: Column, _: T.Type, digits: Int64, _ e: Expr
) throws(SluiceError) -> Column {
    guard digits < 0 else { return c }
    // 10^19 does not fit Int64: every Int64 rounds to 0 at that step.
    let step = digits < -18 ? Int64(0) : (0..<Int(-digits)).reduce(Int64(1)) { p, _ in p * 10 }
    var overflow = false
    let out = mapValues(c, T.self, to: c.type, T.self) { v in
        if let p = roundToStep(Int64(v), step), let y = T(exactly: p) { return y }
        overflow = true
        return 0
    }
    if overflow {
        for i in 0..<c.count where c.isValid(i) {
            let v = c.value(i, as: T.self)
            if roundToStep(Int64(v), step).flatMap(T.init(exactly:)) == nil {
                throw .expression("integer overflow in function 'round' (round(\(v), \(digits))) in '\(e)'")
            }
        }
    }
    return out
}

@inline(__always) private func roundToStep(_ x: Int64, _ step: Int64) -> Int64? {
    guard step > 0 else { return 0 }
    var q = x / step
    if (x % step).magnitude * 2 >= step.magnitude { q += x < 0 ? -1 : 1 }
    let (p, o) = q.multipliedReportingOverflow(by: step)
    return o ? nil : p
}

/// Rounds half away from zero at `digits` decimal places (negative: tens, hundreds, …).
@inline(__always) func roundDouble(_ x: Double, digits: Int64) -> Double {
    if digits == 0 { return x.rounded(.toNearestOrAwayFromZero) }
    if digits > 0 {
        // Beyond 17 significant digits a double has nothing left to round.
        guard digits <= 17 else { return x }
        let f = pow(10.0, Double(digits))
        let y = (x * f).rounded(.toNearestOrAwayFromZero) / f
        return y.isFinite ? y : x
    }
    let f = pow(10.0, Double(-digits))
    return (x / f).rounded(.toNearestOrAwayFromZero) * f
}

extension ExpressionBinder {
    /// `abs`, `floor`, `ceil`: keep the argument's type; `floor` and `ceil` leave integers as they are.
    func bindNumericMap(_ name: String, _ args: [BoundNode], _ e: Expr) throws(SluiceError) -> BoundNode {
        try checkArity(name, args, 1...1, e)
        let x = args[0]
        guard let type = x.type else { return constant(.null, nil, e) }
        guard type.isNumeric else { throw argumentError(name, expects: "a number", got: x, e) }
        if let null = nullIfAnyNull(type, e, [x]) { return null }
        let inner = x.evaluator
        let evaluate: Evaluator
        switch (name, type) {
        case ("abs", .int32):
            evaluate = { batch throws(SluiceError) in try absInteger(try inner(batch), Int32.self, e) }
        case ("abs", .int64):
            evaluate = { batch throws(SluiceError) in try absInteger(try inner(batch), Int64.self, e) }
        case (_, .int32), (_, .int64):
            return BoundNode(type: type, form: x.form, expr: e)
        case ("abs", .float32):
            evaluate = { batch throws(SluiceError) in mapValues(try inner(batch), Float.self, to: type, Float.self) { Swift.abs($0) } }
        case ("abs", _):
            evaluate = { batch throws(SluiceError) in mapValues(try inner(batch), Double.self, to: type, Double.self) { Swift.abs($0) } }
        case ("floor", .float32):
            evaluate = { batch throws(SluiceError) in mapValues(try inner(batch), Float.self, to: type, Float.self) { $0.rounded(.down) } }
        case ("floor", _):
            evaluate = { batch throws(SluiceError) in mapValues(try inner(batch), Double.self, to: type, Double.self) { $0.rounded(.down) } }
        case (_, .float32):
            evaluate = { batch throws(SluiceError) in mapValues(try inner(batch), Float.self, to: type, Float.self) { $0.rounded(.up) } }
        default:
            evaluate = { batch throws(SluiceError) in mapValues(try inner(batch), Double.self, to: type, Double.self) { $0.rounded(.up) } }
        }
        return try node(type, e, inputs: [x], evaluate)
    }

    /// `round(x[, digits])`: half away from zero; keeps the argument's type. `digits` must be an
    /// integer literal and may be negative.
    func bindRound(_ args: [BoundNode], _ e: Expr) throws(SluiceError) -> BoundNode {
        try checkArity("round", args, 1...2, e)
        let x = args[0]
        let digits = args.count == 2 ? try literalInt(args[1], "the number of digits", of: "round", e) : 0
        guard let type = x.type else { return constant(.null, nil, e) }
        guard type.isNumeric else { throw argumentError("round", expects: "a number", got: x, e) }
        if let null = nullIfAnyNull(type, e, [x]) { return null }
        let inner = x.evaluator
        let evaluate: Evaluator
        switch type {
        case .int32:
            evaluate = { batch throws(SluiceError) in try roundInteger(try inner(batch), Int32.self, digits: digits, e) }
        case .int64:
            evaluate = { batch throws(SluiceError) in try roundInteger(try inner(batch), Int64.self, digits: digits, e) }
        case .float32:
            evaluate = { batch throws(SluiceError) in
                mapValues(try inner(batch), Float.self, to: type, Float.self) { Float(roundDouble(Double($0), digits: digits)) }
            }
        default:
            evaluate = { batch throws(SluiceError) in
                mapValues(try inner(batch), Double.self, to: type, Double.self) { roundDouble($0, digits: digits) }
            }
        }
        return try node(type, e, inputs: [x], evaluate)
    }
}
