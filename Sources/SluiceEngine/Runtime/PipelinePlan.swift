import SluiceCSV
import SluiceCore

/// A pipeline checked against the world without side effects: files resolved, schema known,
/// every transform bound, the sink's settings checked. `sluice validate` stops here.
public struct PipelinePlan: Sendable {
    public let config: PipelineConfig
    let source: CSVSource
    public let operators: [any Operator]

    public var files: [String] { source.files }
    public var sourceSchema: Schema { source.schema }
    public var outputSchema: Schema { operators.last?.outputSchema ?? source.schema }

    public init(_ config: PipelineConfig) throws(SluiceError) {
        self.config = config
        switch config.source {
        case .csv(let c): source = try CSVSource.resolve(c)
        }
        operators = try OperatorChain.bind(config.transforms, input: source.schema)
        if case .sqlite(let s) = config.sink {
            for k in s.key where outputSchema.index(of: k) == nil {
                throw s.location.error(
                    "key column '\(k)'\(Suggest.didYouMean(k, outputSchema.names)) is not in the output (columns: \(outputSchema.names.joined(separator: ", ")))")
            }
        }
    }

    /// Total bytes of the input files.
    public var inputBytes: Int64 { files.reduce(0) { $0 + (FileIO.fileSize($1) ?? 0) } }

    /// The folder holding this pipeline's state (`.sluice/<name>` beside the pipeline file), nil for `state: none`.
    public var stateDirectory: String? {
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
        }
    }

    /// Whether the sink keeps its own transactional ledger (then it, not the state store, is the truth).
    var sinkHasLedger: Bool {
        if case .sqlite = config.sink { return true }
        return false
    }
}
