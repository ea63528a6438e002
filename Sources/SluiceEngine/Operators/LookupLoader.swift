import SluiceCore

/// Reads a join's lookup table: its source, through its own transforms (which may aggregate),
/// into memory, indexed by the lookup key. A lookup row the source rejects fails the binding
/// with its file, line and reason: a partial lookup would silently drop matches.
enum LookupLoader {
    static func joinOperator(_ cfg: JoinConfig, input: Schema) throws(SluiceError) -> JoinOperator {
        let source: LookupInput
        switch cfg.lookupSource {
        case .csv(let c): source = .csv(try CSVSource.resolve(c))
        case .parquet(let c): source = .parquet(try ParquetPipelineSource.resolve(c))
        case .http(let c): throw c.location.error("a lookup table is read from files; an API source cannot be one")
        }
        let stages = try OperatorChain.bindStages(cfg.lookupTransforms, input: source.schema)
        let schema = StagedChain.outputSchema(stages, input: source.schema)
        for (_, lookup) in cfg.on where schema.index(of: lookup) == nil {
            throw OperatorChain.unknownColumn(lookup, in: schema, at: cfg.location)
        }
        let chain = try StagedChain(stages, memoryBudget: 256 << 20, spillDirectory: FileIO.temporaryDirectory())
        var batches: [RecordBatch] = []
        let collect: (RecordBatch) throws(SluiceError) -> Void = { batches.append($0) }
        try source.scan(at: cfg) { batch throws(SluiceError) in try chain.push(batch, collect) }
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

/// The files a lookup table is read from, read synchronously at bind time.
enum LookupInput {
    case csv(CSVSource)
    case parquet(ParquetPipelineSource)

    var schema: Schema {
        switch self {
        case .csv(let s): s.schema
        case .parquet(let s): s.schema
        }
    }

    /// Every batch of every file, in order. A CSV row that does not parse fails the lookup.
    func scan(at cfg: JoinConfig, _ body: (RecordBatch) throws(SluiceError) -> Void) throws(SluiceError) {
        switch self {
        case .parquet(let s):
            try s.scan(body)
        case .csv(let source):
            for file in source.files {
                for split in try source.plan(file) {
                    let reader = try source.reader(split, batchRows: 65_536)
                    while let chunk = try reader.next() {
                        if let bad = chunk.rejects.first {
                            throw cfg.location.error("lookup row rejected: \(bad.file):\(bad.line.map(String.init) ?? "?"): \(bad.reason)")
                        }
                        try body(chunk.batch)
                    }
                }
            }
        }
    }
}
