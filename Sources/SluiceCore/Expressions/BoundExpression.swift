/// An expression resolved against a schema: columns found, types checked, kernels chosen and
/// constant sub-expressions folded, ready to evaluate batch after batch.
///
/// Evaluation is vectorized: every node produces a whole column for the batch (or was folded to a
/// constant at bind time), and each node's work is one tight loop over raw buffers. A bound
/// expression is immutable and may be shared by concurrent workers.
///
/// Semantics, SQL-like:
/// - Arithmetic on int32/int64 computes in Int64; with a float32/float64 operand in Float64.
///   `/` and `^` always give float64. `%` on integers is the integer remainder (sign of the
///   dividend). Division or remainder by zero gives null. Integer overflow in `+ - *` (and unary
///   `-`, `abs`) is an error, never a silent wraparound.
/// - Nulls propagate through arithmetic, comparisons and functions (except `coalesce`,
///   `greatest`, `least`, `concat` and `if`, which say how they treat them); `and`/`or` use
///   three-valued logic: `false and null` is false, `true or null` is true.
/// - Comparisons: numbers with numbers (mixed int/float as Double), strings byte-wise (UTF-8 code
///   point order), booleans (false < true), dates and timestamps with each other (a date is its
///   midnight; different units are converted exactly), and a date or timestamp with a string
///   literal, which is parsed once when binding.
/// - `ExpressionFunctions` lists the functions and what each returns.
public struct BoundExpression: Sendable {
    /// The expression as bound.
    public let expression: Expr
    /// The type of the column `evaluate` returns.
    public let type: DataType
    let root: BoundNode

    /// Resolves `expr` against `schema`. Throws `SluiceError.expression` for unknown columns or
    /// functions, type errors, and errors found while folding constants (such as overflow).
    public init(_ expr: Expr, schema: Schema) throws(SluiceError) {
        let node = try ExpressionBinder(schema: schema).bind(expr)
        self.expression = expr
        self.root = node
        // A lone untyped `null` reads as text, as PostgreSQL's `unknown` does.
        self.type = node.type ?? .string
    }

    /// Parses `text` and binds it.
    public init(parsing text: String, schema: Schema) throws(SluiceError) {
        try self.init(ExpressionParser.parse(text), schema: schema)
    }

    /// The value, when the expression reads no column and was folded at bind time.
    public var constantValue: Scalar? {
        if case .constant(let s) = root.form { return s }
        return nil
    }

    /// Evaluates the expression over `batch`: a column of `batch.count` values of `type`.
    /// The batch must have the columns (names and types) of the schema this was bound to.
    public func evaluate(_ batch: RecordBatch) throws(SluiceError) -> Column {
        switch root.form {
        case .constant(let s):
            return try broadcast(s, as: type, count: batch.count)
        case .computed(let evaluate):
            let c = try evaluate(batch)
            guard c.count == batch.count, c.type == type else {
                throw .expression("internal error: '\(expression)' produced \(c.count) \(c.type) values for a batch of \(batch.count)")
            }
            return c
        }
    }
}

/// Evaluates one node of a bound expression over a whole batch.
typealias Evaluator = @Sendable (RecordBatch) throws(SluiceError) -> Column

/// A type-checked node: its type, and either its value (folded at bind time) or its evaluator.
struct BoundNode: Sendable {
    enum Form: Sendable {
        case constant(Scalar)
        case computed(Evaluator)
    }

    /// nil only for an untyped `null` (a bare `null` literal, or built only from them), which
    /// adapts to the type of whatever it meets.
    let type: DataType?
    let form: Form
    /// The source this node was bound from, for error messages.
    let expr: Expr

    var constant: Scalar? {
        if case .constant(let s) = form { return s }
        return nil
    }

    var isConstant: Bool { constant != nil }
    var isNullConstant: Bool { constant?.isNull ?? false }

    /// The type as written in messages.
    var typeName: String { type?.description ?? "null" }

    /// The evaluator; a constant is broadcast (only for the rare kernels that take no constants).
    var evaluator: Evaluator {
        switch form {
        case .computed(let e): return e
        case .constant(let s):
            let t = type ?? .string
            return { batch in try broadcast(s, as: t, count: batch.count) }
        }
    }
}

/// A column of `n` copies of a constant.
func broadcast(_ value: Scalar, as type: DataType, count n: Int) throws(SluiceError) -> Column {
    func fill<T: BitwiseCopyable>(_ v: T) -> Column {
        let (buffer, dst) = allocateValues(T.self, n)
        dst.initialize(repeating: v, count: n)
        return makeColumn(type, buffer, .allValid, count: n)
    }
    switch (type, value) {
    case (_, .null): return makeNullColumn(type, count: n)
    case (.bool, .bool(let b)): return makeBoolColumn(Bits.filled(count: n, b), .allValid, count: n)
    case (.int32, .int(let v)): return fill(Int32(truncatingIfNeeded: v))
    case (.int64, .int(let v)), (.timestamp, .timestamp(let v, _)), (.timestamp, .int(let v)): return fill(v)
    case (.float32, .double(let v)): return fill(Float(v))
    case (.float64, .double(let v)): return fill(v)
    case (.date, .date(let d)): return fill(d)
    case (.string, .string(let s)):
        var out = StringOutput(count: n, byteCapacity: n * s.utf8.count)
        var s = s
        s.withUTF8 { bytes in for _ in 0..<n { out.append(UnsafeRawBufferPointer(bytes)) } }
        return try out.finish(.allValid)
    case (.dictionary, .string(let s)):
        let (indices, dst) = allocateValues(Int32.self, n)
        dst.initialize(repeating: 0, count: n)
        let b = StringBuilder(capacity: 1)
        b.append(s)
        return Column(
            type: .dictionary, count: n, nullCount: 0, validity: nil, values: indices,
            dictionary: DictionaryValues(b.finish()))
    default:
        return Column.make(type, Array(repeating: value, count: n))
    }
}
