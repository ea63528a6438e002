import SluiceCSV
import SluiceCore

/// A pipeline checked against the world without side effects: files resolved, schema known,
/// every transform bound, the sink's settings checked. `sluice validate` stops here.
public struct PipelinePlan: Sendable {
    public let config: PipelineConfig
    /// The source, reading only the columns the transforms and the sink need.
    public let source: any PipelineSource
    /// The row operators the workers run, split by split.
    public let operators: [any Operator]
    /// What runs after the workers, in input order, in the commit loop: aggregates, dedups and
    /// the steps after them. Empty for row-only pipelines.
    public let tail: [ChainStage]
    public let outputSchema: Schema
    /// For an incremental run (`IncrementalPlanner`): the slices it recomputes and the files it reads.
    public internal(set) var incremental: SliceSelection?
    /// Seconds spent planning before the run's clock starts: join lookups are read whole here,
    /// and an incremental run's slice scan too.
    public internal(set) var planSeconds = 0.0

    /// The inputs: file paths, or what a non-file source reads.
    public var files: [String] { source.inputs }
    /// The schema of the files.
    public var sourceSchema: Schema { source.schema }
    /// The columns actually parsed: those the transforms and the sink need.
    public var readSchema: Schema { source.readSchema }
    /// Whether the output is recomputed from all input on every run (the pipeline aggregates).
    public var recomputes: Bool {
        tail.contains { if case .aggregate = $0 { true } else { false } }
    }

    public init(_ config: PipelineConfig) throws(SluiceError) {
        let started = Clock.now()
        self.config = config
        let full = try Self.resolveSource(config.source, transforms: config.transforms)
        if OperatorChain.hasStages(config.transforms) {
            let stages = try OperatorChain.bindStages(config.transforms, input: full.schema)
            let output = StagedChain.outputSchema(stages, input: full.schema)
            let needed = OperatorChain.requiredSourceColumns(stages, output: output)
            let projected = needed.count < full.schema.count
            source = projected ? try full.projected(to: needed) : full
            // Bound again against the columns that will be read, so the plan is what runs.
            var bound = projected ? try OperatorChain.bindStages(config.transforms, input: source.readSchema) : stages
            if case .rows(let ops) = bound.first {
                operators = ops
                bound.removeFirst()
            } else {
                operators = []
            }
            tail = bound
            outputSchema = StagedChain.outputSchema(stages, input: full.schema)
        } else {
            let bound = try OperatorChain.bind(config.transforms, input: full.schema)
            let output = bound.last?.outputSchema ?? full.schema
            let needed = OperatorChain.requiredSourceColumns(bound, output: output)
            if needed.count < full.schema.count {
                source = try full.projected(to: needed)
                operators = try OperatorChain.bind(OperatorChain.pruned(config.transforms, bound, output: output), input: source.readSchema)
            } else {
                source = full
                operators = bound
            }
            tail = []
            outputSchema = operators.last?.outputSchema ?? source.readSchema
        }
        if recomputes {
            // An aggregate's rows are recomputed from all input each run: only a sink that replaces
            // rows by key keeps that from duplicating them.
            switch config.sink {
            case .sqlite(let s) where s.mode != .upsert:
                throw s.location.error("an aggregating pipeline is recomputed on every run: use mode upsert with the group keys as key")
            case .postgres(let p) where p.mode == .append || p.mode == .insertIgnore:
                throw p.location.error("an aggregating pipeline is recomputed on every run: use mode upsert (key) or replace (partition_keys)")
            default: break
            }
        }
        if let inc = config.incremental {
            try inc.check(recomputes: recomputes, output: outputSchema, source: full.schema)
        }
        if case .sqlite(let s) = config.sink {
            for k in s.key where outputSchema.index(of: k) == nil {
                throw s.location.error(
                    "key column '\(k)'\(Suggest.didYouMean(k, outputSchema.names)) is not in the output (columns: \(outputSchema.names.joined(separator: ", ")))")
            }
        }
        if case .parquet(let p) = config.sink { _ = try p.bindPartitions(output: outputSchema) }
        if case .postgres(let p) = config.sink {
            for (role, k) in p.requiredColumns where outputSchema.index(of: k) == nil {
                throw (p.keyLocation ?? p.location).error(
                    "\(role) column '\(k)'\(Suggest.didYouMean(k, outputSchema.names)) is not in the output (columns: \(outputSchema.names.joined(separator: ", ")))")
            }
        }
        planSeconds = Clock.seconds(since: started)
    }

    /// The source a config describes, checked against the world (files exist, schema known).
    static func resolveSource(_ config: SourceConfig, transforms: [TransformConfig]) throws(SluiceError) -> any PipelineSource {
        switch config {
        case .csv(let c): c.streaming != nil ? try CSVSource.resolveStreaming(c) : try CSVSource.resolve(c)
        case .http(let c): try HTTPSource(c)
        case .parquet(let c): try ParquetPipelineSource.resolve(c, pushdown: ParquetPipelineSource.pushableFilters(transforms))
        }
    }

    /// Total bytes of the input files.
    public var inputBytes: Int64 { files.reduce(0) { $0 + (FileIO.fileSize($1) ?? 0) } }

    /// The folder holding this pipeline's state (`.sluice/<name>` beside the pipeline file), nil for `state: none`.
    public var stateDirectory: String? { Self.stateDirectory(config) }

    static func stateDirectory(_ config: PipelineConfig) -> String? {
        let base = config.settings.stateDirectory ?? FileIO.join(FileIO.dirname(config.file), ".sluice")
        if base == "none" { return nil }
        return FileIO.join(base, config.name)
    }

    public var deadLetterPath: String {
        config.settings.deadLetter ?? FileIO.join(stateDirectory ?? ".sluice/\(config.name)", "dead-letter.jsonl")
    }

    func makeSink() -> any Sink {
        switch config.sink {
        case .sqlite(let c): SQLiteSink(c)
        case .csv(let c): FileSink(path: c.path, format: .csv(delimiter: c.delimiter, header: c.header))
        case .jsonl(let c): FileSink(path: c.path, format: .jsonl)
        case .postgres(let c): PostgresSink(c, inputs: files)
        case .parquet(let c): c.singleFile ? ParquetFileSink(c) : ParquetDatasetSink(c, replacing: recomputes)
        }
    }

    /// Whether the sink keeps its own transactional ledger (then it, not the state store, is the truth).
    var sinkHasLedger: Bool {
        switch config.sink {
        case .sqlite, .postgres, .parquet: true
        case .csv, .jsonl: false
        }
    }
}
