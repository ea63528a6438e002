#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// One arithmetic operator in one domain (Int64 or Double); kernels are generic over it, so each
/// operator compiles into its own loop with no call per value.
protocol ArithmeticOp: SendableMetatype {
    associatedtype Element: NumericDomain
    static var symbol: String { get }
    /// Whether a zero right operand makes the row null (division and remainder).
    static var nullsOnZeroDivisor: Bool { get }
    /// Whether the left operand is ignored (unary minus rides on the binary kernel).
    static var isUnary: Bool { get }
    static func apply(_ a: Element, _ b: Element) -> (Element, overflow: Bool)
}

extension ArithmeticOp {
    static var nullsOnZeroDivisor: Bool { false }
    static var isUnary: Bool { false }
}

enum AddOp<Element: NumericDomain>: ArithmeticOp {
    static var symbol: String { "+" }
    @inline(__always) static func apply(_ a: Element, _ b: Element) -> (Element, overflow: Bool) { Element.add(a, b) }
}

enum SubtractOp<Element: NumericDomain>: ArithmeticOp {
    static var symbol: String { "-" }
    @inline(__always) static func apply(_ a: Element, _ b: Element) -> (Element, overflow: Bool) {
        Element.subtract(a, b)
    }
}

enum MultiplyOp<Element: NumericDomain>: ArithmeticOp {
    static var symbol: String { "*" }
    @inline(__always) static func apply(_ a: Element, _ b: Element) -> (Element, overflow: Bool) {
        Element.multiply(a, b)
    }
}

enum RemainderOp<Element: NumericDomain>: ArithmeticOp {
    static var symbol: String { "%" }
    static var nullsOnZeroDivisor: Bool { true }
    @inline(__always) static func apply(_ a: Element, _ b: Element) -> (Element, overflow: Bool) {
        (Element.remainder(a, b), false)
    }
}

enum DivideOp: ArithmeticOp {
    static var symbol: String { "/" }
    static var nullsOnZeroDivisor: Bool { true }
    @inline(__always) static func apply(_ a: Double, _ b: Double) -> (Double, overflow: Bool) { (a / b, false) }
}

enum PowerOp: ArithmeticOp {
    static var symbol: String { "^" }
    @inline(__always) static func apply(_ a: Double, _ b: Double) -> (Double, overflow: Bool) { (pow(a, b), false) }
}

enum NegateOp<Element: NumericDomain>: ArithmeticOp {
    static var symbol: String { "-" }
    static var isUnary: Bool { true }
    @inline(__always) static func apply(_ a: Element, _ b: Element) -> (Element, overflow: Bool) { Element.negate(b) }
}

/// The evaluator of `Op` over two operands of any input kind.
struct ArithmeticKernel<Op: ArithmeticOp>: NumericKernelBuilder {
    typealias Element = Op.Element
    let expr: Expr

    func evaluator<L: OperandReader, R: OperandReader>(_ l: L, _ r: R) -> Evaluator
    where L.Input.Element == Element, R.Input.Element == Element {
        let expr = self.expr
        return { batch throws(SluiceError) in
            let (a, ac) = try l.read(batch)
            let (b, bc) = try r.read(batch)
            let result = try arithmetic(Op.self, a, b, Validity(ac, bc, count: batch.count), count: batch.count, expr)
            withExtendedLifetime((ac, bc)) {}
            return result
        }
    }
}

/// The arithmetic loop. Overflow and zero divisors are collected in flags instead of branching,
/// so the loop stays tight; only when a flag is set does a second pass decide which rows it
/// concerns (a row that is null anyway may hold any value and must not raise an error).
func arithmetic<Op: ArithmeticOp, L: KernelInput, R: KernelInput>(
    _: Op.Type, _ a: L, _ b: R, _ validity: Validity, count n: Int, _ expr: Expr
) throws(SluiceError) -> Column where L.Element == Op.Element, R.Element == Op.Element {
    let (buffer, dst) = allocateValues(Op.Element.self, n)
    var overflow: UInt8 = 0
    var zeroDivisor: UInt8 = 0
    if Op.nullsOnZeroDivisor {
        for i in 0..<n {
            let y = b[i]
            let zero = y == .zero
            zeroDivisor |= zero ? 1 : 0
            let (v, o) = Op.apply(a[i], zero ? 1 : y)
            dst[i] = zero ? .zero : v
            overflow |= o ? 1 : 0
        }
    } else {
        for i in 0..<n {
            let (v, o) = Op.apply(a[i], b[i])
            dst[i] = v
            overflow |= o ? 1 : 0
        }
    }
    var validity = validity
    if zeroDivisor != 0 {
        validity = validity.and(Bits.fromPredicate(count: n) { b[$0] != .zero }, count: n)
    }
    if overflow != 0 {
        for i in 0..<n where Op.apply(a[i], b[i]).overflow && validity.isValid(i) {
            let what = Op.isUnary ? "-(\(b[i]))" : "\(a[i]) \(Op.symbol) \(b[i])"
            throw .expression("integer overflow in operator '\(Op.symbol)' (\(what)) in '\(expr)'")
        }
    }
    return makeColumn(Op.Element.dataType, buffer, validity, count: n)
}

// MARK: - Binding

extension ExpressionBinder {
    /// `+ - * / % ^`: int32/int64 compute in Int64, anything with a float in Float64; `/` and `^`
    /// always give float64.
    func bindArithmetic(_ op: BinaryOperator, _ l: BoundNode, _ r: BoundNode, _ e: Expr) throws(SluiceError)
        -> BoundNode
    {
        guard l.type?.isNumeric ?? true, r.type?.isNumeric ?? true else {
            throw typeError("operator '\(op.rawValue)'", expects: "numbers", got: [l, r], e)
        }
        let hasFloat = l.type?.isFloatingPoint == true || r.type?.isFloatingPoint == true
        let type: DataType = op == .divide || op == .power || hasFloat ? .float64 : .int64
        if let null = nullIfAnyNull(type, e, [l, r]) { return null }
        let evaluate: Evaluator
        if type == .int64 {
            let a = numericOperand(l, Int64.self)
            let b = numericOperand(r, Int64.self)
            switch op {
            case .add: evaluate = buildNumericKernel(ArithmeticKernel<AddOp<Int64>>(expr: e), a, b)
            case .subtract: evaluate = buildNumericKernel(ArithmeticKernel<SubtractOp<Int64>>(expr: e), a, b)
            case .multiply: evaluate = buildNumericKernel(ArithmeticKernel<MultiplyOp<Int64>>(expr: e), a, b)
            default: evaluate = buildNumericKernel(ArithmeticKernel<RemainderOp<Int64>>(expr: e), a, b)
            }
        } else {
            let a = numericOperand(l, Double.self)
            let b = numericOperand(r, Double.self)
            switch op {
            case .add: evaluate = buildNumericKernel(ArithmeticKernel<AddOp<Double>>(expr: e), a, b)
            case .subtract: evaluate = buildNumericKernel(ArithmeticKernel<SubtractOp<Double>>(expr: e), a, b)
            case .multiply: evaluate = buildNumericKernel(ArithmeticKernel<MultiplyOp<Double>>(expr: e), a, b)
            case .divide: evaluate = buildNumericKernel(ArithmeticKernel<DivideOp>(expr: e), a, b)
            case .modulo: evaluate = buildNumericKernel(ArithmeticKernel<RemainderOp<Double>>(expr: e), a, b)
            default: evaluate = buildNumericKernel(ArithmeticKernel<PowerOp>(expr: e), a, b)
            }
        }
        return try node(type, e, inputs: [l, r], evaluate)
    }

    /// Unary minus: int64 for integers (overflow of -Int64.min is an error), float64 for floats.
    func bindNegate(_ x: BoundNode, _ e: Expr) throws(SluiceError) -> BoundNode {
        guard x.type?.isNumeric ?? true else {
            throw .expression("operator '-' expects a number, got \(x.typeName) in '\(e)'")
        }
        let type: DataType = x.type?.isFloatingPoint == true ? .float64 : .int64
        if let null = nullIfAnyNull(type, e, [x]) { return null }
        let evaluate =
            type == .int64
            ? buildNumericKernel(ArithmeticKernel<NegateOp<Int64>>(expr: e), .constant(0), numericOperand(x, Int64.self))
            : buildNumericKernel(ArithmeticKernel<NegateOp<Double>>(expr: e), .constant(0), numericOperand(x, Double.self))
        return try node(type, e, inputs: [x], evaluate)
    }

    /// `n` as an operand of a kernel computing in `E`. Dates and timestamps read as their Int32 or
    /// Int64 values; float32 columns are widened to float64 first.
    func numericOperand<E: NumericDomain>(_ n: BoundNode, _: E.Type) -> NumericOperand<E> {
        switch n.form {
        case .constant(let s):
            return .constant(E.fromScalar(s) ?? .zero)
        case .computed(let e):
            switch n.type {
            case .int32?, .date?: return .int32(e)
            case .int64?, .timestamp?: return .int64(e)
            case .float32?: return .float64(widenFloat32(e))
            default: return .float64(e)
            }
        }
    }
}

/// A float32 column as float64, for kernels that compute in Double.
func widenFloat32(_ e: @escaping Evaluator) -> Evaluator {
    { batch throws(SluiceError) in mapValues(try e(batch), Float.self, to: .float64, Double.self) { Double($0) } }
}
