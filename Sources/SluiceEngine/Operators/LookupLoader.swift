import SluiceCore

/// Reads a join's lookup table: its source, through its own transforms (which may aggregate),
/// into memory, indexed by the lookup key. A lookup row the source rejects fails the binding
/// with its file, line and reason: a partial lookup would silently drop matches.
enum LookupLoader {
    static func joinOperator(_ cfg: JoinConfig, input: Schema) throws(SluiceError) -> JoinOperator {
        let source = try FileScan(cfg.lookupSource, role: "a lookup table")
        let stages = try OperatorChain.bindStages(cfg.lookupTransforms, input: source.schema)
        let schema = StagedChain.outputSchema(stages, input: source.schema)
        for (_, lookup) in cfg.on where schema.index(of: lookup) == nil {
            throw OperatorChain.unknownColumn(lookup, in: schema, at: cfg.location)
        }
        let chain = try StagedChain(stages, memoryBudget: 256 << 20, spillDirectory: FileIO.temporaryDirectory())
        var batches: [RecordBatch] = []
        let collect: (RecordBatch) throws(SluiceError) -> Void = { batches.append($0) }
        try source.scan { bad throws(SluiceError) in
            throw cfg.location.error("lookup row rejected: \(bad.file):\(bad.line.map(String.init) ?? "?"): \(bad.reason)")
        } _: { _, batch throws(SluiceError) in
            try chain.push(batch, collect)
        }
        try chain.finish(collect)
        if let bad = chain.rejects.first {
            throw cfg.location.error("lookup row rejected: \(bad.file):\(bad.line.map(String.init) ?? "?"): \(bad.reason)")
        }
        let table: HashJoinTable
        do {
            table = try HashJoinTable(batches: batches, schema: schema, keys: cfg.on.map(\.lookup))
        } catch {
            throw cfg.location.error(error.description)
        }
        do {
            return try JoinOperator(table: table, on: cfg.on.map(\.input), columns: cfg.columns, kind: cfg.kind, input: input)
        } catch {
            throw cfg.location.error(error.description)
        }
    }
}

