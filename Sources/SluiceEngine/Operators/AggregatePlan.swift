import SluiceCore

/// A group-by bound against its input: key expressions, aggregate calls over argument
/// expressions, and the arithmetic applied to the aggregates afterwards.
///
/// A `compute` expression may mix aggregates with arithmetic and group keys, as in
/// `sum(pod_usage_cpu_core_seconds) / 3600` or `max(capacity) * 2 ^ -30`: each aggregate call is
/// taken out and computed by the aggregator under a hidden name (`__aggregate0`, …), and what is
/// left is evaluated once per group over the keys and those results. Outside an aggregate, a
/// compute expression may use only group keys (a value per group).
///
/// Aggregates: `sum`, `min`, `max`, `avg` (or `mean`), `count(x)` (non-null values),
/// `count(*)`, `count_distinct(x)`, `any(x)` (the smallest value, so results do not depend on
/// worker timing). Output: the keys, then the compute columns, in the order given.
public struct AggregatePlan: Sendable {
    public let inputSchema: Schema
    public let outputSchema: Schema
    let keys: [(name: String, expr: BoundExpression)]
    /// Arguments of the aggregate calls, evaluated per input batch (one per distinct argument).
    let arguments: [BoundExpression]
    let calls: [AggregateCall]
    /// Per compute column, over `keys + hidden aggregates`.
    let finals: [(name: String, expr: BoundExpression)]
    let aggregatedSchema: Schema

    /// Binds `groupBy` (output name, expression) and `compute` (output name, expression) against
    /// `input`. Errors name the expression and say what is wrong.
    public init(groupBy: [(name: String, expr: Expr)], compute: [(name: String, expr: Expr)], input: Schema) throws(SluiceError) {
        inputSchema = input
        var keys: [(String, BoundExpression)] = []
        for (name, expr) in groupBy {
            if let inner = Self.firstAggregate(in: expr) {
                throw .expression("group key '\(name)' cannot use the aggregate '\(inner)'")
            }
            keys.append((name, try BoundExpression(expr, schema: input)))
        }
        var arguments: [BoundExpression] = []
        var argumentTexts: [String] = []
        var calls: [AggregateCall] = []
        var rewritten: [(String, Expr)] = []
        for (name, expr) in compute {
            var failure: SluiceError? = nil
            let replaced = Self.extract(expr) { function, args in
                guard failure == nil else { return .literal(.null) }
                do throws(SluiceError) {
                    let call = try Self.call(function, args, in: expr, hidden: "__aggregate\(calls.count)")
                    var argument: Int? = nil
                    if let arg = args.first {
                        let text = arg.description
                        if let i = argumentTexts.firstIndex(of: text) {
                            argument = i
                        } else {
                            arguments.append(try BoundExpression(arg, schema: input))
                            argumentTexts.append(text)
                            argument = arguments.count - 1
                        }
                    }
                    calls.append(AggregateCall(call, input: argument, name: "__aggregate\(calls.count)"))
                    return .column("__aggregate\(calls.count - 1)")
                } catch {
                    failure = error
                    return .literal(.null)
                }
            }
            if let failure { throw failure }
            rewritten.append((name, replaced))
        }
        self.keys = keys
        self.arguments = arguments
        self.calls = calls
        var fields = keys.map { Field($0.0, $0.1.type.isStringLike ? .dictionary : $0.1.type) }
        for call in calls {
            switch call.outputType(input: call.input.map { arguments[$0].type }) {
            case .success(let t): fields.append(Field(call.name, t))
            case .failure(let e): throw .expression("\(e)")
            }
        }
        let aggregated = Schema(fields)
        aggregatedSchema = aggregated
        var finals: [(String, BoundExpression)] = []
        for (name, expr) in rewritten {
            let bound: BoundExpression
            do {
                bound = try BoundExpression(expr, schema: aggregated)
            } catch {
                let loose = expr.columnReferences.filter { !$0.hasPrefix("__aggregate") && aggregated.index(of: $0) == nil }
                if let column = loose.sorted().first {
                    throw .expression("compute '\(name)': column '\(column)' is neither a group key nor inside an aggregate")
                }
                throw error
            }
            finals.append((name, bound))
        }
        self.finals = finals
        outputSchema = Schema(keys.map { Field($0.0, $0.1.type.isStringLike ? .dictionary : $0.1.type) } + finals.map { Field($0.0, $0.1.type) })
    }

    /// Input columns the keys and aggregate arguments read.
    public var requiredInputs: Set<String> {
        var names = Set<String>()
        for k in keys { names.formUnion(k.expr.expression.columnReferences) }
        for a in arguments { names.formUnion(a.expression.columnReferences) }
        return names
    }

    /// A fresh aggregation state for this plan.
    public func makeAggregator(memoryBudget: Int, spillDirectory: String) throws(SluiceError) -> SpillingAggregator {
        try SpillingAggregator(
            keys: keys.map { Field($0.name, $0.expr.type) }, valueTypes: arguments.map(\.type), calls: calls,
            memoryBudget: memoryBudget, spillDirectory: spillDirectory)
    }

    /// Folds `batch` (of `inputSchema`) into `aggregator`.
    public func consume(_ batch: RecordBatch, into aggregator: SpillingAggregator) throws(SluiceError) {
        guard batch.count > 0 else { return }
        var keyColumns: [Column] = []
        for k in keys { keyColumns.append(try k.expr.evaluate(batch)) }
        var values: [Column] = []
        for a in arguments { values.append(try a.evaluate(batch)) }
        try aggregator.add(keyColumns: keyColumns, values: values, rows: batch.count)
    }

    /// Emits the groups of `aggregator` as batches of `outputSchema`.
    public func finish(_ aggregator: SpillingAggregator, _ emit: (RecordBatch) throws(SluiceError) -> Void) throws(SluiceError) {
        try aggregator.finish { (aggregated: RecordBatch) throws(SluiceError) in
            let batch = RecordBatch(schema: aggregatedSchema, columns: aggregated.columns, count: aggregated.count)
            var columns = Array(aggregated.columns[0..<keys.count])
            for f in finals { columns.append(try f.expr.evaluate(batch)) }
            try emit(RecordBatch(schema: outputSchema, columns: columns, count: aggregated.count))
        }
    }

    // MARK: Rewriting

    /// `expr` with every aggregate call replaced by what `replace` returns for it.
    static func extract(_ expr: Expr, _ replace: (String, [Expr]) -> Expr) -> Expr {
        switch expr {
        case .literal, .column: return expr
        case .unary(let op, let e): return .unary(op, extract(e, replace))
        case .binary(let op, let l, let r): return .binary(op, extract(l, replace), extract(r, replace))
        case .isNull(let e, let negated): return .isNull(extract(e, replace), negated: negated)
        case .inList(let e, let items, let negated):
            return .inList(extract(e, replace), items.map { extract($0, replace) }, negated: negated)
        case .call(let name, let args):
            if ExpressionFunctions.aggregates.contains(name) { return replace(name, args) }
            return .call(name, args.map { extract($0, replace) })
        }
    }

    static func firstAggregate(in expr: Expr) -> String? {
        var found: String? = nil
        _ = extract(expr) { name, args in
            if found == nil { found = Expr.call(name, args).description }
            return .literal(.null)
        }
        return found
    }

    static func call(_ name: String, _ args: [Expr], in expr: Expr, hidden: String) throws(SluiceError) -> AggregateCall.Function {
        for a in args {
            if let inner = firstAggregate(in: a) {
                throw .expression("aggregate '\(inner)' inside another aggregate in '\(expr)'")
            }
        }
        let function: AggregateCall.Function
        switch name {
        case "sum": function = .sum
        case "min": function = .min
        case "max": function = .max
        case "avg", "mean": function = .avg
        case "count": function = .count
        case "count_distinct": function = .countDistinct
        case "any": function = .any
        default:
            throw .expression("aggregate '\(name)' is not supported in '\(expr)' (use sum, min, max, avg, count, count_distinct or any)")
        }
        let arity = function == .count ? 0...1 : 1...1
        guard arity.contains(args.count) else {
            throw .expression("aggregate '\(name)' takes \(function == .count ? "one argument or *" : "one argument"), got \(args.count) in '\(expr)'")
        }
        return function
    }
}
