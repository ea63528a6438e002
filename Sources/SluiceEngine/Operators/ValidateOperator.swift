import SluiceCore

/// Checks rules per field. Each rule compiles to a vectorized boolean expression that is false
/// exactly where the rule fails (a null never fails a rule other than `required`), so validation
/// runs over whole columns. A failing row is reported once, for its first failing rule in the
/// order written, and then dropped, sent to the dead-letter file, or stops the run.
struct ValidateOperator: Operator {
    struct Check: Sendable {
        let slot: Int
        let column: String
        let rule: String
        let passes: BoundExpression
        let describe: @Sendable (String?) -> String
    }

    let checks: [Check]
    let policy: InvalidRowPolicy
    let outputSchema: Schema
    let location: ConfigLocation

    init(_ config: ValidateConfig, input: Schema) throws(SluiceError) {
        var checks: [Check] = []
        for (column, rules, loc) in config.rules {
            guard let slot = input.index(of: column) else { throw OperatorChain.unknownColumn(column, in: input, at: loc) }
            let type = input[slot].type
            let c = Quote.identifier(column)
            for rule in rules {
                let (name, text, describe) = try ValidateOperator.compile(rule, column: c, type: type, at: loc)
                let bound = try OperatorChain.bind(try ExpressionParser.parse(text), input, at: loc)
                checks.append(Check(slot: slot, column: column, rule: name, passes: bound, describe: describe))
            }
        }
        self.checks = checks
        policy = config.onInvalid
        outputSchema = input
        location = config.location
    }

    /// The expression (true = passes) and reason text for one rule.
    static func compile(_ rule: ValidationRule, column c: String, type: DataType, at loc: ConfigLocation) throws(SluiceError)
        -> (String, String, @Sendable (String?) -> String)
    {
        func needsString(_ what: String) throws(SluiceError) {
            guard type.isStringLike else { throw loc.error("\(what) applies to text columns, this one is \(type)") }
        }
        switch rule {
        case .required:
            let text = type.isStringLike ? "\(c) is not null and \(c) != ''" : "\(c) is not null"
            return ("required", text, { _ in "required field is missing" })
        case .pattern(let p):
            try needsString("pattern")
            return ("pattern", "\(c) is null or matches(\(c), \(Quote.literal(p)))", { "'\($0 ?? "")' does not match \(p)" })
        case .uuid:
            try needsString("uuid")
            let hex = "[0-9a-fA-F]"
            let p = "^\(hex){8}-\(hex){4}-\(hex){4}-\(hex){4}-\(hex){12}$"
            return ("uuid", "\(c) is null or matches(\(c), \(Quote.literal(p)))", { "'\($0 ?? "")' is not a UUID" })
        case .oneOf(let values):
            let list = values.map { type.isNumeric ? $0 : Quote.literal($0) }.joined(separator: ", ")
            let shown = values.joined(separator: ", ")
            return ("in", "\(c) is null or \(c) in (\(list))", { "'\($0 ?? "")' is not one of: \(shown)" })
        case .min(let v):
            return ("min", "\(c) is null or \(c) >= \(literalNumber(v))", { "\($0 ?? "") is less than the minimum \(formatDouble(v))" })
        case .max(let v):
            return ("max", "\(c) is null or \(c) <= \(literalNumber(v))", { "\($0 ?? "") is more than the maximum \(formatDouble(v))" })
        case .minText(let s):
            return ("min", "\(c) is null or \(c) >= \(Quote.literal(s))", { "\($0 ?? "") is before the minimum \(s)" })
        case .maxText(let s):
            return ("max", "\(c) is null or \(c) <= \(Quote.literal(s))", { "\($0 ?? "") is after the maximum \(s)" })
        case .type(let t):
            return ("type", "\(c) is null or cast(\(c), \(Quote.literal(t.description))) is not null", { "'\($0 ?? "")' is not a valid \(t)" })
        }
    }

    static func literalNumber(_ v: Double) -> String {
        v == v.rounded() && abs(v) < 1e15 ? String(Int64(v)) : "\(v)"
    }

    func requiredInputs(for outputs: Set<String>) -> Set<String> {
        outputs.union(checks.map(\.column))
    }

    func process(_ batch: RecordBatch, rejects: inout [RejectedRow]) throws(SluiceError) -> RecordBatch {
        let n = batch.count
        var firstFailure: [Int32]? = nil
        for (k, check) in checks.enumerated() {
            let ok = try check.passes.evaluate(batch)
            // Null results (e.g. comparing a value that failed to convert) count as passing.
            if ok.validity == nil {
                var allTrue = true
                ok.withValues(as: UInt8.self) { bytes in
                    let full = n >> 3
                    for j in 0..<full where bytes[j] != 0xFF { allTrue = false; break }
                    if allTrue, n & 7 != 0 {
                        let mask = UInt8((1 << (n & 7)) - 1)
                        if bytes[full] & mask != mask { allTrue = false }
                    }
                } 
                if allTrue && ok.offset == 0 { continue }
            }
            for i in 0..<n where ok.isValid(i) && !ok.bool(at: i) {
                if firstFailure == nil { firstFailure = Array(repeating: -1, count: n) }
                if firstFailure?[i] == -1 { firstFailure?[i] = Int32(k) }
            }
        }
        guard let failures = firstFailure else { return batch }
        var keep: [Int32] = []
        keep.reserveCapacity(n)
        for i in 0..<n {
            let k = Int(failures[i])
            if k < 0 { keep.append(Int32(i)); continue }
            let check = checks[k]
            let value = batch.columns[check.slot].isValid(i) ? batch.columns[check.slot].scalar(at: i).description : nil
            let reject = RejectedRow(
                file: batch.origin?.source ?? "", line: batch.origin?.line(i), stage: "validate", column: check.column,
                rule: check.rule, reason: check.describe(value), values: OperatorChain.rowValues(batch, i))
            if policy == .fail {
                throw SluiceError.data(
                    file: reject.file, line: reject.line ?? 0, column: check.column, message: "\(reject.rule): \(reject.reason)")
            }
            var r = reject
            r.deadLetter = policy == .deadLetter
            rejects.append(r)
        }
        return batch.take(keep)
    }
}
