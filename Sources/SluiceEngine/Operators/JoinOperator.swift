import SluiceCore

/// Adds columns of a lookup table to each row whose key matches (a hash join, the lookup table
/// on the build side). `inner` drops rows without a match; `left` keeps them with nulls. A row
/// matching several lookup rows comes out once per match, in lookup order.
public struct JoinOperator: Operator {
    public enum Kind: String, Sendable { case inner, left }

    let table: HashJoinTable
    let probeKeys: [Int]
    /// Lookup columns to add: their index in the lookup table.
    let added: [Int]
    let kind: Kind
    public let outputSchema: Schema

    /// Joins rows of `input` on the columns `on` (matched in order against the table's keys),
    /// adding the lookup columns `columns` as `(output name, lookup column)`.
    public init(
        table: HashJoinTable, on: [String], columns: [(name: String, lookup: String)], kind: Kind, input: Schema
    ) throws(SluiceError) {
        guard on.count == table.keyNames.count else {
            throw .invalidArgument("join on \(on.count) column(s) against a lookup keyed by \(table.keyNames.count) (\(table.keyNames.joined(separator: ", ")))")
        }
        var probe: [Int] = []
        for (name, lookupType) in zip(on, table.keyTypes) {
            guard let i = input.index(of: name) else {
                throw .invalidArgument("join column '\(name)'\(Suggest.didYouMean(name, input.names)) is not in the input (columns: \(input.names.joined(separator: ", ")))")
            }
            guard Self.comparable(input[i].type, lookupType) else {
                throw .invalidArgument("join column '\(name)' is \(input[i].type) but the lookup key is \(lookupType)")
            }
            probe.append(i)
        }
        var schema = input
        var added: [Int] = []
        for (name, lookup) in columns {
            guard let j = table.rows.schema.index(of: lookup) else {
                throw .invalidArgument("lookup column '\(lookup)'\(Suggest.didYouMean(lookup, table.rows.schema.names)) is not in the lookup table")
            }
            guard schema.index(of: name) == nil else {
                throw .invalidArgument("join would add '\(name)', which the input already has; rename it")
            }
            schema.append(Field(name, table.rows.schema[j].type))
            added.append(j)
        }
        self.table = table
        self.probeKeys = probe
        self.added = added
        self.kind = kind
        outputSchema = schema
    }

    /// Whether keys of these types encode to the same words for equal values.
    static func comparable(_ a: DataType, _ b: DataType) -> Bool {
        if a.isStringLike && b.isStringLike { return true }
        if a.isInteger && b.isInteger { return true }
        if a.isFloatingPoint && b.isFloatingPoint { return true }
        return a == b
    }

    public func process(_ batch: RecordBatch, rejects: inout [RejectedRow]) throws(SluiceError) -> RecordBatch {
        let (probe, build) = table.match(probeKeys.map { batch.columns[$0] }, rows: batch.count, keepUnmatched: kind == .left)
        let rows = batch.take(probe)
        var columns = rows.columns
        for j in added { columns.append(table.column(j, at: build)) }
        return RecordBatch(schema: outputSchema, columns: columns, count: probe.count, origin: rows.origin)
    }

    public func requiredInputs(for outputs: Set<String>) -> Set<String> {
        let addedNames = Set(outputSchema.names[(outputSchema.count - added.count)...])
        var needed = outputs.subtracting(addedNames)
        for i in probeKeys { needed.insert(outputSchema[i].name) }
        return needed
    }
}
