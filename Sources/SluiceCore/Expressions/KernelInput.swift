/// Where a kernel reads its operands from.
///
/// Implementation note: every binary kernel is generic over its left and right input, each either
/// a column's raw buffer (`ConvertingInput`, `RawInput`) or a bind-time constant (`ConstantInput`),
/// so a literal operand is never materialized into a column and each combination specializes into
/// its own tight loop. The binder picks the combination once (`buildNumericKernel`,
/// `buildFixedKernel`); evaluation only runs the chosen loop.
protocol KernelInput<Element> {
    associatedtype Element
    subscript(_ i: Int) -> Element { get }
}

/// The fixed-width storage types of numeric, date and timestamp columns.
protocol KernelNumeric: BitwiseCopyable, Comparable, Sendable {
    /// Never traps: out-of-range floating-point values clamp, NaN gives 0.
    var asInt64: Int64 { get }
    var asDouble: Double { get }
    /// The typed value of a bind-time constant, if it has this storage.
    static func fromScalar(_ s: Scalar) -> Self?
}

extension Int32: KernelNumeric {
    var asInt64: Int64 { Int64(self) }
    var asDouble: Double { Double(self) }
    static func fromScalar(_ s: Scalar) -> Int32? {
        switch s {
        case .int(let v): Int32(exactly: v)
        case .date(let d): d
        default: nil
        }
    }
}

extension Int64: KernelNumeric {
    var asInt64: Int64 { self }
    var asDouble: Double { Double(self) }
    static func fromScalar(_ s: Scalar) -> Int64? {
        switch s {
        case .int(let v): v
        case .date(let d): Int64(d)
        case .timestamp(let v, _): v
        default: nil
        }
    }
}

extension Float: KernelNumeric {
    var asInt64: Int64 { Double(self).asInt64 }
    var asDouble: Double { Double(self) }
    static func fromScalar(_ s: Scalar) -> Float? {
        switch s {
        case .double(let v): Float(v)
        case .int(let v): Float(v)
        default: nil
        }
    }
}

extension Double: KernelNumeric {
    var asInt64: Int64 { Int64(clampingDouble: self) ?? 0 }
    var asDouble: Double { self }
    static func fromScalar(_ s: Scalar) -> Double? {
        switch s {
        case .double(let v): v
        case .int(let v): Double(v)
        default: nil
        }
    }
}

extension Int64 {
    /// The integer part of `d`, clamped to Int64's range; nil for NaN.
    init?(clampingDouble d: Double) {
        if d.isNaN { return nil }
        if d >= 9_223_372_036_854_775_807.0 { self = .max } else if d <= -9_223_372_036_854_775_808.0 { self = .min } else { self = Int64(d) }
    }
}

/// The two types arithmetic and comparisons compute in: Int64 and Double.
protocol NumericDomain: KernelNumeric, Numeric, Hashable {
    static var dataType: DataType { get }
    static func from<S: KernelNumeric>(_ s: S) -> Self
    static func add(_ a: Self, _ b: Self) -> (Self, overflow: Bool)
    static func subtract(_ a: Self, _ b: Self) -> (Self, overflow: Bool)
    static func multiply(_ a: Self, _ b: Self) -> (Self, overflow: Bool)
    /// Remainder with the sign of `a` (SQL and C); `b` is never zero.
    static func remainder(_ a: Self, _ b: Self) -> Self
    static func negate(_ a: Self) -> (Self, overflow: Bool)
}

extension Int64: NumericDomain {
    static var dataType: DataType { .int64 }
    @inline(__always) static func from<S: KernelNumeric>(_ s: S) -> Int64 { s.asInt64 }
    @inline(__always) static func add(_ a: Int64, _ b: Int64) -> (Int64, overflow: Bool) {
        let r = a.addingReportingOverflow(b)
        return (r.partialValue, r.overflow)
    }
    @inline(__always) static func subtract(_ a: Int64, _ b: Int64) -> (Int64, overflow: Bool) {
        let r = a.subtractingReportingOverflow(b)
        return (r.partialValue, r.overflow)
    }
    @inline(__always) static func multiply(_ a: Int64, _ b: Int64) -> (Int64, overflow: Bool) {
        let r = a.multipliedReportingOverflow(by: b)
        return (r.partialValue, r.overflow)
    }
    @inline(__always) static func remainder(_ a: Int64, _ b: Int64) -> Int64 {
        // Int64.min % -1 overflows the quotient, not the remainder, which is 0.
        a.remainderReportingOverflow(dividingBy: b).partialValue
    }
    @inline(__always) static func negate(_ a: Int64) -> (Int64, overflow: Bool) {
        let r = Int64(0).subtractingReportingOverflow(a)
        return (r.partialValue, r.overflow)
    }
}

extension Double: NumericDomain {
    static var dataType: DataType { .float64 }
    @inline(__always) static func from<S: KernelNumeric>(_ s: S) -> Double { s.asDouble }
    @inline(__always) static func add(_ a: Double, _ b: Double) -> (Double, overflow: Bool) { (a + b, false) }
    @inline(__always) static func subtract(_ a: Double, _ b: Double) -> (Double, overflow: Bool) { (a - b, false) }
    @inline(__always) static func multiply(_ a: Double, _ b: Double) -> (Double, overflow: Bool) { (a * b, false) }
    @inline(__always) static func remainder(_ a: Double, _ b: Double) -> Double { a.truncatingRemainder(dividingBy: b) }
    @inline(__always) static func negate(_ a: Double) -> (Double, overflow: Bool) { (-a, false) }
}

/// A column's values, converted on the fly to the domain a kernel computes in.
struct ConvertingInput<Stored: KernelNumeric, Element: NumericDomain>: KernelInput {
    let base: UnsafePointer<Stored>
    @inline(__always) subscript(_ i: Int) -> Element { Element.from(base[i]) }
}

/// A column's values as stored.
struct RawInput<Element: BitwiseCopyable>: KernelInput {
    let base: UnsafePointer<Element>
    @inline(__always) subscript(_ i: Int) -> Element { base[i] }
}

/// The same value for every row.
struct ConstantInput<Element>: KernelInput {
    let value: Element
    @inline(__always) subscript(_ i: Int) -> Element { value }
}

/// Produces a kernel input for a batch: evaluates a child node, or hands out a constant.
protocol OperandReader: Sendable {
    associatedtype Input: KernelInput
    /// The input, and the column behind it (nil for constants), which carries the validity and
    /// keeps the buffers alive while the kernel runs.
    func read(_ batch: RecordBatch) throws(SluiceError) -> (input: Input, column: Column?)
    /// Whether this is a null constant. Most kernels never see one (the binder folds them away);
    /// those that do (`if`) check this once per batch.
    var isNullConstant: Bool { get }
}

extension OperandReader {
    var isNullConstant: Bool { false }
}

struct ConvertingReader<Stored: KernelNumeric, Element: NumericDomain>: OperandReader {
    let evaluate: Evaluator
    func read(_ batch: RecordBatch) throws(SluiceError) -> (input: ConvertingInput<Stored, Element>, column: Column?) {
        let c = try evaluate(batch)
        return (ConvertingInput(base: c.unsafeValues(Stored.self)), c)
    }
}

struct RawReader<Element: BitwiseCopyable>: OperandReader {
    let evaluate: Evaluator
    func read(_ batch: RecordBatch) throws(SluiceError) -> (input: RawInput<Element>, column: Column?) {
        let c = try evaluate(batch)
        return (RawInput(base: c.unsafeValues(Element.self)), c)
    }
}

struct ConstantReader<Element: Sendable>: OperandReader {
    let value: Element
    var isNullConstant = false
    func read(_ batch: RecordBatch) throws(SluiceError) -> (input: ConstantInput<Element>, column: Column?) {
        (ConstantInput(value: value), nil)
    }
}

// MARK: - Bind-time dispatch

/// One operand of a kernel computing in domain `E`, as the binder resolved it.
enum NumericOperand<E: NumericDomain>: Sendable {
    case constant(E)
    case int32(Evaluator)
    case int64(Evaluator)
    /// A float64 column; float32 columns are widened into one first (rare, keeps specializations few).
    case float64(Evaluator)
}

/// Builds the evaluator of a binary kernel once the input types are known.
protocol NumericKernelBuilder {
    associatedtype Element: NumericDomain
    func evaluator<L: OperandReader, R: OperandReader>(_ l: L, _ r: R) -> Evaluator
    where L.Input.Element == Element, R.Input.Element == Element
}

/// Picks the kernel specialization for the operands' storage: switched once, at bind time.
func buildNumericKernel<B: NumericKernelBuilder>(
    _ builder: B, _ l: NumericOperand<B.Element>, _ r: NumericOperand<B.Element>
) -> Evaluator {
    switch l {
    case .constant(let v): buildNumericKernel(builder, ConstantReader(value: v), r)
    case .int32(let e): buildNumericKernel(builder, ConvertingReader<Int32, B.Element>(evaluate: e), r)
    case .int64(let e): buildNumericKernel(builder, ConvertingReader<Int64, B.Element>(evaluate: e), r)
    case .float64(let e): buildNumericKernel(builder, ConvertingReader<Double, B.Element>(evaluate: e), r)
    }
}

private func buildNumericKernel<B: NumericKernelBuilder, L: OperandReader>(
    _ builder: B, _ l: L, _ r: NumericOperand<B.Element>
) -> Evaluator where L.Input.Element == B.Element {
    switch r {
    case .constant(let v): builder.evaluator(l, ConstantReader(value: v))
    case .int32(let e): builder.evaluator(l, ConvertingReader<Int32, B.Element>(evaluate: e))
    case .int64(let e): builder.evaluator(l, ConvertingReader<Int64, B.Element>(evaluate: e))
    case .float64(let e): builder.evaluator(l, ConvertingReader<Double, B.Element>(evaluate: e))
    }
}

/// Builds the evaluator of a kernel whose operands share one storage type (coalesce, greatest,
/// least, if): both operands were coerced to the result type beforehand.
protocol FixedKernelBuilder {
    func evaluator<T: KernelNumeric, L: OperandReader, R: OperandReader>(_: T.Type, _ l: L, _ r: R) -> Evaluator
    where L.Input.Element == T, R.Input.Element == T
}

/// The storage of a fixed-width numeric or temporal type.
enum FixedStorage {
    case int32, int64, float32, float64

    init?(_ type: DataType) {
        switch type {
        case .int32, .date: self = .int32
        case .int64, .timestamp: self = .int64
        case .float32: self = .float32
        case .float64: self = .float64
        case .bool, .string, .dictionary: return nil
        }
    }
}

/// Picks the specialization for the storage and for each operand being a column or a constant.
/// Both nodes must have the storage's type (or be null constants).
func buildFixedKernel<B: FixedKernelBuilder>(_ builder: B, _ storage: FixedStorage, _ l: BoundNode, _ r: BoundNode)
    -> Evaluator
{
    switch storage {
    case .int32: buildFixedKernel(builder, Int32.self, l, r)
    case .int64: buildFixedKernel(builder, Int64.self, l, r)
    case .float32: buildFixedKernel(builder, Float.self, l, r)
    case .float64: buildFixedKernel(builder, Double.self, l, r)
    }
}

private func buildFixedKernel<B: FixedKernelBuilder, T: KernelNumeric>(
    _ builder: B, _: T.Type, _ l: BoundNode, _ r: BoundNode
) -> Evaluator {
    switch l.form {
    case .constant(let s): buildFixedKernel(builder, T.self, ConstantReader(s, as: T.self), r)
    case .computed(let e): buildFixedKernel(builder, T.self, RawReader<T>(evaluate: e), r)
    }
}

private func buildFixedKernel<B: FixedKernelBuilder, T: KernelNumeric, L: OperandReader>(
    _ builder: B, _: T.Type, _ l: L, _ r: BoundNode
) -> Evaluator where L.Input.Element == T {
    switch r.form {
    case .constant(let s): builder.evaluator(T.self, l, ConstantReader(s, as: T.self))
    case .computed(let e): builder.evaluator(T.self, l, RawReader<T>(evaluate: e))
    }
}

extension ConstantReader where Element: KernelNumeric {
    /// A reader of a bind-time constant; a null becomes zero bits flagged `isNullConstant`.
    init(_ s: Scalar, as: Element.Type) {
        value = Element.fromScalar(s) ?? .zeroBits
        isNullConstant = s.isNull
    }
}

extension KernelNumeric {
    /// All bits zero: the placeholder value of a null constant (its validity says null).
    static var zeroBits: Self {
        withUnsafeTemporaryAllocation(of: Self.self, capacity: 1) { p in
            UnsafeMutableRawPointer(p.baseAddress.unsafelyUnwrapped).initializeMemory(
                as: UInt8.self, repeating: 0, count: MemoryLayout<Self>.stride)
            return p[0]
        }
    }
}
