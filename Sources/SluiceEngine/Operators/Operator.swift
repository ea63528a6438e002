import SluiceCore

/// One step between source and sink: takes a batch, returns a batch, may reject rows.
///
/// Operators are bound once against their input schema (all name resolution and type checking
/// happens then, so a config error surfaces before any data is read) and are shared by all
/// workers, so they keep no per-run mutable state.
public protocol Operator: Sendable {
    var outputSchema: Schema { get }
    func process(_ batch: RecordBatch, rejects: inout [RejectedRow]) throws(SluiceError) -> RecordBatch
    /// The input columns needed to produce `outputs` (and to run this operator at all), so that
    /// columns nothing downstream uses are never parsed.
    func requiredInputs(for outputs: Set<String>) -> Set<String>
}

/// Binds the configured transforms in order, each against the previous one's output schema.
public enum OperatorChain {
    public static func bind(_ transforms: [TransformConfig], input: Schema) throws(SluiceError) -> [any Operator] {
        var schema = input
        var out: [any Operator] = []
        for t in transforms {
            let op: any Operator
            switch t {
            case let .select(cols, loc): op = try SelectOperator(cols, input: schema, location: loc)
            case let .cast(cols, loc): op = try CastOperator(cols, input: schema, location: loc)
            case let .derive(cols): op = try DeriveOperator(cols, input: schema)
            case let .filter(expr, loc): op = try FilterOperator(expr, input: schema, location: loc)
            case let .validate(cfg): op = try ValidateOperator(cfg, input: schema)
            case let .join(cfg): op = try LookupLoader.joinOperator(cfg, input: schema)
            case let .aggregate(cfg):
                throw cfg.location.error("internal error: an aggregate is bound as a stage, not a row operator")
            case let .dedup(_, loc):
                throw loc.error("internal error: dedup is bound as a stage, not a row operator")
            }
            schema = op.outputSchema
            out.append(op)
        }
        return out
    }

    /// Runs `operators` over `batch` in order.
    public static func run(_ operators: [any Operator], _ batch: RecordBatch, rejects: inout [RejectedRow]) throws(SluiceError) -> RecordBatch {
        var b = batch
        for op in operators {
            if b.count == 0 { return RecordBatch(schema: op.outputSchema, columns: op.outputSchema.fields.map { Column.make($0.type, []) }, count: 0, origin: b.origin) }
            b = try op.process(b, rejects: &rejects)
        }
        return b
    }

    /// The source columns a chain needs to produce all of `output`, walking back from the sink.
    public static func requiredSourceColumns(_ operators: [any Operator], output: Schema) -> Set<String> {
        var needed = Set(output.names)
        for op in operators.reversed() { needed = op.requiredInputs(for: needed) }
        return needed
    }

    /// The transforms without derived columns that nothing downstream uses, so that they can be
    /// bound against only the columns that will be read.
    static func pruned(_ transforms: [TransformConfig], _ operators: [any Operator], output: Schema) -> [TransformConfig] {
        var needed = Set(output.names)
        var out: [TransformConfig] = []
        for (t, op) in zip(transforms, operators).reversed() {
            if case .derive(let cols) = t, let derive = op as? DeriveOperator {
                let keep = derive.stepsNeeded(for: needed)
                let kept = cols.filter { keep.contains($0.column) }
                if !kept.isEmpty { out.append(.derive(kept)) }
            } else {
                out.append(t)
            }
            needed = op.requiredInputs(for: needed)
        }
        return out.reversed()
    }

    /// Names an unknown column with a suggestion, at the config line that used it.
    static func unknownColumn(_ name: String, in schema: Schema, at location: ConfigLocation) -> SluiceError {
        location.error("unknown column '\(name)'\(Suggest.didYouMean(name, schema.names)) (columns: \(schema.names.joined(separator: ", ")))")
    }

    /// Binds an expression, turning its error into one that names the config line.
    static func bind(_ expr: Expr, _ schema: Schema, at location: ConfigLocation) throws(SluiceError) -> BoundExpression {
        do {
            return try BoundExpression(expr, schema: schema)
        } catch {
            let text = error.description.hasPrefix("expression: ") ? String(error.description.dropFirst(12)) : error.description
            throw location.error(text)
        }
    }

    /// The row's values as text, for dead-letter entries.
    static func rowValues(_ batch: RecordBatch, _ row: Int) -> [(String, String?)] {
        zip(batch.schema.names, batch.columns).map { name, col in
            (name, col.isValid(row) ? col.scalar(at: row).description : nil)
        }
    }
}

/// Keeps and renames columns.
struct SelectOperator: Operator {
    let indices: [Int]
    let outputSchema: Schema

    init(_ cols: [(output: String, input: String)], input: Schema, location: ConfigLocation) throws(SluiceError) {
        var idx: [Int] = []
        var fields: [Field] = []
        for (out, name) in cols {
            guard let i = input.index(of: name) else { throw OperatorChain.unknownColumn(name, in: input, at: location) }
            if fields.contains(where: { $0.name == out }) { throw location.error("column '\(out)' is selected twice") }
            idx.append(i)
            fields.append(Field(out, input[i].type))
        }
        indices = idx
        inputNames = idx.map { input[$0].name }
        outputSchema = Schema(fields)
    }

    let inputNames: [String]

    func process(_ batch: RecordBatch, rejects: inout [RejectedRow]) throws(SluiceError) -> RecordBatch {
        RecordBatch(schema: outputSchema, columns: indices.map { batch.columns[$0] }, count: batch.count, origin: batch.origin)
    }

    func requiredInputs(for outputs: Set<String>) -> Set<String> {
        Set(zip(outputSchema.names, inputNames).filter { outputs.contains($0.0) }.map(\.1))
    }
}

/// Adds or replaces columns with computed values, in order (later ones may use earlier ones).
struct DeriveOperator: Operator {
    let steps: [(name: String, slot: Int?, expr: BoundExpression)]
    let outputSchema: Schema

    init(_ cols: [(column: String, expression: Expr, location: ConfigLocation)], input: Schema) throws(SluiceError) {
        var schema = input
        var steps: [(String, Int?, BoundExpression)] = []
        for (name, expr, loc) in cols {
            let bound = try OperatorChain.bind(expr, schema, at: loc)
            if let i = schema.index(of: name) {
                schema.replace(at: i, with: Field(name, bound.type))
                steps.append((name, i, bound))
            } else {
                schema.append(Field(name, bound.type))
                steps.append((name, nil, bound))
            }
        }
        self.steps = steps
        outputSchema = schema
    }

    func requiredInputs(for outputs: Set<String>) -> Set<String> {
        var needed = outputs
        for (name, slot, expr) in steps.reversed() where needed.contains(name) {
            // A replaced column stays required so that the output keeps its column order.
            if slot == nil { needed.remove(name) }
            needed.formUnion(expr.expression.columnReferences)
        }
        return needed
    }

    /// The names of the steps whose results `outputs` depend on (directly or through later steps).
    func stepsNeeded(for outputs: Set<String>) -> Set<String> {
        var needed = outputs
        var keep: Set<String> = []
        for (name, _, expr) in steps.reversed() where needed.contains(name) {
            keep.insert(name)
            needed.formUnion(expr.expression.columnReferences)
        }
        return keep
    }

    func process(_ batch: RecordBatch, rejects: inout [RejectedRow]) throws(SluiceError) -> RecordBatch {
        var columns = batch.columns
        var fields = batch.schema.fields
        for (name, slot, expr) in steps {
            let current = RecordBatch(schema: Schema(fields), columns: columns, count: batch.count, origin: batch.origin)
            let col = try expr.evaluate(current)
            if let i = slot {
                columns[i] = col
                fields[i] = Field(name, col.type)
            } else {
                columns.append(col)
                fields.append(Field(name, col.type))
            }
        }
        return RecordBatch(schema: outputSchema, columns: columns, count: batch.count, origin: batch.origin)
    }
}

/// Keeps the rows where a boolean expression is true (null counts as false, as in SQL).
struct FilterOperator: Operator {
    let predicate: BoundExpression
    let outputSchema: Schema

    init(_ expr: Expr, input: Schema, location: ConfigLocation) throws(SluiceError) {
        predicate = try OperatorChain.bind(expr, input, at: location)
        guard predicate.type == .bool else {
            throw location.error("filter needs a true/false expression, '\(expr)' is \(predicate.type)")
        }
        outputSchema = input
    }

    func requiredInputs(for outputs: Set<String>) -> Set<String> {
        outputs.union(predicate.expression.columnReferences)
    }

    func process(_ batch: RecordBatch, rejects: inout [RejectedRow]) throws(SluiceError) -> RecordBatch {
        let mask = try predicate.evaluate(batch)
        var keep: [Int32] = []
        keep.reserveCapacity(batch.count)
        for i in 0..<batch.count where mask.isValid(i) && mask.bool(at: i) { keep.append(Int32(i)) }
        return keep.count == batch.count ? batch : batch.take(keep)
    }
}
